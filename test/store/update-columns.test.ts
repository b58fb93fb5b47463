// An UPDATE sets only the derived columns whose values change: SQLite rewrites the entry of every index
// with a column in the SET list even when the value is the same, so a PATCH of `title` must not name
// userName's columns. SQLite's `UPDATE OF column` triggers fire exactly when a column is in the SET list.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ScimResource } from '../../src/scim/schemas/types.js'
import type { Store } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import { insertProject, updateProject } from '../../src/store/projects.js'
import { getUser, getUserByEmail, insertUser, updateUser } from '../../src/store/users.js'
import { createTestStore } from '../helpers/db.js'

let store: Store

beforeAll(async () => {
  store = await createTestStore('sqlite')
  await sql`create table written (what text not null)`.execute(store.db)
  for (const [table, column] of [
    ['users', 'email_key'],
    ['users', 'external_id'],
    ['users', 'display_name'],
    ['projects', 'display_key'],
  ])
    await sql
      .raw(`create trigger written_${table}_${column} after update of ${column} on ${table}
            begin insert into written values ('${table}.${column}'); end`)
      .execute(store.db)
})
afterAll(async () => {
  await store.close()
})

const written = async () => {
  const { rows } = await sql<{ what: string }>`delete from written returning what`.execute(store.db)
  return rows.map((r) => r.what).sort()
}

it('a user PATCH of title writes no key column; a new userName writes its key and is found by it', async () => {
  const platform = await createPlatform(store.db, 'P')
  const user = await insertUser(store.db, platform.id, {
    userName: 'Ada@Example.com',
    externalId: 'e1',
    displayName: 'Ada',
  })
  const titled = await updateUser(store.db, user, { ...(user.resource as ScimResource), title: 'Engineer' })
  expect(await written()).toEqual([])
  expect((await getUser(store.db, platform.id, user.id))?.resource).toMatchObject({ title: 'Engineer' })

  await updateUser(store.db, titled, { ...(titled.resource as ScimResource), userName: 'Ada.L@Example.com' })
  expect(await written()).toEqual(['users.email_key'])
  expect((await getUserByEmail(store.db, platform.id, 'ada.l@example.com'))?.id).toBe(user.id)
  expect(await getUserByEmail(store.db, platform.id, 'ada@example.com')).toBeUndefined()
})

it('a group rename writes its key; a change of another attribute does not', async () => {
  const platform = await createPlatform(store.db, 'Q')
  const project = await insertProject(store.db, platform.id, { displayName: 'Team' })
  const described = await updateProject(store.db, project, {
    ...(project.resource as ScimResource),
    externalId: 'x',
  })
  expect(await written()).toEqual([])
  await updateProject(store.db, described, { ...(described.resource as ScimResource), displayName: 'Team 2' })
  expect(await written()).toEqual(['projects.display_key'])
})
