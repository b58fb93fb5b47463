// A SCIM `userName eq` lookup (sent by every IdP before every create) must find its user through the
// key index at any size of the platform, statistics or not. Statements are prepared once per
// PostgreSQL connection (store/prepared.ts), and PostgreSQL keeps the generic plan it first made for
// one. Made while `users` was nearly empty, the lookup's generic plan tied the key index with
// users_created and took users_created; once PostgreSQL switched to it (about 60,000 users, with no
// statistics: autovacuum off or behind) every lookup read every user of the platform, and a
// 100,000-user sync slowed from 10 to 40 s per 10,000 users. Connections are now replaced after a
// minute, so their statements are planned again for what the table holds.
import { type CompiledQuery, type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailKey } from '../../src/store/columns.js'
import { createStore, type Store } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import type { Database } from '../../src/store/schema.js'
import { listUsers } from '../../src/store/users.js'
import { createTestStore, dialects } from '../helpers/db.js'

describe.runIf(dialects.includes('postgres'))('the userName lookup on PostgreSQL', () => {
  let store: Store & { url: string }
  let platformId: string

  beforeAll(async () => {
    store = await createTestStore('postgres')
    platformId = (await createPlatform(store.db, 'Acme')).id
  })
  afterAll(async () => {
    await store?.close()
  })

  /** The page query the SCIM route runs for `userName eq "<userName>"` (the store's own SQL). */
  async function lookupQuery(userName: string): Promise<CompiledQuery> {
    let page: CompiledQuery | undefined
    const traced: Pick<Store, 'db' | 'read'> = {
      db: store.db,
      read: (query) => {
        page ??= query
        return store.read(query)
      },
    }
    const key = { column: 'email_key' as const, value: emailKey(userName) }
    await listUsers(traced, platformId, { key, offset: 0, limit: 2 }, { withGroups: true })
    if (!page) throw new Error('no query')
    return page
  }

  const argsOf = (query: CompiledQuery) =>
    query.parameters.map((p) => (typeof p === 'number' ? String(p) : `'${String(p)}'`)).join(', ')

  /** Prepares `query` on one connection, runs it as a server would, and returns its generic plan. */
  async function genericPlan(db: Kysely<Database>, query: CompiledQuery): Promise<string> {
    const args = argsOf(query)
    await sql.raw(`prepare lookup as ${query.sql}`).execute(db)
    // PostgreSQL makes the generic plan after five runs and keeps it for the statement's life.
    for (let i = 0; i < 6; i++) await sql.raw(`execute lookup(${args})`).execute(db)
    await sql`set plan_cache_mode = force_generic_plan`.execute(db)
    const explained = await sql.raw(`explain execute lookup(${args})`).execute(db)
    await sql`reset plan_cache_mode`.execute(db)
    return (explained.rows as Record<string, string>[]).map((r) => Object.values(r)[0]).join('\n')
  }

  const addUsers = (count: number) => sql`
    insert into users (id, platform_id, email, email_key, platform_role, status, resource, version, created_at, updated_at)
    select gen_random_uuid()::text, ${platformId}, 'user' || g || '@contoso.test', 'user' || g || '@contoso.test',
      'MEMBER', 'ACTIVE', '{}', 1,
      to_char(timestamp '2026-01-01' + g * interval '1 ms', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '2026-01-01T00:00:00.000Z'
    from generate_series(1, ${count}) g`

  it('a connection planned while the table was empty reads every user; a new one uses the key index', async () => {
    const query = await lookupQuery('Nobody@Contoso.test')
    const early = await store.db.connection().execute(async (db) => {
      await genericPlan(db, query)
      // 100,000 users arrive on the same connection, and no ANALYZE.
      await addUsers(100_000).execute(db)
      await sql`set plan_cache_mode = force_generic_plan`.execute(db)
      const kept = await sql.raw(`explain execute lookup(${argsOf(query)})`).execute(db)
      await sql`reset plan_cache_mode`.execute(db)
      await sql`deallocate lookup`.execute(db)
      return (kept.rows as Record<string, string>[]).map((r) => Object.values(r)[0]).join('\n')
    })
    // The hazard: the plan made when the table was empty, kept at 100,000 users.
    expect(early).toMatch(/Index Scan using users_created/)
    // A connection that prepares the lookup now (what a replaced connection does) plans it right.
    const fresh = await store.db.connection().execute((db) => genericPlan(db, query))
    expect(fresh).toMatch(/Index Scan using users_email_key/)
    expect(fresh).not.toMatch(/users_created/)
  }, 60_000)

  it('the store replaces its connections after their lifetime', async () => {
    const short = createStore({ url: store.url, poolSize: 1, connectionLifetimeSeconds: 1 })
    try {
      const pid = async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(short.db)).rows[0]?.pid
      const first = await pid()
      expect(await pid()).toBe(first)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      // The old connection is closed at its lifetime; the next query opens a new one.
      expect(await pid()).not.toBe(first)
    } finally {
      await short.close()
    }
  })

  it('finds an existing user by userName in any case', async () => {
    const found = await listUsers(store, platformId, {
      key: { column: 'email_key', value: emailKey('USER77777@contoso.TEST') },
      offset: 0,
      limit: 2,
    })
    expect(found.rows.map((r) => r.email)).toEqual(['user77777@contoso.test'])
  })
})
