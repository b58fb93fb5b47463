import { describe, expect, it } from 'vitest'
import { scimError } from '../../test/helpers/scim-error.js'
import { applyPatch } from './patch.js'
import { CUSTOM_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from './schemas/index.js'
import type { ScimResource } from './schemas/types.js'

const ENT = ENTERPRISE_USER_SCHEMA

const joy = (): ScimResource => ({
  schemas: [USER_SCHEMA, ENT],
  id: 'u1',
  externalId: '0a21f0f2',
  userName: 'jyoung@contoso.com',
  active: true,
  displayName: 'Joy Young',
  name: { familyName: 'Young', givenName: 'Joy' },
  emails: [{ primary: true, type: 'work', value: 'jyoung@Contoso.com' }],
  [ENT]: { employeeNumber: '701984', department: 'Tour Operations' },
  meta: { resourceType: 'User', version: 'W/"1"' },
})

const ops = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations })
const patch = (resource: ScimResource, ...operations: unknown[]) =>
  applyPatch('User', resource, ops(...operations))

describe('applyPatch: body', () => {
  it('an empty Operations array changes nothing', () => {
    const r = patch(joy())
    expect(r).toEqual({ resource: joy(), changed: [], members: [] })
  })

  it('is lenient about a missing schemas member and the casing of Operations', () => {
    const r = applyPatch('User', joy(), { operations: [{ op: 'replace', path: 'title', value: 'CEO' }] })
    expect(r.resource.title).toBe('CEO')
  })

  it('rejects a body without an Operations array with invalidSyntax', () => {
    for (const body of [null, [], 'x', {}, { Operations: {} }, { Operations: 'add' }]) {
      expect(scimError(() => applyPatch('User', joy(), body)).scimType).toBe('invalidSyntax')
    }
  })

  it('rejects unknown ops and non-object operations with invalidSyntax', () => {
    expect(scimError(() => patch(joy(), { op: 'merge', path: 'title', value: 'x' })).scimType).toBe(
      'invalidSyntax',
    )
    expect(scimError(() => patch(joy(), 'add')).scimType).toBe('invalidSyntax')
    expect(scimError(() => patch(joy(), { op: 'add', path: 1, value: 'x' })).scimType).toBe('invalidSyntax')
  })

  it('rejects add and replace without value with invalidValue', () => {
    expect(scimError(() => patch(joy(), { op: 'add', path: 'title' })).scimType).toBe('invalidValue')
    expect(scimError(() => patch(joy(), { op: 'replace', path: 'title' })).scimType).toBe('invalidValue')
  })

  it('limits the number of operations', () => {
    const many = Array.from({ length: 3 }, () => ({ op: 'replace', path: 'title', value: 'x' }))
    const e = scimError(() => applyPatch('User', joy(), ops(...many), { maxOperations: 2 }))
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('limit is 2')
  })

  it('never mutates its input', () => {
    const input = joy()
    patch(
      input,
      { op: 'replace', path: 'name.givenName', value: 'X' },
      { op: 'add', path: 'emails', value: [{ value: 'b@c.d' }] },
      { op: 'remove', path: `${ENT}:department` },
    )
    expect(input).toEqual(joy())
  })

  it('is all or nothing: a bad operation fails the whole PATCH, naming its index', () => {
    const e = scimError(() =>
      patch(
        joy(),
        { op: 'replace', path: 'title', value: 'CEO' },
        { op: 'replace', path: 'nope', value: 'x' },
      ),
    )
    expect(e.scimType).toBe('invalidPath')
    expect(e.message).toMatch(/^Operation 1: /)
  })

  it('reports changed attribute paths, never values', () => {
    const r = patch(
      joy(),
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'secret@x.com' },
      { op: 'Replace', path: 'name.familyName', value: 'Y' },
      { op: 'Add', path: `${ENT}:department`, value: 'Retail' },
      { op: 'replace', value: { active: false, 'name.givenName': 'K' } },
    )
    expect(r.changed).toEqual([
      'emails.value',
      'name.familyName',
      `${ENT}:department`,
      'active',
      'name.givenName',
    ])
    expect(JSON.stringify(r.changed)).not.toContain('secret')
  })
})

