// Microsoft Entra ID's Users traffic (ENTRA.md "Test Connection and matching" and "Users"), replayed
// literally, asserting what Entra would notice.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  CORE_USER,
  CUSTOM_USER,
  createUser,
  EMPTY_LIST,
  ENTERPRISE,
  enterprise,
  entraUser,
  expectError,
  expectScimJson,
  filterUsers,
  getUser,
  LIST_RESPONSE,
  PUBLIC_BASE,
  patch,
  patchUser,
  plainUser,
  unique,
  userRow,
} from './fixtures.js'

const email = (prefix = 'Test_User') => `${unique(prefix)}@testuser.com`

/**
 * The manager as every read returns it: Entra reads `value` (an object, never a bare string); `$ref`
 * is the manager's location (RFC 7643 §4.3), which Entra ignores.
 */
const managerOf = (id: string) => ({ value: id, $ref: `${PUBLIC_BASE}/Users/${id}` })

describe.each(dialects)('Entra ID Users conformance on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  describe('Test Connection and matching', () => {
    it('Test Connection: a filter on a random GUID answers the exact empty ListResponse', async () => {
      const res = await t.scim('GET', `/Users?filter=userName eq "${randomUUID()}"`.replace(/ /g, '%20'))
      expect(res.statusCode).toBe(200)
      expectScimJson(res)
      expect(res.json()).toEqual(EMPTY_LIST)
    })

    it('Test Connection with + for spaces answers the same empty ListResponse', async () => {
      const res = await t.scim('GET', `/Users?filter=userName+eq+%22${randomUUID()}%22`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(EMPTY_LIST)
    })

    it('matching on userName finds the user in any case (so Entra PATCHes instead of re-POSTing)', async () => {
      const userName = email('Match.Case')
      const created = await createUser(t, entraUser(userName))
      for (const variant of [userName, userName.toLowerCase(), userName.toUpperCase()]) {
        const res = await filterUsers(t, `userName eq "${variant}"`)
        expect(res.statusCode).toBe(200)
        const body = res.json()
        expect(body.totalResults, variant).toBe(1)
        expect(body.Resources[0].id).toBe(created.id)
        expect(body.Resources[0].userName).toBe(userName)
      }
    })

    it('POST of an existing userName in another case is 409 uniqueness, and the filter finds the holder', async () => {
      const userName = email('Dup')
      const first = await createUser(t, entraUser(userName))
      const again = await t.scim('POST', '/Users', entraUser(userName.toUpperCase()))
      expectError(again, 409, 'uniqueness')
      const found = (await filterUsers(t, `userName eq "${userName.toUpperCase()}"`)).json()
      expect(found.totalResults).toBe(1)
      expect(found.Resources[0].id).toBe(first.id)
    })

    it('matching on externalId is case-exact', async () => {
      const externalId = unique('Ext-AbC')
      const created = await createUser(t, entraUser(email(), externalId))
      const exact = (await filterUsers(t, `externalId eq "${externalId}"`)).json()
      expect(exact.totalResults).toBe(1)
      expect(exact.Resources[0].id).toBe(created.id)
      expect((await filterUsers(t, `externalId eq "${externalId.toUpperCase()}"`)).json()).toEqual(EMPTY_LIST)
    })

    it('an unquoted filter value (externalId eq jyoung) is read as a string', async () => {
      const externalId = unique('jyoung')
      const created = await createUser(t, entraUser(email(), externalId))
      const res = await filterUsers(t, `externalId eq ${externalId}`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().totalResults).toBe(1)
      expect(res.json().Resources[0].id).toBe(created.id)
    })

    it('emails[type eq "work"].value eq "x" matches the work email only', async () => {
      const work = `${unique('work')}@Contoso.com`
      const home = `${unique('home')}@Contoso.com`
      const created = await createUser(t, {
        ...entraUser(email()),
        emails: [
          { type: 'work', value: work, primary: true },
          { type: 'home', value: home },
        ],
      })
      const res = await filterUsers(t, `emails[type eq "work"].value eq "${work}"`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().totalResults).toBe(1)
      expect(res.json().Resources[0].id).toBe(created.id)
      const other = await filterUsers(t, `emails[type eq "work"].value eq "${home}"`)
      expect(other.statusCode, other.body).toBe(200)
      expect(other.json()).toEqual(EMPTY_LIST)
    })

    it('uniqueness and the filter agree on non-ASCII userNames too', async () => {
      const userName = `${unique('ÄNGSTRÖM.Élodie')}@Contoso.com`
      const created = await createUser(t, entraUser(userName))
      const lower = await filterUsers(t, `userName eq "${userName.toLowerCase()}"`)
      expect(lower.json().totalResults).toBe(1)
      expect(lower.json().Resources[0].id).toBe(created.id)
      expectError(await t.scim('POST', '/Users', entraUser(userName.toLowerCase())), 409, 'uniqueness')
    })

    it('a filter on displayName (caseExact false) is case-insensitive, externalId (caseExact true) is not', async () => {
      const tag = unique('Dn')
      const created = await createUser(t, { ...entraUser(email()), displayName: `Joy ${tag}` })
      const res = await filterUsers(t, `displayName eq "joy ${tag.toLowerCase()}"`)
      expect(res.json().totalResults).toBe(1)
      expect(res.json().Resources[0].id).toBe(created.id)
    })

    it('legacy check id eq <uid> and manager eq <mid>&attributes=id returns only the id', async () => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const report = await createUser(t, {
        ...entraUser(email()),
        [ENTERPRISE]: { manager: { value: manager.id } },
      })
      const res = await t.scim(
        'GET',
        `/Users?filter=id+eq+${report.id}+and+manager+eq+${manager.id}&attributes=id`,
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.totalResults).toBe(1)
      expect(body.Resources[0].id).toBe(report.id)
      expect(body.Resources[0].userName).toBeUndefined()
      expect(body.Resources[0].emails).toBeUndefined()
      const none = await t.scim(
        'GET',
        `/Users?filter=id+eq+${report.id}+and+manager+eq+${report.id}&attributes=id`,
      )
      expect(none.statusCode).toBe(200)
      expect(none.json()).toEqual(EMPTY_LIST)
    })
  })

  describe('create', () => {
    it('POST of the Entra body answers 201 with the stored resource, Location and absolute meta', async () => {
      const userName = email()
      const body = entraUser(userName)
      const res = await t.scim('POST', '/Users', body)
      expect(res.statusCode, res.body).toBe(201)
      expectScimJson(res)
      const user = res.json()
      expect(user.schemas).toEqual(expect.arrayContaining([CORE_USER, ENTERPRISE]))
      expect(typeof user.id).toBe('string')
      expect(user).toMatchObject({
        userName,
        externalId: body.externalId,
        active: true,
        displayName: 'Joy Young',
        emails: [{ primary: true, type: 'work', value: 'jyoung@Contoso.com' }],
        name: { familyName: 'Young', givenName: 'Joy' },
        [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
      })
      expect(user.meta).toMatchObject({
        resourceType: 'User',
        location: `${PUBLIC_BASE}/Users/${user.id}`,
      })
      expect(Number.isNaN(Date.parse(user.meta.created))).toBe(false)
      expect(Number.isNaN(Date.parse(user.meta.lastModified))).toBe(false)
      expect(typeof user.meta.version).toBe('string')
      expect(res.headers.location).toBe(user.meta.location)
      expect(res.headers.etag).toBe(user.meta.version)
    })

    it('GET after POST reads back exactly what was written', async () => {
      const created = await createUser(t, entraUser(email()))
      expect(await getUser(t, created.id)).toEqual(created)
    })

    it('values read back verbatim: no case folding, no reformatting', async () => {
      const userName = `${unique('Mixed.CASE')}@Contoso.COM`
      const created = await createUser(t, {
        ...entraUser(userName),
        displayName: '  Joy  de YOUNG ',
        emails: [{ primary: true, type: 'work', value: 'JYoung@Contoso.COM' }],
        phoneNumbers: [{ type: 'work', value: '+1 (425) 555-0100' }],
        title: 'VP, Sales & Marketing',
      })
      const read = await getUser(t, created.id)
      expect(read.userName).toBe(userName)
      expect(read.displayName).toBe('  Joy  de YOUNG ')
      expect(read.emails).toEqual([{ primary: true, type: 'work', value: 'JYoung@Contoso.COM' }])
      expect(read.phoneNumbers).toEqual([{ type: 'work', value: '+1 (425) 555-0100' }])
      expect(read.title).toBe('VP, Sales & Marketing')
    })

    it('POST with "active":"True", nulls, a misspelt schema URI and a client id still creates', async () => {
      const userName = email()
      const clientId = randomUUID()
      const res = await t.scim('POST', '/Users', {
        schemas: [CORE_USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
        id: clientId,
        userName,
        active: 'True',
        displayName: null,
        title: null,
        name: { givenName: 'Joy', familyName: null },
        emails: [{ type: 'work', value: 'joy@contoso.com', primary: true }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'Ignored' },
        [ENTERPRISE]: { department: null, employeeNumber: '42' },
        meta: { resourceType: 'User' },
        roles: [],
      })
      expect(res.statusCode, res.body).toBe(201)
      const user = res.json()
      expect(user.id).not.toBe(clientId)
      expect(user.active).toBe(true)
      expect(user.displayName ?? null).toBeNull()
      expect(user.title ?? null).toBeNull()
      expect(user.name).toEqual({ givenName: 'Joy' })
      expect(enterprise(user)).toEqual({ employeeNumber: '42' })
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('POST with boolean strings in sub-attributes (primary "True") coerces them', async () => {
      const user = await createUser(t, {
        ...entraUser(email()),
        emails: [{ primary: 'True', type: 'work', value: 'p@contoso.com' }],
      })
      expect(user.emails).toEqual([{ primary: true, type: 'work', value: 'p@contoso.com' }])
    })

    it('POST with "active":"False" creates an inactive user with a boolean active', async () => {
      const user = await createUser(t, { ...entraUser(email()), active: 'False' })
      expect(user.active).toBe(false)
      expect((await getUser(t, user.id)).active).toBe(false)
      expect((await userRow(t, user.id))?.status).toBe('INACTIVE')
    })

    it('POST with "active":"maybe" is 400 invalidValue and creates nothing', async () => {
      const userName = email()
      expectError(
        await t.scim('POST', '/Users', { ...entraUser(userName), active: 'maybe' }),
        400,
        'invalidValue',
      )
      expect((await filterUsers(t, `userName eq "${userName}"`)).json().totalResults).toBe(0)
    })
  })

  describe('PATCH, default dialect', () => {
    it('applies the five Entra default-dialect operations in one request', async () => {
      const user = await createUser(t, entraUser(email()))
      const newName = email('new')
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch(
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y.com' },
          { op: 'Replace', path: 'name.familyName', value: 'Younger' },
          { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Retail' },
          { op: 'Replace', path: 'userName', value: newName },
          { op: 'Replace', path: `${CUSTOM_USER}:platformRole`, value: 'ADMIN' },
        ),
      )
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const read = await getUser(t, user.id)
      expect(res.json()).toEqual(read)
      expect(read.emails).toEqual([{ primary: true, type: 'work', value: 'x@y.com' }])
      expect(read.name).toEqual({ familyName: 'Younger', givenName: 'Joy' })
      expect(enterprise(read)).toEqual({ employeeNumber: '701984', department: 'Retail' })
      expect(read.userName).toBe(newName)
      expect(read[CUSTOM_USER]).toEqual({ platformRole: 'ADMIN' })
      expect(read.schemas).toEqual(expect.arrayContaining([CORE_USER, ENTERPRISE, CUSTOM_USER]))
      expect((await userRow(t, user.id))?.platform_role).toBe('ADMIN')
    })

    it('a filtered replace changes only the matching element of a multi-valued attribute', async () => {
      const user = await createUser(t, {
        ...entraUser(email()),
        emails: [
          { type: 'home', value: 'home@Contoso.com' },
          { primary: true, type: 'work', value: 'work@Contoso.com' },
        ],
        phoneNumbers: [
          { type: 'work', value: '+1 555 0100' },
          { type: 'mobile', value: '+1 555 0199' },
        ],
      })
      const read = await patchUser(
        t,
        user.id,
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new-work@Contoso.com' },
        { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0142' },
      )
      expect(read.emails).toEqual([
        { type: 'home', value: 'home@Contoso.com' },
        { primary: true, type: 'work', value: 'new-work@Contoso.com' },
      ])
      expect(read.phoneNumbers).toEqual([
        { type: 'work', value: '+1 555 0100' },
        { type: 'mobile', value: '+1 555 0142' },
      ])
    })

    it('op names and attribute names are case-insensitive; Add on a single-valued attribute replaces', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(
        t,
        user.id,
        { op: 'REPLACE', path: 'emails[Type eq "work"].Value', value: 'case@y.com' },
        { op: 'add', path: 'DisplayName', value: 'Joy Y.' },
        { op: 'Add', path: 'NAME.GIVENNAME', value: 'Joyce' },
      )
      expect(read.emails).toEqual([{ primary: true, type: 'work', value: 'case@y.com' }])
      expect(read.displayName).toBe('Joy Y.')
      expect(read.name).toEqual({ familyName: 'Young', givenName: 'Joyce' })
    })

    it('replace of emails[type eq "work"].value on a user without a work email creates it', async () => {
      const user = await createUser(t, plainUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'Replace',
        path: 'emails[type eq "work"].value',
        value: 'new@y.com',
      })
      expect(read.emails).toEqual([{ type: 'work', value: 'new@y.com' }])
      expect((await getUser(t, user.id)).emails).toEqual([{ type: 'work', value: 'new@y.com' }])
    })

    it('several ops on addresses[type eq "work"] build one work address', async () => {
      const user = await createUser(t, plainUser(email()))
      await patchUser(
        t,
        user.id,
        { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St\nRedmond, WA' },
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
        { op: 'Replace', path: 'addresses[type eq "work"].region', value: 'WA' },
      )
      const read = await getUser(t, user.id)
      expect(read.addresses).toEqual([
        { type: 'work', formatted: '1 Main St\nRedmond, WA', locality: 'Redmond', region: 'WA' },
      ])
    })

    it('the same filtered ops sent in three separate PATCHes also build one address', async () => {
      const user = await createUser(t, plainUser(email()))
      await patchUser(t, user.id, {
        op: 'Add',
        path: 'addresses[type eq "work"].streetAddress',
        value: '1 Main',
      })
      await patchUser(t, user.id, { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' })
      await patchUser(t, user.id, { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' })
      expect((await getUser(t, user.id)).addresses).toEqual([
        { type: 'work', streetAddress: '1 Main', locality: 'Redmond', postalCode: '98052' },
      ])
    })

    it.each([
      ['""', ''],
      ['null', null],
    ])(
      'replace with %s clears name.givenName, a filtered sub-attribute and an extension attribute',
      async (_n, value) => {
        const user = await createUser(t, entraUser(email()))
        await patchUser(
          t,
          user.id,
          { op: 'Replace', path: 'name.givenName', value },
          { op: 'Replace', path: 'emails[type eq "work"].value', value },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value },
        )
        const read = await getUser(t, user.id)
        expect(read.name).toEqual({ familyName: 'Young' })
        expect((read.emails ?? []).filter((e: any) => e.value !== undefined && e.value !== null)).toEqual([])
        expect(enterprise(read)).toEqual({ employeeNumber: '701984' })
      },
    )

    it('an empty Operations array answers 200 and changes nothing', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch())
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toEqual(user)
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('roles carrying JSON inside the value string are decoded', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'Add',
        path: 'roles',
        value: [
          { value: '{"id":"7a1c7b7e-29c8-4b4a-9b1e-3f3c5c2f1e10","value":"25","displayName":"Role1234"}' },
        ],
      })
      expect(read.roles).toHaveLength(1)
      expect(read.roles[0]).toMatchObject({ value: '25', display: 'Role1234' })
      expect((await getUser(t, user.id)).roles).toEqual(read.roles)
    })
  })

  describe('PATCH, aadOptscim062020 dialect', () => {
    it('a path-less replace whose keys are paths sets each attribute', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('PATCH', `/Users/${user.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          {
            op: 'replace',
            value: {
              displayName: 'Bjfe',
              'name.givenName': 'Kkom',
              'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
              active: false,
            },
          },
        ],
      })
      expect(res.statusCode, res.body).toBe(200)
      const read = await getUser(t, user.id)
      expect(res.json()).toEqual(read)
      expect(read.displayName).toBe('Bjfe')
      expect(read.name).toEqual({ familyName: 'Young', givenName: 'Kkom' })
      expect(enterprise(read)).toEqual({ employeeNumber: 'Aklq', department: 'Tour Operations' })
      expect(read.active).toBe(false)
    })

    it('a path-less replace with nested and extension objects merges their sub-attributes', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'replace',
        value: {
          name: { givenName: 'Nested' },
          [ENTERPRISE]: { department: 'Nested Dept' },
          [CUSTOM_USER]: { platformRole: 'OPERATOR' },
        },
      })
      expect(read.name).toEqual({ familyName: 'Young', givenName: 'Nested' })
      expect(enterprise(read)).toEqual({ employeeNumber: '701984', department: 'Nested Dept' })
      expect(read[CUSTOM_USER]).toEqual({ platformRole: 'OPERATOR' })
      expect(await getUser(t, user.id)).toEqual(read)
    })

    it('a path-less add (lower-case op) of path keys behaves like replace', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'add',
        value: { 'name.familyName': 'Added', title: 'Engineer' },
      })
      expect(read.name).toEqual({ familyName: 'Added', givenName: 'Joy' })
      expect(read.title).toBe('Engineer')
    })

    it('a path-less replace with "" and null values clears those attributes', async () => {
      const user = await createUser(t, { ...entraUser(email()), title: 'Boss' })
      const read = await patchUser(t, user.id, {
        op: 'replace',
        value: { title: '', 'name.givenName': null, [`${ENTERPRISE}:department`]: '' },
      })
      expect(read.title).toBeUndefined()
      expect(read.name).toEqual({ familyName: 'Young' })
      expect(enterprise(read)).toEqual({ employeeNumber: '701984' })
      expect(await getUser(t, user.id)).toEqual(read)
    })

    it('a path-less replace may set the manager by its extension path', async () => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'replace',
        value: { [`${ENTERPRISE}:manager`]: manager.id },
      })
      expect(enterprise(read)?.manager).toEqual(managerOf(manager.id))
    })

    it('both dialects are accepted on the same user without the URL flag', async () => {
      const user = await createUser(t, entraUser(email()))
      await patchUser(t, user.id, { op: 'Replace', path: 'displayName', value: 'Default' })
      await patchUser(t, user.id, { op: 'replace', value: { displayName: 'Flag' } })
      expect((await getUser(t, user.id)).displayName).toBe('Flag')
    })
  })

  describe('deactivation', () => {
    it.each([
      ['PATCH Replace active "False" deactivates', { op: 'Replace', path: 'active', value: 'False' }],
      ['PATCH replace active false deactivates', { op: 'replace', path: 'active', value: false }],
      ['PATCH Add active "False" deactivates', { op: 'Add', path: 'active', value: 'False' }],
      ['PATCH path-less replace {active:false} deactivates', { op: 'replace', value: { active: false } }],
      ['PATCH path-less replace {active:"false"} deactivates', { op: 'replace', value: { active: 'false' } }],
    ])('%s', async (_name, op) => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch(op))
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().active).toBe(false)
      expect((await getUser(t, user.id)).active).toBe(false)
      expect((await userRow(t, user.id))?.status).toBe('INACTIVE')
    })

    it.each([
      ['"True"', 'True'],
      ['"true"', 'true'],
      ['true', true],
    ])('PATCH Replace active %s reactivates', async (_name, value) => {
      const user = await createUser(t, { ...entraUser(email()), active: false })
      const read = await patchUser(t, user.id, { op: 'Replace', path: 'active', value })
      expect(read.active).toBe(true)
      expect((await getUser(t, user.id)).active).toBe(true)
      expect((await userRow(t, user.id))?.status).toBe('ACTIVE')
    })

    it('PATCH Replace active "maybe" is 400 invalidValue and leaves the user unchanged', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'Replace', path: 'active', value: 'maybe' }),
      )
      expectError(res, 400, 'invalidValue')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('an inactive user still reads by id and by filter, and PATCHes to it succeed', async () => {
      const userName = email()
      const user = await createUser(t, entraUser(userName))
      await patchUser(t, user.id, { op: 'Replace', path: 'active', value: 'False' })
      const byId = await getUser(t, user.id)
      expect(byId.active).toBe(false)
      const byFilter = (await filterUsers(t, `userName eq "${userName}"`)).json()
      expect(byFilter.totalResults).toBe(1)
      expect(byFilter.Resources[0]).toEqual(byId)
      const inactive = (await filterUsers(t, `userName eq "${userName}" and active eq false`)).json()
      expect(inactive.totalResults).toBe(1)
      const read = await patchUser(t, user.id, { op: 'Replace', path: 'displayName', value: 'Still here' })
      expect(read.displayName).toBe('Still here')
      expect(read.active).toBe(false)
    })
  })

  describe('manager', () => {
    const managerPath = `${ENTERPRISE}:manager`
    it.each([
      ['a bare id string on the URN path', (id: string) => ({ op: 'Add', path: managerPath, value: id })],
      [
        'a [{$ref,value}] list on the short path',
        (id: string) => ({ op: 'Add', path: 'manager', value: [{ $ref: `../Users/${id}`, value: id }] }),
      ],
      ['a {value} object', (id: string) => ({ op: 'Add', path: managerPath, value: { value: id } })],
      [
        'a dot before the attribute',
        (id: string) => ({ op: 'Add', path: `${ENTERPRISE}.manager`, value: id }),
      ],
      ['Replace with a bare id', (id: string) => ({ op: 'Replace', path: managerPath, value: id })],
    ])('PATCH manager as %s reads back as {"value": id, "$ref"} inside the extension', async (_name, op) => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch(op(manager.id)))
      expect(res.statusCode, res.body).toBe(200)
      expect(enterprise(res.json())?.manager).toEqual(managerOf(manager.id))
      const read = await getUser(t, user.id)
      expect(read[ENTERPRISE]).toEqual({
        employeeNumber: '701984',
        department: 'Tour Operations',
        manager: managerOf(manager.id),
      })
      expect(read.manager).toBeUndefined()
      // Only the id is stored: the reference is derived on every read.
      const stored = (await userRow(t, user.id))?.resource
      const resource = typeof stored === 'string' ? JSON.parse(stored) : stored
      expect(resource[ENTERPRISE].manager).toEqual({ value: manager.id })
    })

    it.each([
      ['Replace with ""', (_id: string) => ({ op: 'Replace', path: managerPath, value: '' })],
      ['Replace with null', (_id: string) => ({ op: 'Replace', path: managerPath, value: null })],
      ['remove manager[value eq id]', (id: string) => ({ op: 'remove', path: `manager[value eq "${id}"]` })],
      ['Remove on the URN path', (_id: string) => ({ op: 'Remove', path: managerPath })],
    ])('PATCH %s removes the manager', async (_name, op) => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, entraUser(email()))
      await patchUser(t, user.id, { op: 'Add', path: managerPath, value: manager.id })
      await patchUser(t, user.id, op(manager.id))
      const read = await getUser(t, user.id)
      expect(enterprise(read)).toEqual({ employeeNumber: '701984', department: 'Tour Operations' })
    })

    it('POST with manager as a bare string reads back as {"value": id, "$ref"}', async () => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, { ...entraUser(email()), [ENTERPRISE]: { manager: manager.id } })
      expect(enterprise(user)).toEqual({ manager: managerOf(manager.id) })
      expect(enterprise(await getUser(t, user.id))).toEqual({ manager: managerOf(manager.id) })
    })

    it("a $ref sent by the client is not kept: the one read back is the manager's location", async () => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, {
        ...entraUser(email()),
        [ENTERPRISE]: { manager: { value: manager.id, $ref: 'https://elsewhere.example/Users/x' } },
      })
      expect(enterprise(user)?.manager).toEqual(managerOf(manager.id))
    })

    it('manager.$ref is returned by default and can be asked for or left out like any sub-attribute', async () => {
      const manager = await createUser(t, entraUser(email('Mgr')))
      const user = await createUser(t, { ...entraUser(email()), [ENTERPRISE]: { manager: manager.id } })
      const only = await t.scim('GET', `/Users/${user.id}?attributes=${ENTERPRISE}:manager.$ref`)
      expect(only.statusCode, only.body).toBe(200)
      expect(enterprise(only.json())).toEqual({ manager: { $ref: `${PUBLIC_BASE}/Users/${manager.id}` } })
      const without = await t.scim('GET', `/Users/${user.id}?excludedAttributes=${ENTERPRISE}:manager.$ref`)
      expect(enterprise(without.json())?.manager).toEqual({ value: manager.id })
      const listed = (await filterUsers(t, `id eq "${user.id}"`)).json()
      expect(enterprise(listed.Resources[0])?.manager).toEqual(managerOf(manager.id))
    })
  })

  describe('delete', () => {
    it('DELETE answers 204 with no body; the user then reads as 404', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('DELETE', `/Users/${user.id}`)
      expect(res.statusCode).toBe(204)
      expect(res.body).toBe('')
      expectError(await t.scim('GET', `/Users/${user.id}`), 404)
      expectError(
        await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'Replace', path: 'active', value: false })),
        404,
      )
      expectError(await t.scim('DELETE', `/Users/${user.id}`), 404)
      expect((await filterUsers(t, `userName eq "${user.userName}"`)).json()).toEqual(EMPTY_LIST)
    })

    it('DELETE removes the user memberships but not the projects', async () => {
      const user = await createUser(t, entraUser(email()))
      const other = await createUser(t, entraUser(email()))
      const projectId = randomUUID()
      const now = new Date().toISOString()
      const name = unique('Project')
      await t.store.db
        .insertInto('projects')
        .values({
          id: projectId,
          platform_id: t.platformId,
          display_name: name,
          display_key: name.toLowerCase(),
          external_id: null,
          project_role: null,
          resource: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: name,
          }),
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .execute()
      for (const id of [user.id, other.id]) {
        await t.store.db
          .insertInto('project_members')
          .values({
            project_id: projectId,
            user_id: id,
            platform_id: t.platformId,
            role: 'Editor',
            created_at: now,
          })
          .execute()
      }
      expect((await getUser(t, user.id)).groups).toEqual([
        expect.objectContaining({ value: projectId, display: name }),
      ])
      expect((await t.scim('DELETE', `/Users/${user.id}`)).statusCode).toBe(204)
      const members = await t.store.db
        .selectFrom('project_members')
        .select('user_id')
        .where('project_id', '=', projectId)
        .execute()
      expect(members).toEqual([{ user_id: other.id }])
      const project = await t.store.db
        .selectFrom('projects')
        .select('id')
        .where('id', '=', projectId)
        .execute()
      expect(project).toHaveLength(1)
    })
  })

  it('a ListResponse of users carries active as a JSON boolean for every resource', async () => {
    const prefix = unique('bool')
    await createUser(t, { ...entraUser(`${prefix}_a@x.com`), active: 'True' })
    await createUser(t, { ...entraUser(`${prefix}_b@x.com`), active: 'False' })
    await createUser(t, plainUser(`${prefix}_c@x.com`, { active: false }))
    const res = await filterUsers(t, `userName sw "${prefix}"`)
    const body = res.json()
    expect(body.schemas).toEqual([LIST_RESPONSE])
    expect(body.totalResults).toBe(3)
    for (const r of body.Resources) expect(typeof r.active, r.userName).toBe('boolean')
  })
})
