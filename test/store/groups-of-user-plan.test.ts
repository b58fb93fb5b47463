// A user's groups are read with every User (GET, a userName lookup, a list page). In a database of many
// platforms the membership and project rows a request needs lie far apart in a file much larger than
// SQLite's page cache, so the query is answered from two covering indexes alone (migration 013).
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Store } from '../../src/store/database.js'
import { addMembers, groupsOfUsers } from '../../src/store/members.js'
import { createPlatform } from '../../src/store/platforms.js'
import { insertProject } from '../../src/store/projects.js'
import { insertUser } from '../../src/store/users.js'
import { createTestStore } from '../helpers/db.js'

let store: Store

beforeAll(async () => {
  store = await createTestStore('sqlite')
})
afterAll(async () => {
  await store.close()
})

it('reads a user’s groups from covering indexes, touching no membership or project row', async () => {
  const platform = await createPlatform(store.db, 'P')
  const users = []
  for (let i = 0; i < 50; i++)
    users.push(await insertUser(store.db, platform.id, { userName: `u${i}@example.com` }))
  for (let g = 0; g < 5; g++) {
    const project = await insertProject(store.db, platform.id, { displayName: `Team ${g}` })
    const target = { projectId: project.id, platformId: platform.id, role: 'Editor' as const }
    await addMembers(
      store.db,
      target,
      users.map((u) => u.id),
    )
  }
  await sql`analyze`.execute(store.db)

  // The statement groupsOfUsers really runs, for one user and for a page of them.
  for (const ids of [[users[0]!.id], users.slice(0, 10).map((u) => u.id)]) {
    const seen: CompiledQuery[] = []
    const read = <R>(q: CompiledQuery<R>) => {
      seen.push(q)
      return store.read(q)
    }
    const spy = { db: store.db, read } as Store
    const groups = await groupsOfUsers(spy, platform.id, ids)
    expect(groups.get(ids[0]!)?.map((g) => g.display)).toEqual([
      'Team 0',
      'Team 1',
      'Team 2',
      'Team 3',
      'Team 4',
    ])
    const [query] = seen
    const plan = await store.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query!.sql}`, [...query!.parameters]),
    )
    const details = plan.rows.map((r) => r.detail)
    expect(details).toContainEqual(
      expect.stringMatching(/project_members USING COVERING INDEX project_members_user/),
    )
    expect(details).toContainEqual(expect.stringMatching(/projects USING COVERING INDEX projects_group_view/))
  }
})
