import { describe, expect, it } from 'vitest'
import { ScimError } from './errors.js'
import { parsePath } from './path.js'
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './schemas/index.js'

function scimType(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof ScimError) return e.scimType
    throw e
  }
  return 'no error'
}

describe('parsePath', () => {
  it('parses a simple attribute, case-insensitively', () => {
    const p = parsePath('User', 'USERNAME')
    expect(p.attribute.name).toBe('userName')
    expect(p.subAttribute).toBeUndefined()
    expect(p.filter).toBeUndefined()
  })

  it('parses a sub-attribute path', () => {
    const p = parsePath('User', 'name.familyName')
    expect([p.attribute.name, p.subAttribute?.name]).toEqual(['name', 'familyName'])
  })

  it('parses a value path with a trailing sub-attribute (Entra casing)', () => {
    const p = parsePath('User', 'emails[type eq "work"].Value')
    expect(p.attribute.name).toBe('emails')
    expect(p.subAttribute?.name).toBe('value')
    expect(p.filter).toEqual({ kind: 'compare', attribute: 'type', op: 'eq', value: 'work' })
  })

  it('parses a member value path', () => {
    const p = parsePath('Group', 'members[value eq "2819c223-7f76-453a-919d-413861904646"]')
    expect(p.attribute.name).toBe('members')
    expect(p.filter).toMatchObject({ attribute: 'value', value: '2819c223-7f76-453a-919d-413861904646' })
  })

  it('keeps brackets inside quoted filter values', () => {
    const p = parsePath('User', 'emails[value eq "a]b\\"c"].type')
    expect(p.filter).toMatchObject({ value: 'a]b"c' })
    expect(p.subAttribute?.name).toBe('type')
  })

  it('parses extension paths with colon or Entra dot', () => {
    for (const raw of [`${ENTERPRISE_USER_SCHEMA}:manager`, `${ENTERPRISE_USER_SCHEMA}.manager`, 'manager']) {
      const p = parsePath('User', raw)
      expect(p).toMatchObject({ schema: ENTERPRISE_USER_SCHEMA, extension: true })
      expect(p.attribute.name).toBe('manager')
    }
    expect(parsePath('User', `${ENTERPRISE_USER_SCHEMA}:manager[value eq "m1"]`).filter).toBeDefined()
  })

  it('parses URN-prefixed core paths and RFC examples', () => {
    expect(parsePath('User', `${USER_SCHEMA}:name.givenName`).subAttribute?.name).toBe('givenName')
    const p = parsePath('User', 'addresses[type eq "work" and primary eq true].streetAddress')
    expect(p.filter?.kind).toBe('and')
  })

  it('rejects malformed and unknown paths with invalidPath', () => {
    for (const raw of [
      '',
      'nope',
      'name.nope',
      'emails[type eq "work"',
      'emails[type eq]',
      'emails[type eq "work"].nope',
      'emails[type eq "work"]x',
      'userName[value eq "x"]',
      'emails[nope eq "x"]',
      'emails[value[type eq "x"]]',
      'name.givenName[value eq "x"]',
    ]) {
      expect(
        scimType(() => parsePath('User', raw)),
        raw,
      ).toBe('invalidPath')
    }
  })
})
