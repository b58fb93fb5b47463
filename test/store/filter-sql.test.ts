// Filters and sorts compiled by store/filter-sql.ts and store/sort-sql.ts, run against real rows on
// both dialects: every operator, the RFC case rules, value paths, memberships and IdP forms.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScimError } from '../../src/scim/errors.js'
import { parseFilter } from '../../src/scim/filter.js'
import {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  USER_SCHEMA,
} from '../../src/scim/schemas/index.js'
import { displayKey, emailKey } from '../../src/store/columns.js'
import type { Store } from '../../src/store/database.js'
import { groupFilter, keyMatch, userFilter } from '../../src/store/filter-sql.js'
import { foldText } from '../../src/store/fold.js'
import { groupSort, userSort } from '../../src/store/sort-sql.js'
import { createTestStore, dialects } from '../helpers/db.js'

const ENT = ENTERPRISE_USER_SCHEMA
const PLATFORM = 'p1'

interface UserSeed {
  id: string
  created: string
  role?: 'ADMIN' | 'OPERATOR' | 'MEMBER'
  resource: Record<string, unknown>
}

const users: UserSeed[] = [
  {
    id: 'u1',
    created: '2024-01-01T00:00:00.000Z',
    role: 'ADMIN',
    resource: {
      userName: 'Joy.Young@Contoso.com',
      externalId: 'ext-AAA',
      displayName: 'Joy Young',
      nickName: 'Joy',
      name: { givenName: 'Joy', familyName: 'Young' },
      title: 'Tour Guide',
      active: true,
      emails: [
        { type: 'work', value: 'jyoung@contoso.com', primary: true },
        { type: 'home', value: 'joy@home.org' },
      ],
      addresses: [{ type: 'work', locality: 'Seattle', region: 'WA' }],
      phoneNumbers: [{ type: 'work', value: '+1 555 0100' }],
      [ENT]: { department: 'Tour Operations', employeeNumber: '701984', manager: { value: 'u2' } },
      [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
    },
  },
  {
    id: 'u2',
    created: '2024-06-01T12:00:00.000Z',
    resource: {
      userName: 'bjensen@example.com',
      externalId: 'ext-bbb',
      displayName: 'Barbara Jensen',
      title: 'Manager',
      active: false,
      emails: [{ type: 'work', value: 'bjensen@example.com' }],
      [ENT]: { department: 'Sales' },
    },
  },
  {
    id: 'u3',
    created: '2024-07-15T08:30:00.000Z',
    resource: {
      userName: 'élodie.ÉCOLE@exemple.fr',
      displayName: 'Élodie École',
      name: { givenName: 'Élodie', familyName: 'École' },
      active: true,
      emails: [],
    },
  },
  {
    id: 'u4',
    created: '2024-08-01T00:00:00.000Z',
    resource: {
      userName: '100%_sure@x.com',
      nickName: '',
      active: true,
      emails: [{ type: 'work', value: 'a_b@x.com', primary: false }],
    },
  },
  {
    id: 'u5',
    created: '2025-01-01T00:00:00.000Z',
    role: 'OPERATOR',
    resource: { userName: 'plain@x.com', title: 'manager', [ENT]: { manager: {} } },
  },
  {
    id: 'u6',
    created: '2025-02-01T00:00:00.000Z',
    resource: { userName: 'backslash@x.com', displayName: 'C:\\Temp', title: null, active: true },
  },
  {
    id: 'u7',
    created: '2025-03-01T00:00:00.000Z',
    resource: {
      userName: 'two.emails@y.org',
      active: true,
      emails: [
        { type: 'home', value: 'h@x.org' },
        { type: 'work', value: 'w@y.org', primary: true },
      ],
    },
  },
]

const groups = [
  { id: 'g1', name: 'Sales', externalId: 'gx-1', role: 'Admin' as const, members: ['u1', 'u2'] },
  { id: 'g2', name: 'Engineering', externalId: null, role: null, members: ['u3'] },
  { id: 'g3', name: 'Empty', externalId: null, role: null, members: [] },
  { id: 'g4', name: 'Ünïcode Team', externalId: 'GX-4', role: 'Viewer' as const, members: ['u1'] },
]

async function seed(store: Store, seedUsers = users, seedGroups = groups): Promise<void> {
  const { db } = store
  const at = '2024-01-01T00:00:00.000Z'
  await db
    .insertInto('platforms')
    .values({ id: PLATFORM, name: 'P', default_project_role: null, created_at: at, updated_at: at })
    .execute()
  for (const u of seedUsers) {
    const r = u.resource
    const text = (v: unknown) => (typeof v === 'string' ? v : null)
    await db
      .insertInto('users')
      .values({
        id: u.id,
        platform_id: PLATFORM,
        email: String(r.userName),
        email_key: emailKey(String(r.userName)),
        external_id: text(r.externalId),
        display_name: text(r.displayName),
        first_name: null,
        last_name: null,
        platform_role: u.role ?? 'MEMBER',
        status: r.active === false ? 'INACTIVE' : 'ACTIVE',
        password_hash: null,
        resource: JSON.stringify({ schemas: [USER_SCHEMA], ...r }),
        version: 1,
        created_at: u.created,
        updated_at: u.created.replace(/^2024/, '2025'),
      })
      .execute()
  }
  for (const g of seedGroups) {
    await db
      .insertInto('projects')
      .values({
        id: g.id,
        platform_id: PLATFORM,
        display_name: g.name,
        display_key: displayKey(g.name),
        external_id: g.externalId,
        project_role: g.role,
        resource: JSON.stringify({}),
        version: 1,
        created_at: at,
        updated_at: at,
      })
      .execute()
    for (const userId of g.members) {
      await db
        .insertInto('project_members')
        .values({ project_id: g.id, user_id: userId, platform_id: PLATFORM, role: 'Editor', created_at: at })
        .execute()
    }
  }
}

const ALL_USERS = users.map((u) => u.id)
const except = (...ids: string[]) => ALL_USERS.filter((id) => !ids.includes(id))

const userCases: [string, string[]][] = [
  // userName: case-insensitive through email_key, Unicode included
  ['userName eq "joy.young@contoso.com"', ['u1']],
  ['userName eq "JOY.YOUNG@CONTOSO.COM"', ['u1']],
  ['USERNAME Eq "ÉLODIE.école@EXEMPLE.FR"', ['u3']],
  [`${USER_SCHEMA}:userName eq "plain@x.com"`, ['u5']],
  ['userName eq "6f1c2f3e-0000-4000-8000-000000000000"', []],
  ['userName sw "JOY."', ['u1']],
  ['userName ew "@X.COM"', ['u4', 'u5', 'u6']],
  ['userName co "contoso"', ['u1']],
  ['userName gt "p"', ['u3', 'u5', 'u7']],
  // LIKE metacharacters are literal
  ['userName co "%"', ['u4']],
  ['userName co "_"', ['u4']],
  ['userName sw "100%_"', ['u4']],
  ['displayName co "\\\\"', ['u6']],
  ['displayName eq "c:\\\\temp"', ['u6']],
  // externalId and id are caseExact
  ['externalId eq "ext-AAA"', ['u1']],
  ['externalId eq "EXT-aaa"', []],
  ['externalId eq ext-bbb', ['u2']],
  ['externalId co "AAA"', ['u1']],
  ['externalId co "aaa"', []],
  ['externalId sw "ext-b"', ['u2']],
  ['externalId ew "BBB"', []],
  ['externalId ew "bbb"', ['u2']],
  ['externalId co "%"', []],
  ['externalId pr', ['u1', 'u2']],
  ['id eq "u1"', ['u1']],
  ['id eq "U1"', []],
  // displayName and JSON strings: case-insensitive
  ['displayName co "young"', ['u1']],
  ['displayName sw "BARBARA"', ['u2']],
  ['displayName ew "jensen"', ['u2']],
  ['name.givenName sw "JO"', ['u1']],
  ['name.givenName eq "Élodie"', ['u3']],
  ['name.familyName ew "OUNG"', ['u1']],
  ['title eq "manager"', ['u2', 'u5']],
  ['title gt "m"', ['u1', 'u2', 'u5']],
  ['title lt "n"', ['u2', 'u5']],
  ['title le "MANAGER"', ['u2', 'u5']],
  ['title ge "tour"', ['u1']],
  // pr, null, ne and not on missing values
  ['title pr', ['u1', 'u2', 'u5']],
  ['nickName pr', ['u1']],
  ['not (title pr)', except('u1', 'u2', 'u5')],
  ['title eq null', except('u1', 'u2', 'u5')],
  ['title ne null', ['u1', 'u2', 'u5']],
  ['title ne "Manager"', except('u2', 'u5')],
  ['not (title eq "manager")', except('u2', 'u5')],
  ['displayName ne "Joy Young"', except('u1')],
  // active ⇄ status
  ['active eq false', ['u2']],
  ['active eq true', except('u2')],
  ['active ne true', ['u2']],
  ['active eq "False"', ['u2']],
  ['active pr', ALL_USERS],
  // multi-valued attributes: any element; bare name means .value
  ['emails co "example.com"', ['u2']],
  ['emails.value co "@CONTOSO"', ['u1']],
  ['emails.type eq "work" and emails.value co "@x"', ['u4', 'u7']],
  ['emails[type eq "work" and value co "@x"]', ['u4']],
  ['emails[type eq "work"].value eq "JYOUNG@contoso.com"', ['u1']],
  ['emails[type eq "work"].value eq "h@x.org"', []],
  ['emails[not (type eq "work")]', ['u1', 'u7']],
  ['emails[primary eq true]', ['u1', 'u7']],
  ['emails[type eq "work" and not (primary eq true)]', ['u2', 'u4']],
  ['emails pr', ['u1', 'u2', 'u4', 'u7']],
  ['emails.primary pr', ['u1', 'u4', 'u7']],
  ['emails ne "bjensen@example.com"', except('u2')],
  ['addresses[type eq "work" and locality eq "seattle"]', ['u1']],
  ['addresses.locality sw "Sea"', ['u1']],
  ['phoneNumbers.value co "555"', ['u1']],
  // extensions
  [`${ENT}:department eq "sales"`, ['u2']],
  [`${ENT}:employeeNumber eq "701984"`, ['u1']],
  [`${ENT}:manager.value eq "u2"`, ['u1']],
  [`${ENT}:manager[value eq "u2"]`, ['u1']],
  [`${ENT}:manager pr`, ['u1']],
  ['manager eq "u2"', ['u1']],
  ['id eq "u1" and manager eq "u2"', ['u1']],
  ['id eq "u2" and manager eq "u2"', []],
  [`${CUSTOM_USER_SCHEMA}:platformRole eq "ADMIN"`, ['u1']],
  [`${CUSTOM_USER_SCHEMA}:platformRole eq "admin"`, []],
  ['platformRole ne "MEMBER"', ['u1', 'u5']],
  // dateTime
  ['meta.created eq "2024-01-01T00:00:00Z"', ['u1']],
  ['meta.created gt "2024-07-15T08:30:00Z"', ['u4', 'u5', 'u6', 'u7']],
  ['meta.created ge "2024-07-15T10:30:00+02:00"', ['u3', 'u4', 'u5', 'u6', 'u7']],
  ['meta.created lt "2024-06-01"', ['u1']],
  ['meta.lastModified le "2025-01-01T00:00:00.000Z"', ['u1', 'u5']],
  ['meta.created sw "2025-0"', ['u5', 'u6', 'u7']],
  // precedence: and binds tighter than or
  ['userName eq "bjensen@example.com" or userName eq "plain@x.com" and active eq false', ['u2']],
  ['(userName eq "bjensen@example.com" or userName eq "plain@x.com") and active eq true', ['u5']],
  ['not (active eq true) or title eq "manager"', ['u2', 'u5']],
  ['not (active eq false or title pr)', except('u1', 'u2', 'u5')],
  ['id eq "u1" or id eq "u3" and title pr or id eq "u5"', ['u1', 'u5']],
  // groups: from memberships
  ['groups eq "g1"', ['u1', 'u2']],
  ['groups.value eq "g2"', ['u3']],
  ['groups.display eq "SALES"', ['u1', 'u2']],
  ['groups[display sw "ÜNÏ"]', ['u1']],
  ['groups[value eq "g1" and display eq "Engineering"]', []],
  ['groups pr', ['u1', 'u2', 'u3']],
  ['not (groups pr)', except('u1', 'u2', 'u3')],
]

const groupCases: [string, string[]][] = [
  ['displayName eq "sales"', ['g1']],
  ['displayName eq "SALES"', ['g1']],
  ['displayName eq "ÜNÏCODE TEAM"', ['g4']],
  ['displayName co "team"', ['g4']],
  ['displayName eq "6f1c2f3e-0000-4000-8000-000000000000"', []],
  ['members eq "u1"', ['g1', 'g4']],
  ['members.value eq "u3"', ['g2']],
  ['members[value eq "u3"]', ['g2']],
  ['members eq u2', ['g1']],
  ['id eq "g1" and members eq "u1"', ['g1']],
  ['id eq "g1" and members eq "u3"', []],
  ['members pr', ['g1', 'g2', 'g4']],
  ['not (members pr)', ['g3']],
  ['members ne "u1"', ['g2', 'g3']],
  ['members.display co "JENSEN"', ['g1']],
  ['externalId eq "gx-1"', ['g1']],
  ['externalId eq "gx-4"', []],
  [`${CUSTOM_GROUP_SCHEMA}:projectRole eq "Admin"`, ['g1']],
  ['projectRole pr', ['g1', 'g4']],
  ['meta.lastModified lt "2030-01-01T00:00:00Z"', ['g1', 'g2', 'g3', 'g4']],
]

const invalidUserFilters = [
  'foo eq "x"',
  'password eq "secret"',
  'emails[foo eq "x"]',
  'name eq "x"',
  'meta.version eq "x"',
  'meta eq "x"',
  'title[value eq "x"]',
  'groups.type eq "direct"',
  'active gt true',
  'title eq true',
  'title gt null',
  'meta.created gt "yesterday"',
  'meta.created gt "2024-13-45T00:00:00Z"',
  'meta.created eq 5',
  'urn:ietf:params:scim:schemas:extension:unknown:2.0:User:x eq "y"',
]

for (const dialect of dialects) {
  describe(`filter-sql on ${dialect}`, () => {
    let store: Store & { url: string }

    beforeAll(async () => {
      store = await createTestStore(dialect)
      await seed(store)
    })
    afterAll(async () => {
      await store?.close()
    })

    const userIds = async (filter: string) =>
      (
        await store.db
          .selectFrom('users')
          .select('users.id')
          .where(userFilter(parseFilter(filter), dialect))
          .orderBy('users.id')
          .execute()
      ).map((r) => r.id)

    const groupIds = async (filter: string) =>
      (
        await store.db
          .selectFrom('projects')
          .select('projects.id')
          .where(groupFilter(parseFilter(filter), dialect))
          .orderBy('projects.id')
          .execute()
      ).map((r) => r.id)

    it.each(userCases)('Users?filter=%s', async (filter, expected) => {
      expect(await userIds(filter)).toEqual(expected)
    })

    it.each(groupCases)('Groups?filter=%s', async (filter, expected) => {
      expect(await groupIds(filter)).toEqual(expected)
    })

    it.each(invalidUserFilters)('Users?filter=%s is 400 invalidFilter', (filter) => {
      const error = catchError(() => userFilter(parseFilter(filter), dialect))
      expect(error).toBeInstanceOf(ScimError)
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' })
    })

    it('names the unknown attribute', () => {
      expect(catchError(() => userFilter(parseFilter('foo eq "x"'), dialect))?.message).toBe(
        'Unknown attribute "foo" on User',
      )
      expect(catchError(() => groupFilter(parseFilter('userName eq "x"'), dialect))?.message).toBe(
        'Unknown attribute "userName" on Group',
      )
    })

    it('binds values as parameters, never as SQL text', () => {
      const hostile = `' or 1=1 --`
      const compiled = store.db
        .selectFrom('users')
        .select('id')
        .where(userFilter(parseFilter(`title eq "${hostile}" or emails[value co "${hostile}"]`), dialect))
        .compile()
      expect(compiled.sql).not.toContain('1=1')
      expect(compiled.parameters).toContain(hostile)
    })

    it('works inside joins and subqueries (columns are table-qualified)', async () => {
      const rows = await store.db
        .selectFrom('project_members')
        .innerJoin('users', 'users.id', 'project_members.user_id')
        .innerJoin('projects', 'projects.id', 'project_members.project_id')
        .select(['users.id as user', 'projects.id as project'])
        .where(userFilter(parseFilter('emails[type eq "work"] and groups eq "g1"'), dialect))
        .where(groupFilter(parseFilter('displayName eq "sales"'), dialect))
        .orderBy('users.id')
        .execute()
      expect(rows).toEqual([
        { user: 'u1', project: 'g1' },
        { user: 'u2', project: 'g1' },
      ])
    })

    it('handles a long or-chain', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => `id eq "x${i}"`).join(' or ')
      expect(await userIds(`${ids} or id eq "u3"`)).toEqual(['u3'])
    })

    const sortedUsers = async (sortBy: string, filter = 'id pr', order: 'asc' | 'desc' = 'asc') =>
      (
        await store.db
          .selectFrom('users')
          .select('users.id')
          .where(userFilter(parseFilter(filter), dialect))
          .orderBy(userSort(sortBy, dialect), order)
          .orderBy('users.id')
          .execute()
      ).map((r) => r.id)

    it('sorts by userName case-insensitively', async () => {
      expect(await sortedUsers('userName')).toEqual(['u4', 'u6', 'u2', 'u1', 'u5', 'u7', 'u3'])
    })

    it('sorts by a JSON string case-insensitively and by dateTime', async () => {
      expect(await sortedUsers('title', 'title pr')).toEqual(['u2', 'u5', 'u1'])
      expect(await sortedUsers('meta.created', 'id pr', 'desc')).toEqual([
        'u7',
        'u6',
        'u5',
        'u4',
        'u3',
        'u2',
        'u1',
      ])
      expect(await sortedUsers('name.givenName', 'name.givenName pr')).toEqual(['u1', 'u3'])
    })

    it('sorts a multi-valued attribute by its primary value, else its first', async () => {
      // u1 primary jyoung@…, u2 bjensen@…, u4 a_b@…, u7 primary w@y.org (its first is h@x.org)
      expect(await sortedUsers('emails', 'emails pr')).toEqual(['u4', 'u2', 'u1', 'u7'])
      expect(await sortedUsers('emails.type', 'emails pr')).toEqual(['u1', 'u2', 'u4', 'u7'])
    })

    it('sorts groups by displayName', async () => {
      const rows = await store.db
        .selectFrom('projects')
        .select('id')
        .orderBy(groupSort('displayName', dialect))
        .execute()
      expect(rows.map((r) => r.id)).toEqual(['g3', 'g2', 'g1', 'g4'])
    })

    it.each(['foo', 'groups', 'password', 'name'])('sortBy=%s is 400 invalidValue', (sortBy) => {
      expect(catchError(() => userSort(sortBy, dialect))).toMatchObject({
        status: 400,
        scimType: 'invalidValue',
      })
    })
  })
}

