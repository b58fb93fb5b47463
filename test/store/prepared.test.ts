import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/scim/filter.js'
import type { Store } from '../../src/store/database.js'
import { groupFilter, keyMatch, userFilter } from '../../src/store/filter-sql.js'
import { addMembers, groupsOfUsers } from '../../src/store/members.js'
import { createPlatform } from '../../src/store/platforms.js'
import { prepare } from '../../src/store/prepared.js'
import { insertProject, listProjects } from '../../src/store/projects.js'
import { insertUser, listUsers, readUser } from '../../src/store/users.js'
import { createTestStore, dialects } from '../helpers/db.js'

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

describe.each(dialects)('prepared queries and the read connection on %s', (dialect) => {
  let store: Store
  let platformId: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    store = await createTestStore(dialect)
    platformId = (await createPlatform(store.db, 'P')).id
    const other = (await createPlatform(store.db, 'Other')).id
    for (const [userName, externalId] of [
      ['Ada@Example.com', 'ext-A'],
      ['bob@example.com', 'ext-a'],
      ['carol@example.com', 'ext-A'],
    ] as const) {
      ids[userName] = (
        await insertUser(store.db, platformId, { schemas: [CORE_USER], userName, externalId })
      ).id
    }
    // The same userName in another platform is never found through this one.
    await insertUser(store.db, other, { schemas: [CORE_USER], userName: 'ada@example.com' })
    await insertProject(store.db, platformId, {
      schemas: [CORE_GROUP],
      displayName: 'Sales Team',
      externalId: 'g1',
    })
  })
  afterAll(() => store.close())

  it('binds new values into the compiled shape: same SQL, each call its own values', () => {
    const byEmail = prepare((db, v: { platformId: string; key: string }) =>
      db
        .selectFrom('users')
        .select('id')
        .where('platform_id', '=', v.platformId)
        .where('email_key', '=', v.key),
    )
    const built = store.db
      .selectFrom('users')
      .select('id')
      .where('platform_id', '=', 'p1')
      .where('email_key', '=', 'k1')
      .compile()
    const first = byEmail(store.db, { platformId: 'p1', key: 'k1' })
    const second = byEmail(store.db, { platformId: 'p2', key: 'k2' })
    expect(first.sql).toBe(built.sql)
    expect(first.parameters).toEqual(['p1', 'k1'])
    expect(second.parameters).toEqual(['p2', 'k2'])
    expect(first.parameters).toEqual(['p1', 'k1'])
  })

  // Every filter here has a key match; the prepared read must return what the compiled filter returns.
  const userCases = [
    'userName eq "ADA@example.COM"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@EXAMPLE.com"',
    'USERNAME eq "nobody@example.com"',
    'externalId eq "ext-A"',
    'externalId eq "EXT-A"',
  ]
  it.each(userCases)(
    'Users filter %s: the key lookup returns what the compiled filter returns',
    async (text) => {
      const node = parseFilter(text)
      const key = keyMatch(node, 'User')
      expect(key).toBeDefined()
      for (const [offset, limit] of [
        [0, 100],
        [1, 1],
        [0, 0],
      ] as const) {
        const viaKey = await listUsers(store, platformId, { key, offset, limit })
        const viaFilter = await listUsers(store, platformId, {
          where: userFilter(node, dialect),
          offset,
          limit,
        })
        expect(viaKey).toEqual(viaFilter)
      }
    },
  )

  it('id eq and Group displayName eq take the key lookup and find the same rows', async () => {
    const node = parseFilter(`id eq "${ids['bob@example.com']}"`)
    const viaKey = await listUsers(store, platformId, { key: keyMatch(node, 'User'), offset: 0, limit: 10 })
    expect(viaKey.rows.map((r) => r.email)).toEqual(['bob@example.com'])
    const group = parseFilter('displayName eq "sales TEAM"')
    const options = { offset: 0, limit: 10 }
    const viaGroupKey = await listProjects(store, platformId, { ...options, key: keyMatch(group, 'Group') })
    const viaGroupFilter = await listProjects(store, platformId, {
      ...options,
      where: groupFilter(group, dialect),
    })
    expect(viaGroupKey.rows.map((r) => r.display_name)).toEqual(['Sales Team'])
    expect(viaGroupKey).toEqual(viaGroupFilter)
  })

  it('has no key match for filters that need the general compiler', () => {
    for (const text of [
      'userName ne "a"',
      'userName co "a"',
      'displayName eq "Ada"',
      'emails.value eq "a"',
      'userName eq "a" and active eq true',
      'externalId eq null',
    ]) {
      expect(keyMatch(parseFilter(text), 'User')).toBeUndefined()
    }
  })

  it('reads see every committed write at once and never an uncommitted one', async () => {
    const key = { column: 'email_key' as const, value: 'dora@example.com' }
    let duringTransaction: number | undefined
    await store.transaction(async (trx) => {
      await insertUser(trx, platformId, { schemas: [CORE_USER], userName: 'Dora@example.com' })
      // Outside the transaction (another request), before the commit.
      duringTransaction = (await listUsers(store, platformId, { key, offset: 0, limit: 10 })).total
    })
    expect(duringTransaction).toBe(0)
    expect((await listUsers(store, platformId, { key, offset: 0, limit: 10 })).total).toBe(1)
  })

  it('a filtered read while a transaction is open (SQLite: the query-only connection) folds Unicode too', async () => {
    await insertUser(store.db, platformId, {
      schemas: [CORE_USER],
      userName: 'elodie@example.fr',
      name: { familyName: 'élodie' },
    })
    const where = userFilter(parseFilter('name.familyName sw "ÉL"'), dialect)
    const outside = await listUsers(store, platformId, { where, offset: 0, limit: 10 })
    let inside: number | undefined
    await store.transaction(async () => {
      inside = (await listUsers(store, platformId, { where, offset: 0, limit: 10 })).total
    })
    expect(outside.total).toBe(1)
    expect(inside).toBe(1)
  })
})

