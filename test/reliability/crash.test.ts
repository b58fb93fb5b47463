// Crash safety: SIGKILL the server at a random moment of a write-heavy load, restart it on the same
// database, and check that every acknowledged write is there, no rejected write is, and the database
// passes its integrity checks. 10 kills per dialect.
//
// Each worker owns its users and their membership of one shared group, and sends one request at a time,
// so its entities' final state is fully determined by its acknowledged writes; only the request in
// flight when the process died is "unknown", and either outcome is accepted for it (then the model
// takes the observed one, and the next round goes on from there).
import { isDeepStrictEqual } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dialect } from '../../src/store/database.js'
import { fromJson } from '../../src/store/json.js'
import { dialects } from '../helpers/db.js'
import {
  CORE_GROUP,
  CORE_USER,
  createFixture,
  dropFixture,
  type Fixture,
  http,
  integrityProblems,
  killAllServers,
  killServer,
  patchOp,
  runSeed,
  type Server,
  seededRandom,
  startServer,
  withStore,
} from './helpers.js'

const KILLS = 10
const WORKERS = 8

interface UserState {
  id: string | undefined
  title: string
  displayName: string
  active: boolean
  member: boolean
}
/** A worker's users by userName: the state its acknowledged writes define. */
type Model = Map<string, UserState>

interface Pending {
  readonly after: Model
  readonly requestId: string
}

interface Worker {
  readonly index: number
  model: Model
  /** The request in flight when the server died, and the model had it been applied. */
  unknown: Pending | undefined
  created: number
  readonly acknowledged: string[]
}

const clone = (m: Model): Model => new Map([...m].map(([k, v]) => [k, { ...v }]))