// Case-insensitive comparisons fold Unicode, and fold it alike on both dialects (store/fold.ts): the
// same JavaScript toLowerCase that fills the key columns. SQLite's lower() folds ASCII only; a libc
// lower() on PostgreSQL folds "İ" and a final "Σ" otherwise. Sort expectations use names whose order
// is the same under code-point and linguistic collations, so they hold whatever the database collates.
const unicodeUsers: UserSeed[] = [
  {
    id: 'f1',
    created: '2024-01-01T00:00:00.000Z',
    resource: {
      userName: 'ÅNGSTRÖM@İNCE.example',
      displayName: 'Élodie Martin',
      name: { givenName: 'İlkay', familyName: 'élodie' },
      title: 'Οδυσσευς',
      emails: [{ type: 'Work', value: 'élodie@exemple.fr' }],
    },
  },
  {
    id: 'f2',
    created: '2024-01-02T00:00:00.000Z',
    resource: {
      userName: 'f2@x.com',
      displayName: 'Åsa Öster',
      name: { familyName: 'ÉMILE' },
      title: '50% off',
      emails: [{ type: 'home', value: 'EMILE@X.COM' }],
    },
  },
  {
    id: 'f3',
    created: '2024-01-03T00:00:00.000Z',
    resource: { userName: 'f3@x.com', name: { familyName: 'Éric' }, title: '500 units' },
  },
  {
    id: 'f4',
    created: '2024-01-04T00:00:00.000Z',
    resource: { userName: 'f4@x.com', name: { familyName: 'Abbott' }, title: 'ΣΟΦΟΣ' },
  },
  { id: 'f5', created: '2024-01-05T00:00:00.000Z', resource: { userName: 'f5@x.com' } },
]

