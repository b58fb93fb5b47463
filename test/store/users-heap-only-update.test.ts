// PostgreSQL: users' pages keep 10% free (migration 014), so a PATCH that changes no indexed column
// writes the new row version into the row's own page (a heap-only tuple): no index gets an entry and
// the WAL carries one page. With full pages the row would move to another page and every one of the
// table's indexes would get a new entry.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ScimResource } from '../../src/scim/schemas/types.js'
import type { Store } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import { getUser, insertUser, updateUser } from '../../src/store/users.js'
import { createTestStore } from '../helpers/db.js'

let store: Store

beforeAll(async () => {
  store = await createTestStore('postgres')
})
afterAll(async () => {
  await store.close()
})

const pageOf = async (id: string) => {
  const { rows } = await sql<{ ctid: string }>`select ctid::text from users where id = ${id}`.execute(
    store.db,
  )
  return Number(/^\((\d+),/.exec(rows[0]!.ctid)![1])
}

it('a PATCH of an attribute without a column keeps the user on its page, on pages filled by inserts', async () => {
  const platform = await createPlatform(store.db, 'P')
  const users = []
  // Users of about the size Entra provisions (a kilobyte), enough to fill several pages.
  for (let i = 0; i < 60; i++)
    users.push(
      await insertUser(store.db, platform.id, {
        userName: `u${i}@example.com`,
        displayName: `User ${i}`,
        name: { formatted: `${'Formatted name '.repeat(40)}${i}` },
      }),
    )
  const pages = await Promise.all(users.map((u) => pageOf(u.id)))
  const last = Math.max(...pages)
  expect(last).toBeGreaterThan(3)
  // One user of each page that inserts filled (every page but the last), as PATCHes to many platforms
  // land: each on a page that no update has touched.
  const firstOfPage = users.filter((_, i) => pages[i]! < last && pages.indexOf(pages[i]!) === i)
  expect(firstOfPage.length).toBe(last)
  for (const user of firstOfPage) {
    const before = await pageOf(user.id)
    const titled = await updateUser(store.db, user, { ...(user.resource as ScimResource), title: 'Engineer' })
    expect(await pageOf(user.id)).toBe(before)
    expect(titled.version).toBe(user.version + 1)
    expect((await getUser(store.db, platform.id, user.id))?.resource).toMatchObject({ title: 'Engineer' })
  }
})
