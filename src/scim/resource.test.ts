import { describe, expect, it } from 'vitest'
import { scimError } from '../../test/helpers/scim-error.js'
import { ScimError } from './errors.js'
import { normalizeResource, readMembers } from './resource.js'
import {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
} from './schemas/index.js'

describe('normalizeResource (User)', () => {
  it('accepts the Entra POST body literally', () => {
    const body = JSON.parse(
      '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com","active":true,"displayName":"Joy Young","emails":[{"primary":true,"type":"work","value":"jyoung@Contoso.com"}],"meta":{"resourceType":"User"},"name":{"familyName":"Young","givenName":"Joy"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},"roles":[]}',
    )
    expect(normalizeResource('User', body)).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com',
      active: true,
      displayName: 'Joy Young',
      emails: [{ primary: true, type: 'work', value: 'jyoung@Contoso.com' }],
      name: { familyName: 'Young', givenName: 'Joy' },
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', department: 'Tour Operations' },
      roles: [],
    })
  })

  it('canonicalises attribute, sub-attribute and URN names', () => {
    const out = normalizeResource('User', {
      USERNAME: 'a@b.c',
      NAME: { GivenName: 'Joy' },
      Emails: [{ VALUE: 'a@b.c', Type: 'work' }],
      [ENTERPRISE_USER_SCHEMA.toUpperCase()]: { DEPARTMENT: 'Retail' },
    })
    expect(out).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'a@b.c',
      name: { givenName: 'Joy' },
      emails: [{ value: 'a@b.c', type: 'work' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Retail' },
    })
  })

  it('accepts URN-prefixed attribute keys at the top level', () => {
    const out = normalizeResource('User', {
      userName: 'a',
      [`${CUSTOM_USER_SCHEMA}:platformRole`]: 'ADMIN',
      [`${USER_SCHEMA}:title`]: 'Boss',
    })
    expect(out).toEqual({
      schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
      userName: 'a',
      [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
      title: 'Boss',
    })
  })

  it('ignores unknown attributes, misspelt schema URIs, read-only attributes and nulls', () => {
    const out = normalizeResource('User', {
      schemas: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'x' },
      id: 'client-id',
      meta: { resourceType: 'User' },
      groups: [{ value: 'g1' }],
      userName: 'a',
      nickName: null,
      department: 'bare extension names are not top-level attributes',
      'name.givenName': 'not RFC',
      favouriteColour: 'blue',
      name: { givenName: null, familyName: 'Young', nope: 1 },
    })
    expect(out).toEqual({ schemas: [USER_SCHEMA], userName: 'a', name: { familyName: 'Young' } })
  })

  it('coerces "True" and "false" to booleans', () => {
    expect(normalizeResource('User', { userName: 'a', active: 'True' }).active).toBe(true)
    expect(normalizeResource('User', { userName: 'a', active: 'false' }).active).toBe(false)
    expect(normalizeResource('User', { userName: 'a', active: 'FALSE' }).active).toBe(false)
  })

  it('rejects any other string for a boolean, naming the attribute', () => {
    const e = scimError(() => normalizeResource('User', { userName: 'a', active: 'yes' }))
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' })
    expect(e.message).toContain('active')
    const sub = scimError(() => normalizeResource('User', { userName: 'a', emails: [{ primary: 'maybe' }] }))
    expect(sub.message).toContain('emails.primary')
  })

  it('rejects wrong types with invalidValue naming the path', () => {
    const cases: [unknown, string][] = [
      [{ userName: 'a', displayName: { x: 1 } }, 'displayName'],
      [{ userName: 'a', displayName: 42 }, 'displayName'],
      [{ userName: 'a', title: ['x'] }, 'title'],
      [{ userName: 'a', name: 'Joy' }, 'name'],
      [{ userName: 'a', emails: 'a@b.c' }, 'emails'],
      [{ userName: 'a', emails: [{ value: 1 }] }, 'emails.value'],
      [{ userName: 'a', name: { givenName: { x: 1 } } }, 'name.givenName'],
      [{ userName: 'a', [ENTERPRISE_USER_SCHEMA]: 'Retail' }, ENTERPRISE_USER_SCHEMA],
      [
        { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { department: 3 } },
        `${ENTERPRISE_USER_SCHEMA}:department`,
      ],
    ]
    for (const [body, path] of cases) {
      const e = scimError(() => normalizeResource('User', body))
      expect(e.scimType).toBe('invalidValue')
      expect(e.message).toContain(path)
    }
  })

  it('enforces platformRole values, listing the accepted ones', () => {
    const e = scimError(() =>
      normalizeResource('User', { userName: 'a', [CUSTOM_USER_SCHEMA]: { platformRole: 'ROOT' } }),
    )
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('MEMBER, OPERATOR, ADMIN')
    expect(() =>
      normalizeResource('User', { userName: 'a', [CUSTOM_USER_SCHEMA]: { platformRole: 'admin' } }),
    ).toThrow(ScimError)
  })

  it('does not enforce the suggested emails.type values', () => {
    const out = normalizeResource('User', { userName: 'a', emails: [{ value: 'x', type: 'Corporate' }] })
    expect(out.emails).toEqual([{ value: 'x', type: 'Corporate' }])
  })

  it('requires a non-empty userName', () => {
    expect(scimError(() => normalizeResource('User', {})).message).toContain('userName')
    expect(scimError(() => normalizeResource('User', { userName: '' })).scimType).toBe('invalidValue')
    expect(scimError(() => normalizeResource('User', { userName: null })).scimType).toBe('invalidValue')
  })

  it('rejects a body that is not a JSON object with invalidSyntax', () => {
    for (const body of [null, [], 'x', 1, true, undefined]) {
      expect(scimError(() => normalizeResource('User', body)).scimType).toBe('invalidSyntax')
    }
  })

  it('accepts a single object for a multi-valued attribute', () => {
    const out = normalizeResource('User', { userName: 'a', emails: { value: 'a@b.c' } })
    expect(out.emails).toEqual([{ value: 'a@b.c' }])
  })

  it('reads values back exactly as written', () => {
    const out = normalizeResource('User', { userName: 'MiXeD@Contoso.COM', locale: 'en-US', title: '  x  ' })
    expect(out).toMatchObject({ userName: 'MiXeD@Contoso.COM', locale: 'en-US', title: '  x  ' })
  })

  it('keeps password for the caller to drop', () => {
    expect(normalizeResource('User', { userName: 'a', password: 's3cret' }).password).toBe('s3cret')
  })

  it('turns every Entra manager shape into {value}', () => {
    const shapes = [
      'm1',
      [{ $ref: 'https://x/Users/m1', value: 'm1' }],
      { value: 'm1' },
      { value: 'm1', displayName: 'M' },
    ]
    for (const manager of shapes) {
      const out = normalizeResource('User', { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager } })
      expect(out[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm1' } })
    }
    const cleared = normalizeResource('User', { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager: '' } })
    expect(cleared).toEqual({ schemas: [USER_SCHEMA], userName: 'a' })
  })

  it('decodes Entra roles whose value is a JSON-encoded object', () => {
    const out = normalizeResource('User', {
      userName: 'a',
      roles: [
        { value: '{"id":"7e5d","value":"25","displayName":"Role1234"}' },
        { value: 'plain', primary: true },
      ],
    })
    expect(out.roles).toEqual([
      { value: '25', display: 'Role1234' },
      { value: 'plain', primary: true },
    ])
  })

  it('rejects strings over 64 KiB and arrays over 10,000 elements', () => {
    expect(
      scimError(() => normalizeResource('User', { userName: 'a', title: 'x'.repeat(65 * 1024) })).message,
    ).toContain('title')
    const many = Array.from({ length: 10_001 }, () => ({ value: 'x' }))
    expect(scimError(() => normalizeResource('User', { userName: 'a', emails: many })).message).toContain(
      'emails',
    )
  })

  it('never throws anything but ScimError on hostile keys', () => {
    const body = JSON.parse(
      '{"userName":"a","__proto__":{"admin":true},"constructor":{"x":1},"prototype":1,"name":{"__proto__":{"x":1}},"emails":[{"__proto__":{"value":"x"}}]}',
    )
    const out = normalizeResource('User', body)
    expect(out).toEqual({ schemas: [USER_SCHEMA], userName: 'a', name: {}, emails: [{}] })
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })
})