const unicodeGroups = [{ id: 'h1', name: 'Équipe ÅRHUS', externalId: null, role: null, members: ['f1'] }]

const unicodeCases: [string, string[]][] = [
  // the two
  ['name.familyName sw "ÉL"', ['f1']],
  ['emails.value co "ÉLODIE"', ['f1']],
  // eq, ne, co, sw, ew on JSON strings
  ['name.familyName eq "ÉLODIE"', ['f1']],
  ['name.familyName eq "émile"', ['f2']],
  ['name.familyName ne "émile"', ['f1', 'f3', 'f4', 'f5']],
  ['name.familyName co "MIL"', ['f2']],
  ['name.familyName ew "ÉRIC"', ['f3']],
  ['name.familyName sw "é"', ['f1', 'f2', 'f3']],
  ['name.givenName sw "İL"', ['f1']],
  ['name.givenName eq "i̇lkay"', ['f1']],
  ['emails[type eq "WORK" and value ew "@EXEMPLE.FR"]', ['f1']],
  ['emails.value eq "emile@x.com"', ['f2']],
  // a final sigma: ΟΔΥΣΣΕΥΣ folds to οδυσσευς, as Οδυσσευς does
  ['title eq "ΟΔΥΣΣΕΥΣ"', ['f1']],
  ['title eq "σοφος"', ['f4']],
  // the displayName column of users
  ['displayName co "ÖSTER"', ['f2']],
  ['displayName sw "élodie m"', ['f1']],
  // gt/ge/lt/le compare folded strings
  ['name.familyName gt "ÉLODIE"', ['f2', 'f3']],
  ['name.familyName ge "ÉLODIE"', ['f1', 'f2', 'f3']],
  ['name.familyName le "ÉMILE"', ['f1', 'f2', 'f4']],
  ['name.familyName lt "b"', ['f4']],
  // LIKE wildcards in the value stay literal after folding
  ['title co "50%"', ['f2']],
  ['title sw "50"', ['f2', 'f3']],
  ['title co "%"', ['f2']],
  // key columns: userName and a Group's displayName, folded in JavaScript when written
  ['userName eq "ångström@i̇nce.example"', ['f1']],
  ['userName sw "ÅNGSTRÖM@"', ['f1']],
  ['userName co "İNCE"', ['f1']],
  ['groups.display sw "équipe å"', ['f1']],
]

