// "Parallel PATCHes to the same group (Entra and Okta both do this) lose nothing, on SQLite and
// PostgreSQL, with one or two server processes on the same database." (SPEC.md, Concurrency)
//
// Every burst is built so that its outcome does not depend on the order the server applies it in:
// adds name users that are not members yet, removes name members from before the burst that nobody
// adds back, renames use distinct names and no-ops (re-adding a member that stays, removing a
// non-member) change nothing. So the final member set and the number of version bumps are exact.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { createApiKey } from '../../src/store/api-keys.js'
import { createStore, type Dialect, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { insertUser } from '../../src/store/users.js'
import { SCIM } from '../helpers/app.js'
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/db.js'
import { type Child, pooled, startServer, stopAllChildren } from '../helpers/processes.js'

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

/** A migrated database of the dialect (SQLite: a file, never :memory:) with one platform and key. */
interface Fixture {
  readonly database: TestDatabase
  readonly store: Store
  readonly platformId: string
  readonly secret: string
  readonly dir: string
}

async function createFixture(dialect: Dialect): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-concurrency-'))
  const database = await createTestDatabase(dialect, join(dir, 'muster.db'))
  const store = createStore({ url: database.url, poolSize: 5 })
  await migrate(store.db)
  const platform = await createPlatform(store.db, 'Concurrency')
  const { secret } = await createApiKey(store.db, platform.id, 'idp')
  return { database, store, platformId: platform.id, secret, dir }
}

async function dropFixture(f: Fixture | undefined): Promise<void> {
  if (!f) return
  await f.store.close().catch(() => {})
  await f.database.drop().catch(() => {})
  rmSync(f.dir, { recursive: true, force: true })
}

/** Creates n users straight in the store (fast, and not what is under test). */
async function seedUsers(f: Fixture, n: number, prefix: string): Promise<string[]> {
  return f.store.transaction(async (trx) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const userName = `${prefix}-${i}@concurrency.test`
      const row = await insertUser(trx, f.platformId, { schemas: [CORE_USER], userName })
      ids.push(row.id)
    }
    return ids
  })
}

async function memberRows(store: Store, groupId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', groupId)
    .execute()
  return rows.map((r) => r.user_id).sort()
}

async function projectRow(store: Store, groupId: string) {
  return store.db
    .selectFrom('projects')
    .select(['version', 'display_name'])
    .where('id', '=', groupId)
    .executeTakeFirstOrThrow()
}

async function patchEvents(store: Store, groupId: string): Promise<number> {
  const { n } = await store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('resource_id', '=', groupId)
    .where('method', '=', 'PATCH')
    .executeTakeFirstOrThrow()
  return Number(n)
}

const sorted = (ids: Iterable<string>) => [...ids].sort()

/** A deterministic shuffle (so a failure can be replayed), seeded by a small LCG. */
function shuffle<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

interface Burst {
  /** The PatchOp bodies, in the (shuffled) order they are sent. */
  readonly bodies: readonly unknown[]
  readonly expectedMembers: readonly string[]
  /** Requests that change something: each bumps the version exactly once. */
  readonly effectiveWrites: number
  readonly names: readonly string[]
}

/**
 * Single-member adds of `adds` (not members yet), removes of `removes` (members from before, nobody
 * re-adds them), renames to distinct names, and no-ops: re-adding `stays` members, removing `outsiders`.
 */
function burst(opts: {
  initial: readonly string[]
  adds: readonly string[]
  removes: readonly string[]
  outsiders: readonly string[]
  renames: number
  noopReAdds: number
  namePrefix: string
}): Burst {
  const removed = new Set(opts.removes)
  const stays = opts.initial.filter((id) => !removed.has(id))
  const member = (value: string) => [{ value }]
  const op = (o: unknown) => ({ schemas: [PATCH_OP], Operations: [o] })
  const names = Array.from({ length: opts.renames }, (_, i) => `${opts.namePrefix} renamed ${i}`)
  const bodies = [
    // Entra: capitalised ops, $ref null.
    ...opts.adds.map((id) => op({ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] })),
    // Entra default dialect and the aadOptscim062020 filter form, alternately.
    ...opts.removes.map((id, i) =>
      op(
        i % 2 === 0
          ? { op: 'Remove', path: 'members', value: member(id) }
          : { op: 'remove', path: `members[value eq "${id}"]` },
      ),
    ),
    ...names.map((displayName, i) =>
      op(
        i % 2 === 0
          ? { op: 'Replace', path: 'displayName', value: displayName }
          : { op: 'replace', value: { displayName } },
      ),
    ),
    ...stays.slice(0, opts.noopReAdds).map((id) => op({ op: 'add', path: 'members', value: member(id) })),
    ...opts.outsiders.map((id) => op({ op: 'Remove', path: 'members', value: member(id) })),
  ]
  return {
    bodies: shuffle(bodies),
    expectedMembers: sorted([...stays, ...opts.adds]),
    effectiveWrites: opts.adds.length + opts.removes.length + opts.renames,
    names,
  }
}