describe('normalizeResource (Group)', () => {
  it('accepts the Entra POST body and leaves members out', () => {
    const body = {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Sales',
      members: [],
      meta: { resourceType: 'Group' },
    }
    expect(normalizeResource('Group', body)).toEqual({
      schemas: [GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Sales',
    })
  })

  it('requires displayName', () => {
    expect(scimError(() => normalizeResource('Group', { displayName: '' })).message).toContain('displayName')
  })

  it('enforces projectRole values', () => {
    const ok = normalizeResource('Group', {
      displayName: 'G',
      [CUSTOM_GROUP_SCHEMA]: { projectRole: 'Viewer' },
    })
    expect(ok.schemas).toEqual([GROUP_SCHEMA, CUSTOM_GROUP_SCHEMA])
    const e = scimError(() =>
      normalizeResource('Group', { displayName: 'G', [CUSTOM_GROUP_SCHEMA]: { projectRole: 'Owner' } }),
    )
    expect(e.message).toContain('Admin, Editor, Viewer')
  })
})

describe('readMembers', () => {
  it('extracts member ids, ignoring $ref null and missing type', () => {
    expect(
      readMembers({ members: [{ $ref: null, value: 'u1' }, { value: 'u2', type: 'User' }, { value: 'u1' }] }),
    ).toEqual(['u1', 'u2'])
  })

  it('is undefined without members and empty for an empty list', () => {
    expect(readMembers({ displayName: 'G' })).toBeUndefined()
    expect(readMembers({ Members: [] })).toEqual([])
  })

  it('rejects members without a string value', () => {
    for (const members of [[{ value: 1 }], [{}], ['u1'], 'u1', [{ value: '' }]]) {
      expect(scimError(() => readMembers({ members })).scimType).toBe('invalidValue')
    }
  })

  it('limits members per body', () => {
    expect(scimError(() => readMembers({ members: [{ value: 'a' }, { value: 'b' }] }, 1)).message).toContain(
      'limit',
    )
  })
})