for (const dialect of dialects) {
  describe(`Unicode case folding on ${dialect}`, () => {
    let store: Store & { url: string }

    beforeAll(async () => {
      store = await createTestStore(dialect)
      await seed(store, unicodeUsers, unicodeGroups)
    })
    afterAll(async () => {
      await store?.close()
    })

    const userIds = async (filter: string) =>
      (
        await store.db
          .selectFrom('users')
          .select('users.id')
          .where(userFilter(parseFilter(filter), dialect))
          .orderBy('users.id')
          .execute()
      ).map((r) => r.id)

    it.each(unicodeCases)('Users?filter=%s', async (filter, expected) => {
      expect(await userIds(filter)).toEqual(expected)
    })

    it('a Group displayName eq finds the group through its key column in any case', async () => {
      const rows = await store.db
        .selectFrom('projects')
        .select('id')
        .where(groupFilter(parseFilter('displayName eq "ÉQUIPE århus"'), dialect))
        .execute()
      expect(rows.map((r) => r.id)).toEqual(['h1'])
    })

    it('sorts by a JSON string by its fold: élodie, ÉMILE, Éric after Abbott', async () => {
      const ids = await store.db
        .selectFrom('users')
        .select('users.id')
        .where(userFilter(parseFilter('name.familyName pr'), dialect))
        .orderBy(userSort('name.familyName', dialect))
        .execute()
      expect(ids.map((r) => r.id)).toEqual(['f4', 'f1', 'f2', 'f3'])
    })

    it('sorts by displayName by its fold', async () => {
      const ids = await store.db
        .selectFrom('users')
        .select('users.id')
        .where(userFilter(parseFilter('displayName pr'), dialect))
        .orderBy(userSort('displayName', dialect), 'desc')
        .execute()
      // élodie martin > åsa öster (é U+00E9 after å U+00E5; also in linguistic orders: e after a)
      expect(ids.map((r) => r.id)).toEqual(['f1', 'f2'])
    })

    it.each([
      'ÉLODIE',
      'ΟΔΥΣΣΕΥΣ',
      'ΣΑΣ Σ',
      'İstanbul',
      'ẞ',
      'ǅ',
      'Ⅻ',
      'Ａ',
      '𐐀',
      'ÅNGSTRÖM',
      'Mixed ÄÖÜ 50%_\\',
    ])('muster_fold(%s) in SQL equals the JavaScript fold of the key columns', async (text) => {
      const { rows } = await sql<{ folded: string }>`select muster_fold(${text}) as folded`.execute(store.db)
      expect(rows[0]?.folded).toBe(foldText(text))
    })

    it('muster_fold keeps NULL, and folds numbers to their text', async () => {
      const { rows } = await sql<{ n: string | null; five: string }>`
        select muster_fold(null) as n, muster_fold(cast(5 as text)) as five`.execute(store.db)
      expect(rows[0]).toEqual({ n: null, five: '5' })
    })

    it('userName comparisons stay on the key column: no fold in SQL, and eq is a key lookup', () => {
      expect(keyMatch(parseFilter('userName eq "ÅNGSTRÖM@İNCE.example"'), 'User')).toEqual({
        column: 'email_key',
        value: 'ångström@i̇nce.example',
      })
      for (const filter of ['userName eq "A"', 'userName sw "A"', 'userName co "A"', 'userName gt "A"']) {
        const compiled = store.db
          .selectFrom('users')
          .select('id')
          .where(userFilter(parseFilter(filter), dialect))
          .compile()
        expect(compiled.sql, filter).toContain('email_key')
        expect(compiled.sql, filter).not.toContain('muster_fold')
      }
    })

    it('every other case-insensitive comparison goes through muster_fold, never lower()', () => {
      const compiled = store.db
        .selectFrom('users')
        .select('id')
        .where(userFilter(parseFilter('title eq "a" or displayName co "b" or emails.value sw "c"'), dialect))
        .orderBy(userSort('name.familyName', dialect))
        .compile()
      expect(compiled.sql.match(/muster_fold\(/g)?.length).toBe(7)
      expect(compiled.sql).not.toMatch(/\blower\(/)
    })
  })
}

function catchError(fn: () => unknown): ScimError | undefined {
  try {
    fn()
  } catch (e) {
    return e as ScimError
  }
  return undefined
}