describe.each(dialects)('SIGKILL during a write-heavy load, %s', (dialect: Dialect) => {
  let f: Fixture | undefined
  let server: Server | undefined
  let groupId = ''
  const surprises: string[] = []

  beforeAll(async () => {
    f = await createFixture(dialect, 'crash')
  })
  afterAll(async () => {
    await killAllServers()
    await dropFixture(f)
  })

  it(`keeps every acknowledged write and nothing rejected across ${KILLS} kills`, async () => {
    const fx = f!
    const figures = { requests: 0, acknowledged: 0, rejected: 0, unknown: 0, kills: 0 }
    const seed = runSeed(`crash ${dialect}`)
    const random = seededRandom(seed)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    server = await startServer(fx.url)
    const created = await http(server.port, fx.secret, 'POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Crash group',
    })
    expect(created.status, created.text).toBe(201)
    groupId = JSON.parse(created.text).id
    const workers: Worker[] = Array.from({ length: WORKERS }, (_, index) => ({
      index,
      model: new Map(),
      unknown: undefined,
      created: 0,
      acknowledged: [],
    }))
    let requestNo = 0

    for (let round = 0; round < KILLS; round++) {
      const port = server!.port
      let dead = false

      /** One request of one worker: returns the status, or undefined when no response came. */
      const send = async (_w: Worker, method: string, path: string, body: unknown, headers = {}) => {
        const requestId = `crash-${dialect}-${round}-${++requestNo}`
        figures.requests++
        try {
          const res = await http(port, fx.secret, method, path, body, {
            'x-request-id': requestId,
            ...headers,
          })
          if (res.status >= 500) surprises.push(`${method} ${path} → ${res.status} ${res.text}`)
          return { requestId, status: res.status, text: res.text }
        } catch {
          figures.unknown++
          dead = true
          return { requestId, status: undefined, text: '' }
        }
      }

      /**
       * Sends a write whose outcome should be `expect` (2xx or the named 4xx) and whose effect, when
       * acknowledged, is `after`. Returns the response text when acknowledged.
       */
      const write = async (
        w: Worker,
        op: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
        expectStatus: number,
        after: (text: string) => Model,
        afterUnknown: Model,
      ) => {
        const { requestId, status, text } = await send(w, op.method, op.path, op.body, op.headers)
        if (status === undefined) {
          w.unknown = { after: afterUnknown, requestId }
          return
        }
        if (status >= 200 && status < 300) {
          figures.acknowledged++
          w.acknowledged.push(requestId)
          if (expectStatus >= 300)
            surprises.push(`${op.method} ${op.path} was to fail with ${expectStatus}: ${status}`)
          else w.model = after(text)
        } else {
          figures.rejected++
          if (status !== expectStatus)
            surprises.push(`${op.method} ${op.path}: ${status} ${text.slice(0, 300)}`)
        }
      }

      const step = async (w: Worker) => {
        const live = [...w.model].filter(([, s]) => s.id !== undefined)
        const r = random()
        const tag = `r${round}-${requestNo}`
        if (live.length === 0 || r < 0.22) {
          const userName = `w${w.index}-${w.created++}@crash.test`
          const state: UserState = {
            id: undefined,
            title: `t-${tag}`,
            displayName: `U ${tag}`,
            active: true,
            member: false,
          }
          const next = clone(w.model).set(userName, state)
          await write(
            w,
            {
              method: 'POST',
              path: '/Users',
              body: {
                schemas: [CORE_USER],
                userName,
                title: state.title,
                displayName: state.displayName,
                active: true,
              },
            },
            201,
            (text) => clone(w.model).set(userName, { ...state, id: JSON.parse(text).id }),
            next,
          )
          return
        }
        const [userName, user] = pick(live)
        const withUser = (change: Partial<UserState> | undefined) => {
          const next = clone(w.model)
          if (change === undefined) next.delete(userName)
          else next.set(userName, { ...user, ...change })
          return next
        }
        if (r < 0.38) {
          const change = { title: `t-${tag}`, displayName: `P ${tag}` }
          const after = withUser(change)
          const body = patchOp(
            { op: 'Replace', path: 'title', value: change.title },
            { op: 'replace', value: { displayName: change.displayName } },
          )
          await write(w, { method: 'PATCH', path: `/Users/${user.id}`, body }, 200, () => after, after)
        } else if (r < 0.48) {
          const change = { title: `t-${tag}`, displayName: `Q ${tag}`, active: random() < 0.7 }
          const after = withUser(change)
          const body = { schemas: [CORE_USER], userName, ...change }
          await write(w, { method: 'PUT', path: `/Users/${user.id}`, body }, 200, () => after, after)
        } else if (r < 0.74) {
          const add = !user.member || random() < 0.2
          const after = withUser({ member: add })
          const body = patchOp(
            add
              ? { op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }
              : random() < 0.5
                ? { op: 'Remove', path: 'members', value: [{ value: user.id }] }
                : { op: 'remove', path: `members[value eq "${user.id}"]` },
          )
          await write(w, { method: 'PATCH', path: `/Groups/${groupId}`, body }, 204, () => after, after)
        } else if (r < 0.79) {
          const after = withUser(undefined)
          await write(w, { method: 'DELETE', path: `/Users/${user.id}` }, 204, () => after, after)
        } else if (r < 0.85) {
          // Rejected: one unknown member id fails the whole PATCH, the known one included.
          const body = patchOp({
            op: 'Add',
            path: 'members',
            value: [{ value: user.id }, { value: '00000000-0000-4000-8000-000000000000' }],
          })
          const after = withUser({ member: true })
          await write(w, { method: 'PATCH', path: `/Groups/${groupId}`, body }, 400, () => after, after)
        } else if (r < 0.9) {
          // Rejected: the same userName in another case is taken.
          const body = { schemas: [CORE_USER], userName: userName.toUpperCase(), title: `REJECTED ${tag}` }
          await write(w, { method: 'POST', path: '/Users', body }, 409, () => w.model, w.model)
        } else if (r < 0.95) {
          // Rejected: the second operation is invalid, so the first is not applied either.
          const body = patchOp(
            { op: 'replace', path: 'title', value: `REJECTED ${tag}` },
            { op: 'replace', path: 'active', value: 'maybe' },
          )
          const after = withUser({ title: `REJECTED ${tag}` })
          await write(w, { method: 'PATCH', path: `/Users/${user.id}`, body }, 400, () => after, after)
        } else {
          // Rejected: a stale If-Match.
          const body = { schemas: [CORE_USER], userName, title: `REJECTED ${tag}` }
          const after = withUser({ title: `REJECTED ${tag}` })
          const headers = { 'if-match': 'W/"0"' }
          await write(w, { method: 'PUT', path: `/Users/${user.id}`, body, headers }, 412, () => after, after)
        }
      }

      const loops = workers.map(async (w) => {
        while (!dead) await step(w)
      })
      const killAfter = 400 + Math.floor(random() * 2600)
      await new Promise((r) => setTimeout(r, killAfter))
      await killServer(server!, 'SIGKILL')
      figures.kills++
      await Promise.all(loops)

      // The database on its own, before anything opens it again.
      expect(await integrityProblems(fx), `integrity after kill ${round + 1} (seed ${seed})`).toEqual([])
      server = await startServer(fx.url)

      const actual = await readState(fx, groupId)
      for (const w of workers) {
        const mine = new Map([...actual].filter(([userName]) => userName.startsWith(`w${w.index}-`)))
        const candidates = w.unknown ? [w.model, w.unknown.after] : [w.model]
        const match = candidates.find((c) => sameState(c, mine))
        expect(
          match,
          `worker ${w.index} after kill ${round + 1} (seed ${seed}):\nexpected ${show(w.model)}` +
            `${w.unknown ? `\nor ${show(w.unknown.after)}` : ''}\nactual ${show(mine)}`,
        ).toBeDefined()
        w.model = clone(mine)
        w.unknown = undefined
      }
      // An acknowledged write committed its provisioning event in the same transaction.
      const ids = workers.flatMap((w) => w.acknowledged.splice(0))
      const logged = await withStore(fx, async (store) => {
        const found = new Set<string>()
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await store.db
            .selectFrom('events')
            .select('request_id')
            .where('request_id', 'in', ids.slice(i, i + 500))
            .execute()
          for (const row of rows) if (row.request_id) found.add(row.request_id)
        }
        return found
      })
      expect(ids.filter((id) => !logged.has(id))).toEqual([])
      // And the restarted server serves the same data.
      const group = await http(server.port, fx.secret, 'GET', `/Groups/${groupId}`)
      expect(group.status).toBe(200)
      const served = ((JSON.parse(group.text).members ?? []) as { value: string }[])
        .map((m) => m.value)
        .sort()
      const stored = [...actual.values()]
        .filter((s) => s.member)
        .map((s) => s.id!)
        .sort()
      expect(served).toEqual(stored)
      if (round === KILLS - 1) await killServer(server, 'SIGTERM')
    }
    expect(surprises).toEqual([])
    console.log(`[reliability] crash ${dialect}: ${JSON.stringify(figures)}`)
  })
})

