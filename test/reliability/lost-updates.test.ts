// No lost updates: 16 clients send 1,000 single-member Add and Remove PATCHes to one group,
// interleaved with renames of the group and PATCHes of users (their own and one shared by all), on
// SQLite, on PostgreSQL, and through two server processes on one PostgreSQL.
//
// Each client owns a few users and sends one request at a time, so the last acknowledged operation on
// each user decides its membership: the expected final state is exact even though the 16 clients race.
// The shared user's `emails` get one distinct value per PATCH from every client: a read-modify-write
// that loses an update loses an email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dialect } from '../../src/store/database.js'
import { fromJson } from '../../src/store/json.js'
import { insertUser } from '../../src/store/users.js'
import { dialects } from '../helpers/db.js'
import {
  CORE_GROUP,
  CORE_USER,
  createFixture,
  dropFixture,
  type Fixture,
  http,
  killAllServers,
  patchOp,
  runSeed,
  type Server,
  seededRandom,
  startServer,
  withStore,
} from './helpers.js'

const CLIENTS = 16
const MEMBER_PATCHES = 1000
const USERS_PER_CLIENT = 8

interface Setup {
  readonly name: string
  readonly dialect: Dialect
  readonly processes: number
}

const setups: Setup[] = [
  { name: 'SQLite, one process', dialect: 'sqlite' as const, processes: 1 },
  { name: 'PostgreSQL, one process', dialect: 'postgres' as const, processes: 1 },
  { name: 'PostgreSQL, two processes', dialect: 'postgres' as const, processes: 2 },
].filter((s) => dialects.includes(s.dialect))

