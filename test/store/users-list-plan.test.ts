// A list of a platform's users that is not a key lookup (e.g. `displayName co "3"`, a console search)
// reads users_created in creation order. With display_name in that index (migration 015) the filter is
// tested on index entries: the count beside a page reads no table row, and the page reads only the
// rows it returns. In a database far larger than SQLite's page cache each table page costs a system call.
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseFilter } from '../../src/scim/filter.js'
import type { Store } from '../../src/store/database.js'
import { userFilter } from '../../src/store/filter-sql.js'
import { createPlatform } from '../../src/store/platforms.js'
import { insertUser, listUsers } from '../../src/store/users.js'
import { createTestStore } from '../helpers/db.js'

let store: Store

beforeAll(async () => {
  store = await createTestStore('sqlite')
})
afterAll(async () => {
  await store.close()
})

it('filters a displayName list on the index and reads from the table only the rows of the page', async () => {
  const platform = await createPlatform(store.db, 'P')
  const other = await createPlatform(store.db, 'Q')
  for (let i = 0; i < 60; i++) {
    await insertUser(store.db, platform.id, { userName: `u${i}@example.com`, displayName: `Joy Young ${i}` })
    await insertUser(store.db, other.id, { userName: `u${i}@example.com`, displayName: `Joy Young ${i}` })
  }
  await sql`analyze`.execute(store.db)

  const seen: CompiledQuery[] = []
  const spy = {
    db: store.db,
    read: <R>(q: CompiledQuery<R>) => {
      seen.push(q)
      return store.read(q)
    },
  } as Store
  const where = userFilter(parseFilter('displayName co "3"'), 'sqlite')
  const page = await listUsers(spy, platform.id, { where, offset: 0, limit: 5 })
  // 3, 13, 23, 30 to 39, 43 and 53 match: 15 in this platform, of which the page holds five.
  expect(page.total).toBe(15)
  expect(page.rows).toHaveLength(5)
  for (const row of page.rows) expect(row.display_name).toContain('3')

  const [pageQuery, countQuery] = seen
  const explain = async (prefix: string, q: CompiledQuery) =>
    (
      await store.db.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(`${prefix} ${q.sql}`, [...q.parameters]),
      )
    ).rows
  const countPlan = (await explain('explain query plan', countQuery!)).map((r) => r.detail)
  expect(countPlan).toEqual([
    expect.stringMatching(/SEARCH users USING COVERING INDEX users_created \(platform_id=\?\)/),
  ])
  const pagePlan = (await explain('explain query plan', pageQuery!)).map((r) => r.detail)
  expect(pagePlan).toEqual([
    expect.stringMatching(/SEARCH users USING INDEX users_created \(platform_id=\?\)/),
  ])
  // The page's program tests the filter before it seeks the table row (DeferredSeek: the seek happens
  // only when a column outside the index is read, i.e. for a row that matched).
  const opcodes = (await explain('explain', pageQuery!)).map((r) => r.opcode)
  const deferred = opcodes.indexOf('DeferredSeek')
  expect(deferred).toBeGreaterThan(-1)
  expect(opcodes.indexOf('Function', deferred)).toBeGreaterThan(deferred)
})