/** The crash workload's users (by userName) and their membership of the group, as stored. */
async function readState(f: Fixture, groupId: string): Promise<Model> {
  return withStore(f, async (store) => {
    const users = await store.db
      .selectFrom('users')
      .select(['id', 'email', 'status', 'resource'])
      .where('platform_id', '=', f.platformId)
      .execute()
    const members = await store.db
      .selectFrom('project_members')
      .select('user_id')
      .where('project_id', '=', groupId)
      .execute()
    const memberIds = new Set(members.map((m) => m.user_id))
    const state: Model = new Map()
    for (const u of users) {
      const resource = fromJson<Record<string, unknown>>(u.resource)
      state.set(u.email, {
        id: u.id,
        title: String(resource.title),
        displayName: String(resource.displayName),
        active: u.status === 'ACTIVE',
        member: memberIds.has(u.id),
      })
    }
    return state
  })
}

/** Equal but for ids the model does not know (a user whose creation was unknown). */
function sameState(expected: Model, actual: Model): boolean {
  if (expected.size !== actual.size) return false
  for (const [userName, e] of expected) {
    const a = actual.get(userName)
    if (!a) return false
    if (!isDeepStrictEqual({ ...e, id: e.id ?? a.id }, a)) return false
  }
  return true
}

function show(m: Model): string {
  return JSON.stringify([...m].map(([k, v]) => [k, v.title, v.active, v.member]))
}
