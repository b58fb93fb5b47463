import { describe, expect, it } from 'vitest'
import {
  attributePath,
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  enforcesCanonicalValues,
  findSchema,
  GROUP_SCHEMA,
  resolveAttribute,
  resolveExtension,
  resourceType,
  resourceTypes,
  schemas,
  USER_SCHEMA,
} from './index.js'

describe('schema registry', () => {
  it('lists the five schemas and two resource types', () => {
    expect(schemas.map((s) => s.id)).toEqual([
      USER_SCHEMA,
      GROUP_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
      CUSTOM_USER_SCHEMA,
      CUSTOM_GROUP_SCHEMA,
    ])
    expect(resourceTypes.map((r) => r.endpoint)).toEqual(['/Users', '/Groups'])
    expect(resourceType('User').schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: CUSTOM_USER_SCHEMA, required: false },
    ])
    expect(resourceType('Group').schemaExtensions).toEqual([{ schema: CUSTOM_GROUP_SCHEMA, required: false }])
  })

  it('finds schemas case-insensitively', () => {
    expect(findSchema(USER_SCHEMA.toUpperCase())?.name).toBe('User')
    expect(findSchema('urn:nope')).toBeUndefined()
  })

  it('userName is required, case-insensitive and unique per server', () => {
    const { attribute } = resolveAttribute('User', 'USERNAME')!
    expect(attribute).toMatchObject({
      name: 'userName',
      required: true,
      caseExact: false,
      uniqueness: 'server',
    })
  })

  it('password is writeOnly and never returned; groups is readOnly', () => {
    expect(resolveAttribute('User', 'password')!.attribute).toMatchObject({
      mutability: 'writeOnly',
      returned: 'never',
    })
    expect(resolveAttribute('User', 'groups')!.attribute.mutability).toBe('readOnly')
  })

  it('resolves sub-attributes case-insensitively', () => {
    const r = resolveAttribute('User', 'name.GIVENNAME')!
    expect(r.attribute.name).toBe('name')
    expect(r.subAttribute?.name).toBe('givenName')
    expect(attributePath(r)).toBe('name.givenName')
    expect(resolveAttribute('User', 'emails.Value')?.subAttribute?.name).toBe('value')
  })

  it('resolves core names with the core URN prefix', () => {
    const r = resolveAttribute('User', `${USER_SCHEMA}:userName`)!
    expect(r).toMatchObject({ schema: USER_SCHEMA, extension: false })
    expect(r.attribute.name).toBe('userName')
  })

  it('resolves extension attributes by URN, with colon or Entra dot', () => {
    const dept = resolveAttribute('User', `${ENTERPRISE_USER_SCHEMA}:department`)!
    expect(dept).toMatchObject({ schema: ENTERPRISE_USER_SCHEMA, extension: true })
    expect(attributePath(dept)).toBe(`${ENTERPRISE_USER_SCHEMA}:department`)
    const managerValue = resolveAttribute('User', `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:manager.value`)!
    expect(managerValue.subAttribute?.name).toBe('value')
    expect(resolveAttribute('User', `${ENTERPRISE_USER_SCHEMA}.manager`)?.attribute.name).toBe('manager')
  })

  it('falls back to extensions for bare names (Entra path "manager")', () => {
    expect(resolveAttribute('User', 'manager')?.schema).toBe(ENTERPRISE_USER_SCHEMA)
    expect(resolveAttribute('Group', 'projectRole')?.schema).toBe(CUSTOM_GROUP_SCHEMA)
  })

  it('resolves the common attributes as core', () => {
    expect(resolveAttribute('User', 'id')!.attribute).toMatchObject({
      mutability: 'readOnly',
      caseExact: true,
      returned: 'always',
    })
    expect(resolveAttribute('Group', 'externalId')!.attribute.caseExact).toBe(true)
    expect(resolveAttribute('User', 'meta.lastModified')?.subAttribute?.type).toBe('dateTime')
  })

  it('returns undefined for unknown names and wrong schemas', () => {
    expect(resolveAttribute('User', 'nope')).toBeUndefined()
    expect(resolveAttribute('User', 'name.nope')).toBeUndefined()
    expect(resolveAttribute('User', 'userName.x')).toBeUndefined()
    expect(resolveAttribute('User', 'name.givenName.x')).toBeUndefined()
    expect(resolveAttribute('User', `${GROUP_SCHEMA}:displayName`)).toBeUndefined()
    expect(resolveAttribute('Group', 'userName')).toBeUndefined()
    expect(resolveAttribute('User', `${ENTERPRISE_USER_SCHEMA}`)).toBeUndefined()
    expect(
      resolveAttribute('User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department'),
    ).toBe(undefined)
  })

  it('resolves extension URNs exactly, case-insensitively', () => {
    expect(resolveExtension('User', ENTERPRISE_USER_SCHEMA.toUpperCase())?.id).toBe(ENTERPRISE_USER_SCHEMA)
    expect(resolveExtension('User', USER_SCHEMA)).toBeUndefined()
    expect(resolveExtension('Group', ENTERPRISE_USER_SCHEMA)).toBeUndefined()
  })

  it('enforces canonical values only for the platform roles', () => {
    expect(enforcesCanonicalValues(resolveAttribute('User', 'platformRole')!.attribute)).toBe(true)
    expect(enforcesCanonicalValues(resolveAttribute('Group', 'projectRole')!.attribute)).toBe(true)
    expect(enforcesCanonicalValues(resolveAttribute('User', 'emails.type')!.subAttribute!)).toBe(false)
    expect(resolveAttribute('User', 'platformRole')!.attribute.canonicalValues).toEqual([
      'MEMBER',
      'OPERATOR',
      'ADMIN',
    ])
  })

  it('group members.value is immutable', () => {
    expect(resolveAttribute('Group', 'members.value')!.subAttribute!.mutability).toBe('immutable')
  })
})