describe.each(setups)('no lost updates: $name', ({ name, dialect, processes }) => {
  let f: Fixture | undefined
  let servers: Server[] = []
  beforeAll(async () => {
    f = await createFixture(dialect, 'lost-updates')
    servers = await Promise.all(Array.from({ length: processes }, () => startServer(f!.url)))
  })
  afterAll(async () => {
    await killAllServers()
    await dropFixture(f)
  })

  it(`${MEMBER_PATCHES} member PATCHes from ${CLIENTS} clients with renames and user PATCHes`, async () => {
    const fx = f!
    const seed = runSeed(`lost updates, ${name}`)
    const random = seededRandom(seed)
    const { owned, shared } = await withStore(fx, (store) =>
      store.transaction(async (trx) => {
        const user = (userName: string) =>
          insertUser(trx, fx.platformId, { schemas: [CORE_USER], userName, title: 'initial' })
        const owned: string[][] = []
        for (let c = 0; c < CLIENTS; c++) {
          const ids: string[] = []
          for (let u = 0; u < USERS_PER_CLIENT; u++) ids.push((await user(`c${c}-u${u}@lost.test`)).id)
          owned.push(ids)
        }
        return { owned, shared: (await user('shared@lost.test')).id }
      }),
    )
    const created = await http(servers[0]!.port, fx.secret, 'POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Lost updates',
    })
    expect(created.status, created.text).toBe(201)
    const groupId = JSON.parse(created.text).id as string

    // Plans, fixed before anything is sent: per client a sequence of requests and the state it leaves.
    type Step = { method: 'PATCH'; path: string; body: unknown; expect: number }
    const member = new Map<string, boolean>()
    const titles = new Map<string, string>()
    const userPatches = new Map<string, number>()
    const lastRenames: string[] = []
    const sharedEmails: string[] = []
    let effectiveMemberChanges = 0
    let renames = 0
    const plans: Step[][] = []
    for (let c = 0; c < CLIENTS; c++) {
      const steps: Step[] = []
      const count = Math.floor(MEMBER_PATCHES / CLIENTS) + (c < MEMBER_PATCHES % CLIENTS ? 1 : 0)
      for (let k = 0; k < count; k++) {
        const id = owned[c]![Math.floor(random() * USERS_PER_CLIENT)]!
        const add = random() < 0.6
        if ((member.get(id) ?? false) !== add) effectiveMemberChanges++
        member.set(id, add)
        const op = add
          ? { op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }
          : random() < 0.5
            ? { op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }
            : { op: 'remove', path: `members[value eq "${id}"]` }
        steps.push({ method: 'PATCH', path: `/Groups/${groupId}`, body: patchOp(op), expect: 204 })
        if (k % 8 === 7) {
          const displayName = `Lost updates ${c}-${k}`
          renames++
          lastRenames[c] = displayName
          const rename =
            k % 16 === 7
              ? { op: 'Replace', path: 'displayName', value: displayName }
              : { op: 'replace', value: { displayName } }
          steps.push({ method: 'PATCH', path: `/Groups/${groupId}`, body: patchOp(rename), expect: 204 })
        }
        if (k % 4 === 1) {
          const target = owned[c]![k % USERS_PER_CLIENT]!
          const title = `title ${c}-${k}`
          titles.set(target, title)
          userPatches.set(target, (userPatches.get(target) ?? 0) + 1)
          const body = patchOp({ op: 'Replace', path: 'title', value: title })
          steps.push({ method: 'PATCH', path: `/Users/${target}`, body, expect: 200 })
        }
        if (k % 6 === 2) {
          const value = `c${c}-${k}@shared.test`
          sharedEmails.push(value)
          const body = patchOp({ op: 'add', path: 'emails', value: [{ value, type: 'other' }] })
          steps.push({ method: 'PATCH', path: `/Users/${shared}`, body, expect: 200 })
        }
      }
      plans.push(steps)
    }

    const failures: string[] = []
    let sent = 0
    let groupPatches = 0
    const started = Date.now()
    await Promise.all(
      plans.map(async (steps, c) => {
        for (const [i, step] of steps.entries()) {
          const server = servers[(c + i) % servers.length]!
          sent++
          if (step.path.startsWith('/Groups')) groupPatches++
          const res = await http(server.port, fx.secret, step.method, step.path, step.body)
          if (res.status !== step.expect)
            failures.push(`${step.method} ${step.path} → ${res.status} ${res.text}`)
        }
      }),
    )
    const seconds = (Date.now() - started) / 1000
    console.log(
      `[reliability] lost updates, ${name}: ${sent} requests (${groupPatches} group PATCHes, ` +
        `${MEMBER_PATCHES} member PATCHes, ${renames} renames) in ${seconds.toFixed(1)} s`,
    )
    expect(failures).toEqual([])

    const expectedMembers = [...member]
      .filter(([, m]) => m)
      .map(([id]) => id)
      .sort()
    await withStore(fx, async (store) => {
      const rows = await store.db
        .selectFrom('project_members')
        .select('user_id')
        .where('project_id', '=', groupId)
        .execute()
      expect(rows.map((r) => r.user_id).sort()).toEqual(expectedMembers)
      const group = await store.db
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', groupId)
        .executeTakeFirstOrThrow()
      expect(Number(group.version)).toBe(1 + effectiveMemberChanges + renames)
      expect(lastRenames).toContain(group.display_name)
      const events = await store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('resource_id', '=', groupId)
        .where('method', '=', 'PATCH')
        .executeTakeFirstOrThrow()
      expect(Number(events.n)).toBe(groupPatches)
      for (const [id, title] of titles) {
        const user = await store.db
          .selectFrom('users')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        expect(fromJson<{ title: string }>(user.resource).title).toBe(title)
        expect(Number(user.version)).toBe(1 + userPatches.get(id)!)
      }
      const sharedRow = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', shared)
        .executeTakeFirstOrThrow()
      const emails = (fromJson<{ emails?: { value: string }[] }>(sharedRow.resource).emails ?? []).map(
        (e) => e.value,
      )
      expect(emails.sort()).toEqual([...sharedEmails].sort())
      expect(Number(sharedRow.version)).toBe(1 + sharedEmails.length)
    })
    // Every process serves the same, complete member list.
    for (const server of servers) {
      const read = await http(server.port, fx.secret, 'GET', `/Groups/${groupId}`)
      expect(read.status).toBe(200)
      const members = (JSON.parse(read.text).members ?? []) as { value: string }[]
      expect(members.map((m) => m.value).sort()).toEqual(expectedMembers)
    }
  })
})