describe('applyPatch: Entra default dialect (capitalised ops, one op per attribute)', () => {
  it('replace emails[type eq "work"].value updates the work email', () => {
    const r = patch(joy(), { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y.com' })
    expect(r.resource.emails).toEqual([{ primary: true, type: 'work', value: 'x@y.com' }])
  })

  it('replace name.familyName', () => {
    const r = patch(joy(), { op: 'Replace', path: 'name.familyName', value: 'Young2' })
    expect(r.resource.name).toEqual({ familyName: 'Young2', givenName: 'Joy' })
  })

  it('add urn:…:enterprise:2.0:User:department', () => {
    const r = patch(joy(), { op: 'Add', path: `${ENT}:department`, value: 'Retail' })
    expect(r.resource[ENT]).toEqual({ employeeNumber: '701984', department: 'Retail' })
  })

  it('replace userName', () => {
    expect(patch(joy(), { op: 'Replace', path: 'userName', value: 'new@x.com' }).resource.userName).toBe(
      'new@x.com',
    )
  })

  it('replace platformRole adds the custom extension to schemas', () => {
    const r = patch(joy(), { op: 'Replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: 'ADMIN' })
    expect(r.resource[CUSTOM_USER_SCHEMA]).toEqual({ platformRole: 'ADMIN' })
    expect(r.resource.schemas).toEqual([USER_SCHEMA, ENT, CUSTOM_USER_SCHEMA])
  })

  it('rejects a platformRole outside MEMBER, OPERATOR, ADMIN', () => {
    const e = scimError(() =>
      patch(joy(), { op: 'Replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: 'GOD' }),
    )
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('MEMBER, OPERATOR, ADMIN')
  })

  it('sub-attribute names in value paths are case-insensitive', () => {
    const r = patch(joy(), { op: 'Replace', path: 'emails[type eq "work"].Value', value: 'v@x.com' })
    expect(r.resource.emails).toEqual([{ primary: true, type: 'work', value: 'v@x.com' }])
  })
})

describe('applyPatch: Entra aadOptscim062020 dialect (path-less replace with path keys)', () => {
  it('applies the literal request', () => {
    const r = patch(joy(), {
      op: 'replace',
      value: {
        displayName: 'Bjfe',
        'name.givenName': 'Kkom',
        [`${ENT}:employeeNumber`]: 'Aklq',
        active: false,
      },
    })
    expect(r.resource).toMatchObject({
      displayName: 'Bjfe',
      name: { familyName: 'Young', givenName: 'Kkom' },
      active: false,
      [ENT]: { employeeNumber: 'Aklq', department: 'Tour Operations' },
    })
  })

  it('accepts nested objects, which merge', () => {
    const r = patch(joy(), { op: 'replace', value: { name: { givenName: 'Kkom' } } })
    expect(r.resource.name).toEqual({ familyName: 'Young', givenName: 'Kkom' })
  })

  it('accepts extension objects as keys', () => {
    const r = patch(joy(), {
      op: 'replace',
      value: {
        [ENT]: { department: 'Retail', manager: 'm1' },
        [CUSTOM_USER_SCHEMA]: { platformRole: 'OPERATOR' },
      },
    })
    expect(r.resource[ENT]).toEqual({
      employeeNumber: '701984',
      department: 'Retail',
      manager: { value: 'm1' },
    })
    expect(r.resource[CUSTOM_USER_SCHEMA]).toEqual({ platformRole: 'OPERATOR' })
  })

  it('accepts value-path keys', () => {
    const r = patch(joy(), { op: 'replace', value: { 'emails[type eq "home"].value': 'h@x.com' } })
    expect(r.resource.emails).toEqual([
      { primary: true, type: 'work', value: 'jyoung@Contoso.com' },
      { type: 'home', value: 'h@x.com' },
    ])
  })

  it('ignores unknown keys, schemas and read-only attributes like id and meta', () => {
    const r = patch(joy(), {
      op: 'replace',
      value: { id: 'other', meta: { version: 'x' }, schemas: [], nope: 1, title: 'CEO' },
    })
    expect(r.resource).toEqual({ ...joy(), title: 'CEO' })
  })

  it('rejects a path-less value that is not an object', () => {
    expect(scimError(() => patch(joy(), { op: 'replace', value: 'x' })).scimType).toBe('invalidValue')
  })
})

describe('applyPatch: active', () => {
  const cases: [string, unknown][] = [
    ['replace active "False" deactivates', { op: 'Replace', path: 'active', value: 'False' }],
    ['replace active false deactivates', { op: 'replace', path: 'active', value: false }],
    ['add active "False" deactivates', { op: 'Add', path: 'active', value: 'False' }],
    ['path-less replace {active:false} deactivates (Okta)', { op: 'replace', value: { active: false } }],
    ['path-less replace {active:"False"} deactivates', { op: 'replace', value: { active: 'False' } }],
  ]
  for (const [name, op] of cases) {
    it(name, () => {
      expect(patch(joy(), op).resource.active).toBe(false)
    })
  }

  it('"True", "true" and true re-activate', () => {
    const inactive = { ...joy(), active: false }
    for (const value of ['True', 'true', true]) {
      expect(patch(inactive, { op: 'Replace', path: 'active', value }).resource.active).toBe(true)
    }
  })

  it('any other string for a boolean is invalidValue', () => {
    const e = scimError(() => patch(joy(), { op: 'Replace', path: 'active', value: 'no' }))
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('active')
  })

  it.each([
    ['remove active', { op: 'remove', path: 'active' }],
    ['replace active null', { op: 'replace', path: 'active', value: null }],
    ['replace active ""', { op: 'replace', path: 'active', value: '' }],
    ['path-less replace {active: null}', { op: 'replace', value: { active: null } }],
  ])('%s is mutability: an unassigned active would read as true', (_name, op) => {
    const e = scimError(() => patch({ ...joy(), active: false }, op))
    expect(e.scimType).toBe('mutability')
    expect(e.status).toBe(400)
  })
})

describe('applyPatch: filtered paths upsert (Entra)', () => {
  it('replace emails[type eq "work"].value on a user without a work email creates it', () => {
    const r = patch(
      { schemas: [USER_SCHEMA], userName: 'a' },
      {
        op: 'Replace',
        path: 'emails[type eq "work"].value',
        value: 'w@x.com',
      },
    )
    expect(r.resource.emails).toEqual([{ type: 'work', value: 'w@x.com' }])
  })

  it('several ops on addresses[type eq "work"] build one address', () => {
    const r = patch(
      { schemas: [USER_SCHEMA], userName: 'a' },
      { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St, Springfield' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
      { op: 'Replace', path: 'addresses[type eq "work"].region', value: 'IL' },
    )
    expect(r.resource.addresses).toEqual([
      { type: 'work', formatted: '1 Main St, Springfield', locality: 'Springfield', region: 'IL' },
    ])
  })

  it('answers noTarget only when the filter does not pin an element', () => {
    const e = scimError(() =>
      patch(joy(), { op: 'replace', path: 'emails[value co "zzz"].type', value: 'home' }),
    )
    expect(e.scimType).toBe('noTarget')
  })

  it('replace of a filtered element swaps it, keeping what the filter pins', () => {
    const r = patch(joy(), { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'n@x.com' } })
    expect(r.resource.emails).toEqual([{ type: 'work', value: 'n@x.com' }])
  })

  it('a new primary demotes the previous one (RFC 7643 §2.4)', () => {
    const r = patch(joy(), {
      op: 'add',
      path: 'emails',
      value: [{ value: 'h@x.com', type: 'home', primary: true }],
    })
    expect(r.resource.emails).toEqual([
      { primary: false, type: 'work', value: 'jyoung@Contoso.com' },
      { value: 'h@x.com', type: 'home', primary: true },
    ])
  })
})

describe('applyPatch: clearing with "" or null (Entra)', () => {
  it('replace name.givenName with "" clears it', () => {
    expect(patch(joy(), { op: 'Replace', path: 'name.givenName', value: '' }).resource.name).toEqual({
      familyName: 'Young',
    })
  })

  it('replace name.givenName with null clears it, and an emptied name disappears', () => {
    const r = patch(
      joy(),
      { op: 'replace', path: 'name.givenName', value: null },
      { op: 'replace', path: 'name.familyName', value: '' },
    )
    expect(r.resource.name).toBeUndefined()
  })

  it('replace of a filtered sub-attribute with "" drops the emptied email', () => {
    const r = patch(joy(), { op: 'Replace', path: 'emails[type eq "work"].value', value: '' })
    expect(r.resource.emails).toBeUndefined()
  })

  it('clearing a filtered sub-attribute that does not exist succeeds', () => {
    const r = patch(joy(), { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '' })
    expect(r.resource).toEqual(joy())
  })

  it('replace of an extension attribute with "" or null clears it', () => {
    const r = patch(joy(), { op: 'Replace', path: `${ENT}:department`, value: '' })
    expect(r.resource[ENT]).toEqual({ employeeNumber: '701984' })
    const r2 = patch(r.resource, { op: 'Replace', path: `${ENT}:employeeNumber`, value: null })
    expect(r2.resource[ENT]).toBeUndefined()
    expect(r2.resource.schemas).toEqual([USER_SCHEMA])
  })

  it('path-less keys with "" or null clear too', () => {
    const r = patch(joy(), { op: 'replace', value: { displayName: '', 'name.givenName': null } })
    expect(r.resource.displayName).toBeUndefined()
    expect(r.resource.name).toEqual({ familyName: 'Young' })
  })

  it('clearing userName is invalidValue (required)', () => {
    expect(scimError(() => patch(joy(), { op: 'Replace', path: 'userName', value: '' })).scimType).toBe(
      'invalidValue',
    )
    expect(scimError(() => patch(joy(), { op: 'replace', value: { userName: null } })).scimType).toBe(
      'invalidValue',
    )
  })
})

describe('applyPatch: manager (Entra)', () => {
  const shapes: [string, unknown][] = [
    ['bare string with the full URN', { op: 'Add', path: `${ENT}:manager`, value: 'm1' }],
    [
      'list with $ref and bare path',
      { op: 'Add', path: 'manager', value: [{ $ref: 'https://x/Users/m1', value: 'm1' }] },
    ],
    ['{value} object', { op: 'replace', path: `${ENT}:manager`, value: { value: 'm1' } }],
    ['dot before the attribute', { op: 'Add', path: `${ENT}.manager`, value: 'm1' }],
  ]
  for (const [name, op] of shapes) {
    it(`stores ${name} as {"value": id}`, () => {
      expect((patch(joy(), op).resource[ENT] as Record<string, unknown>).manager).toEqual({ value: 'm1' })
    })
  }

  const withManager = (): ScimResource => ({
    ...joy(),
    [ENT]: { employeeNumber: '1', manager: { value: 'm1' } },
  })
  const removals: [string, unknown][] = [
    ['replace with ""', { op: 'Replace', path: `${ENT}:manager`, value: '' }],
    ['replace with null', { op: 'Replace', path: `${ENT}:manager`, value: null }],
    ['remove manager[value eq "m1"]', { op: 'remove', path: `${ENT}:manager[value eq "m1"]` }],
    ['remove manager', { op: 'Remove', path: 'manager' }],
  ]
  for (const [name, op] of removals) {
    it(`removes the manager by ${name}`, () => {
      expect(patch(withManager(), op).resource[ENT]).toEqual({ employeeNumber: '1' })
    })
  }

  it('remove manager[value eq "other"] leaves the manager alone', () => {
    const r = patch(withManager(), { op: 'remove', path: `${ENT}:manager[value eq "other"]` })
    expect(r.resource[ENT]).toEqual({ employeeNumber: '1', manager: { value: 'm1' } })
  })
})

describe('applyPatch: roles (Entra)', () => {
  it('decodes JSON-encoded role values', () => {
    const r = patch(joy(), {
      op: 'Add',
      path: 'roles',
      value: [{ value: '{"id":"7e5d3f0a","value":"25","displayName":"Role1234"}' }],
    })
    expect(r.resource.roles).toEqual([{ value: '25', display: 'Role1234' }])
  })
})

describe('applyPatch: a path naming a whole extension (Ping Identity SCIM 2 SDK and others)', () => {
  it('replace applies each attribute of the value as with its full path, keeping the others', () => {
    const r = patch(joy(), { op: 'replace', path: ENT, value: { costCenter: 'CC', department: 'D' } })
    expect(r.resource[ENT]).toEqual({ employeeNumber: '701984', costCenter: 'CC', department: 'D' })
    expect(r.changed).toEqual([`${ENT}:costCenter`, `${ENT}:department`])
  })

  it('the SDK spelling with a trailing colon names the same extension', () => {
    const r = patch(joy(), { op: 'add', path: `${ENT}:`, value: { division: 'X' } })
    expect(r.resource[ENT]).toMatchObject({ division: 'X', employeeNumber: '701984' })
  })

  it('remove drops the extension and its URN from schemas; add of null changes nothing', () => {
    const r = patch(joy(), { op: 'remove', path: ENT })
    expect(r.resource[ENT]).toBeUndefined()
    expect(r.resource.schemas).toEqual([USER_SCHEMA])
    expect(patch(joy(), { op: 'add', path: ENT, value: null }).resource).toEqual(joy())
  })

  it('the core schema URN is no such path: invalidPath', () => {
    expect(scimError(() => patch(joy(), { op: 'add', path: USER_SCHEMA, value: {} })).scimType).toBe(
      'invalidPath',
    )
  })
})

describe('applyPatch: RFC 7644 §3.5.2.1 add', () => {
  it('add to a multi-valued attribute appends, skipping existing values', () => {
    const r = patch(joy(), {
      op: 'add',
      path: 'emails',
      value: [
        { value: 'babs@jensen.org', type: 'home' },
        { primary: true, type: 'work', value: 'jyoung@Contoso.com' },
      ],
    })
    expect(r.resource.emails).toEqual([
      { primary: true, type: 'work', value: 'jyoung@Contoso.com' },
      { value: 'babs@jensen.org', type: 'home' },
    ])
  })

  it('add on a single-valued attribute replaces it', () => {
    expect(patch(joy(), { op: 'add', path: 'displayName', value: 'JY' }).resource.displayName).toBe('JY')
  })

  it('path-less add merges a value object and appends to lists', () => {
    const r = patch(joy(), {
      op: 'add',
      value: { emails: [{ value: 'b@j.org', type: 'home' }], nickName: 'Babs', name: { middleName: 'Q' } },
    })
    expect(r.resource.emails).toHaveLength(2)
    expect(r.resource.nickName).toBe('Babs')
    expect(r.resource.name).toEqual({ familyName: 'Young', givenName: 'Joy', middleName: 'Q' })
  })

  it('add of a complex attribute merges sub-attributes', () => {
    const r = patch(joy(), { op: 'add', path: 'name', value: { honorificPrefix: 'Ms.' } })
    expect(r.resource.name).toEqual({ familyName: 'Young', givenName: 'Joy', honorificPrefix: 'Ms.' })
  })

  it('add accepts a single object for a multi-valued attribute', () => {
    const r = patch(joy(), { op: 'add', path: 'phoneNumbers', value: { value: '555', type: 'work' } })
    expect(r.resource.phoneNumbers).toEqual([{ value: '555', type: 'work' }])
  })

  it('add x509Certificates and entitlements', () => {
    const r = patch(joy(), {
      op: 'add',
      value: { x509Certificates: [{ value: 'MIID' }], entitlements: [{ value: 'e' }] },
    })
    expect(r.resource).toMatchObject({
      x509Certificates: [{ value: 'MIID' }],
      entitlements: [{ value: 'e' }],
    })
  })
})

describe('applyPatch: RFC 7644 §3.5.2.2 remove', () => {
  it('remove without path is noTarget', () => {
    expect(scimError(() => patch(joy(), { op: 'remove' })).scimType).toBe('noTarget')
  })

  it('remove with a value filter removes the matching values', () => {
    const two = {
      ...joy(),
      emails: [
        { value: 'a', type: 'work' },
        { value: 'b', type: 'home' },
      ],
    }
    expect(patch(two, { op: 'remove', path: 'emails[type eq "work"]' }).resource.emails).toEqual([
      { value: 'b', type: 'home' },
    ])
  })

  it('remove of a sub-attribute of filtered values', () => {
    const r = patch(joy(), { op: 'remove', path: 'emails[type eq "work"].primary' })
    expect(r.resource.emails).toEqual([{ type: 'work', value: 'jyoung@Contoso.com' }])
  })

  it('remove of a sub-attribute and of a whole attribute', () => {
    const r = patch(joy(), { op: 'remove', path: 'name.givenName' }, { op: 'remove', path: 'emails' })
    expect(r.resource.name).toEqual({ familyName: 'Young' })
    expect(r.resource.emails).toBeUndefined()
  })

  it('remove with a value list removes only those values', () => {
    const two = {
      ...joy(),
      emails: [
        { value: 'a', type: 'work' },
        { value: 'b', type: 'home' },
      ],
    }
    expect(patch(two, { op: 'remove', path: 'emails', value: [{ value: 'a' }] }).resource.emails).toEqual([
      { value: 'b', type: 'home' },
    ])
  })

  it('removing what is not there succeeds', () => {
    const r = patch(
      joy(),
      { op: 'remove', path: 'nickName' },
      { op: 'remove', path: 'emails[type eq "home"]' },
    )
    expect(r.resource).toEqual(joy())
  })

  it('removing userName is invalidValue (required attribute)', () => {
    const e = scimError(() => patch(joy(), { op: 'remove', path: 'userName' }))
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('userName')
  })
})

describe('applyPatch: RFC 7644 §3.5.2.3 replace', () => {
  it('replace of a multi-valued attribute replaces all values', () => {
    const r = patch(joy(), { op: 'replace', path: 'emails', value: [{ value: 'n@x.com', type: 'home' }] })
    expect(r.resource.emails).toEqual([{ value: 'n@x.com', type: 'home' }])
  })

  it('replace of a multi-valued attribute with [] unassigns it', () => {
    expect(patch(joy(), { op: 'replace', path: 'emails', value: [] }).resource.emails).toBeUndefined()
  })

  it('replace of an absent attribute adds it', () => {
    expect(patch(joy(), { op: 'replace', path: 'title', value: 'CEO' }).resource.title).toBe('CEO')
  })

  it('replace keeps values exactly as written', () => {
    const r = patch(joy(), { op: 'replace', path: 'displayName', value: 'jOY  yOUNG ' })
    expect(r.resource.displayName).toBe('jOY  yOUNG ')
  })
})

describe('applyPatch: errors', () => {
  it('readOnly attributes are mutability errors', () => {
    for (const path of ['id', 'meta', 'groups', 'meta.version', `${ENT}:manager.displayName`]) {
      expect(scimError(() => patch(joy(), { op: 'replace', path, value: 'x' })).scimType, path).toBe(
        'mutability',
      )
    }
    expect(scimError(() => patch(joy(), { op: 'remove', path: 'id' })).scimType).toBe('mutability')
  })

  it('unknown and malformed paths are invalidPath', () => {
    for (const path of ['nope', 'name.nope', 'emails[type eq "work"', 'emails[type eq]', 'members']) {
      expect(scimError(() => patch(joy(), { op: 'replace', path, value: 'x' })).scimType, path).toBe(
        'invalidPath',
      )
    }
  })

  it('wrong value types are invalidValue naming the attribute', () => {
    const cases: [string, unknown, string][] = [
      ['displayName', 1, 'displayName'],
      ['name', 'Joy', 'name'],
      ['emails', 'a@b', 'emails'],
      ['name.givenName', { x: 1 }, 'name.givenName'],
      ['emails[type eq "work"].primary', 'maybe', 'emails.primary'],
    ]
    for (const [path, value, named] of cases) {
      const e = scimError(() => patch(joy(), { op: 'replace', path, value }))
      expect(e.scimType, path).toBe('invalidValue')
      expect(e.message).toContain(named)
    }
  })

  it('never throws anything but ScimError on hostile values', () => {
    const body = JSON.parse(
      '{"Operations":[{"op":"replace","value":{"__proto__":{"admin":true},"constructor":1,"name":{"__proto__":{"x":1}}}}]}',
    )
    const r = applyPatch('User', joy(), body)
    expect(Object.getPrototypeOf(r.resource)).toBe(Object.prototype)
    expect(r.resource.name).toEqual({ familyName: 'Young', givenName: 'Joy' })
  })
})