describe.each(dialects)('users read with their groups in one statement on %s', (dialect) => {
  let store: Store
  let platformId: string
  let adaId: string
  beforeAll(async () => {
    store = await createTestStore(dialect)
    platformId = (await createPlatform(store.db, 'P')).id
    adaId = (await insertUser(store.db, platformId, { schemas: [CORE_USER], userName: 'ada@example.com' })).id
    await insertUser(store.db, platformId, { schemas: [CORE_USER], userName: 'bob@example.com' })
    for (const name of ['zeta', 'Alpha', 'mid']) {
      const project = await insertProject(store.db, platformId, { schemas: [CORE_GROUP], displayName: name })
      await addMembers(store.db, { projectId: project.id, platformId, role: 'Editor' }, [adaId])
    }
  })
  afterAll(() => store.close())

  it('gives the groups the separate query gives, in display-name order, and [] for none', async () => {
    const separate = (await groupsOfUsers(store, platformId, [adaId])).get(adaId)
    expect(separate?.map((g) => g.display)).toEqual(['Alpha', 'mid', 'zeta'])
    expect((await readUser(store, platformId, adaId, { withGroups: true }))?.groups).toEqual(separate)
    const key = keyMatch(parseFilter('userName eq "ADA@example.com"'), 'User')
    const viaKey = await listUsers(store, platformId, { key, offset: 0, limit: 10 }, { withGroups: true })
    expect(viaKey.rows[0]?.groups).toEqual(separate)
    const all = await listUsers(store, platformId, { offset: 0, limit: 10 }, { withGroups: true })
    // Both users were made in the same millisecond: their order is by random id, so compare by id.
    const counts = Object.fromEntries(all.rows.map((r) => [r.id, r.groups?.length]))
    expect(counts[adaId]).toBe(3)
    expect(Object.values(counts).sort()).toEqual([0, 3])
    expect((await readUser(store, platformId, adaId))?.groups).toBeUndefined()
  })
})