describe.each(dialects)('parallel PATCHes to one group, one process, %s', (dialect) => {
  let f: Fixture | undefined
  let app: FastifyInstance | undefined
  beforeAll(async () => {
    f = await createFixture(dialect)
    app = await buildApp({ config: testConfig({ LOG_LEVEL: 'warn' }), store: f.store, webRoot: null })
  }, 30_000)
  afterAll(async () => {
    await app?.close()
    await dropFixture(f)
  })

  it('~200 concurrent single-member adds, interleaved removes and renames lose nothing', async () => {
    const fx = f!
    const users = await seedUsers(fx, 40 + 200 + 5, 'inproc')
    const initial = users.slice(0, 40)
    const adds = users.slice(40, 240)
    const outsiders = users.slice(240)
    const auth = { authorization: `Bearer ${fx.secret}`, 'content-type': 'application/scim+json' }
    const created = await app!.inject({
      method: 'POST',
      url: `${SCIM}/Groups`,
      headers: auth,
      payload: JSON.stringify({
        schemas: [CORE_GROUP],
        displayName: 'In-process group',
        members: initial.map((value) => ({ value })),
      }),
    })
    expect(created.statusCode, created.body).toBe(201)
    const groupId = created.json().id as string
    const before = await projectRow(fx.store, groupId)

    const plan = burst({
      initial,
      adds,
      removes: initial.slice(0, 20),
      outsiders,
      renames: 5,
      noopReAdds: 10,
      namePrefix: 'In-process group',
    })
    const responses = await Promise.all(
      plan.bodies.map((body) =>
        app!.inject({
          method: 'PATCH',
          url: `${SCIM}/Groups/${groupId}`,
          headers: auth,
          payload: JSON.stringify(body),
        }),
      ),
    )
    const failures = responses.filter((r) => r.statusCode !== 204).map((r) => `${r.statusCode} ${r.body}`)
    expect(failures).toEqual([])

    expect(await memberRows(fx.store, groupId)).toEqual(plan.expectedMembers)
    const read = await app!.inject({ method: 'GET', url: `${SCIM}/Groups/${groupId}`, headers: auth })
    expect(read.statusCode).toBe(200)
    const group = read.json()
    expect(sorted((group.members as { value: string }[]).map((m) => m.value))).toEqual(plan.expectedMembers)
    const after = await projectRow(fx.store, groupId)
    expect(Number(after.version)).toBe(Number(before.version) + plan.effectiveWrites)
    expect(group.meta.version).toBe(`W/"${after.version}"`)
    expect(plan.names).toContain(group.displayName)
    expect(await patchEvents(fx.store, groupId)).toBe(plan.bodies.length)
  }, 60_000)
})

describe.each(dialects)('parallel PATCHes to one group, two processes on one %s database', (dialect) => {
  let f: Fixture | undefined
  let servers: Child[] = []
  beforeAll(async () => {
    f = await createFixture(dialect)
    // Migrated once above; each process then finds nothing to migrate, so they may start together.
    servers = await Promise.all([startServer(f.database.url), startServer(f.database.url)])
  }, 45_000)
  afterAll(async () => {
    await stopAllChildren()
    await dropFixture(f)
  }, 20_000)

  it('~300 concurrent adds and removes through both processes, 16 in flight, lose nothing', async () => {
    const fx = f!
    const users = await seedUsers(fx, 60 + 230 + 10, 'twoproc')
    const initial = users.slice(0, 60)
    const adds = users.slice(60, 290)
    const outsiders = users.slice(290)
    const headers = { authorization: `Bearer ${fx.secret}`, 'content-type': 'application/scim+json' }
    const base = (i: number) => `http://127.0.0.1:${servers[i % servers.length]!.port}${SCIM}`
    // Node's fetch (undici) keeps connections alive and reuses them per origin.
    const call = async (i: number, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base(i)}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      })
      return { status: res.status, text: await res.text() }
    }

    const created = await call(0, 'POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Two-process group',
      members: initial.map((value) => ({ value })),
    })
    expect(created.status, created.text).toBe(201)
    const groupId = JSON.parse(created.text).id as string
    const before = await projectRow(fx.store, groupId)

    const plan = burst({
      initial,
      adds,
      removes: initial.slice(0, 40),
      outsiders,
      renames: 0,
      noopReAdds: 10,
      namePrefix: 'Two-process group',
    })
    expect(plan.bodies.length).toBeGreaterThanOrEqual(290)
    const responses = await pooled(
      plan.bodies.map((body, i) => () => call(i, 'PATCH', `/Groups/${groupId}`, body)),
      16,
    )
    const failures = responses.filter((r) => r.status < 200 || r.status > 299)
    expect(failures.map((r) => `${r.status} ${r.text}`)).toEqual([])

    expect(await memberRows(fx.store, groupId)).toEqual(plan.expectedMembers)
    for (const i of [0, 1]) {
      const read = await call(i, 'GET', `/Groups/${groupId}`)
      expect(read.status).toBe(200)
      const group = JSON.parse(read.text)
      expect(sorted((group.members as { value: string }[]).map((m) => m.value))).toEqual(plan.expectedMembers)
    }
    const after = await projectRow(fx.store, groupId)
    expect(Number(after.version)).toBe(Number(before.version) + plan.effectiveWrites)
    expect(await patchEvents(fx.store, groupId)).toBe(plan.bodies.length)
  }, 60_000)
})
