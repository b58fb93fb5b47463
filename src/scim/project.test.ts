import { describe, expect, it } from 'vitest'
import { scimError } from '../../test/helpers/scim-error.js'
import { parseAttributeList, projectResource } from './project.js'
import { CUSTOM_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './schemas/index.js'

const meta = {
  resourceType: 'User',
  created: '2024-01-01T00:00:00Z',
  lastModified: '2024-01-02T00:00:00Z',
  location: 'https://x/Users/1',
  version: 'W/"1"',
}

const user = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, CUSTOM_USER_SCHEMA],
  id: 'u1',
  externalId: 'e1',
  userName: 'joy@x.com',
  password: 'never-returned',
  name: { givenName: 'Joy', familyName: 'Young' },
  emails: [
    { value: 'joy@x.com', type: 'work', primary: true },
    { value: 'joy@home.com', type: 'home' },
  ],
  active: true,
  [ENTERPRISE_USER_SCHEMA]: { department: 'Retail', manager: { value: 'm1' } },
  [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
  meta,
}

describe('parseAttributeList', () => {
  it('splits on commas and trims', () => {
    expect(parseAttributeList(' userName , name.givenName,,')).toEqual(['userName', 'name.givenName'])
  })
  it('is undefined when absent or empty', () => {
    expect(parseAttributeList(undefined)).toBeUndefined()
    expect(parseAttributeList(' , ')).toBeUndefined()
  })

  it.each([
    ['emails[type eq "work"]', 'emails[type eq "work"]'],
    ['userName, emails[type eq "work"].value', 'emails[type eq "work"]'],
    ['members[value eq "a,b"]', 'members[value eq "a,b"]'],
    ['emails]', 'emails]'],
  ])('refuses the value filter in %s with invalidValue naming it and the parameter', (raw, entry) => {
    const e = scimError(() => parseAttributeList(raw, 'excludedAttributes'))
    expect(e.status).toBe(400)
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('excludedAttributes')
    expect(e.message).toContain(JSON.stringify(entry))
  })
})

describe('projectResource', () => {
  it('returns everything but password by default', () => {
    const { password: _, ...expected } = user
    expect(projectResource('User', user)).toEqual(expected)
  })

  it('keeps id and schemas when only userName is asked for', () => {
    expect(projectResource('User', user, { attributes: ['USERNAME'] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      userName: 'joy@x.com',
    })
  })

  it('selects sub-attributes of complex and multi-valued attributes', () => {
    expect(projectResource('User', user, { attributes: ['name.givenName', 'emails.value'] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      name: { givenName: 'Joy' },
      emails: [{ value: 'joy@x.com' }, { value: 'joy@home.com' }],
    })
  })

  it('a whole attribute wins over one of its sub-attributes', () => {
    const out = projectResource('User', user, { attributes: ['name.givenName', 'name'] })
    expect(out.name).toEqual(user.name)
  })

  it('selects extension attributes by URN and whole extensions by bare URN', () => {
    expect(projectResource('User', user, { attributes: [`${ENTERPRISE_USER_SCHEMA}:department`] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Retail' },
    })
    const whole = projectResource('User', user, { attributes: [CUSTOM_USER_SCHEMA.toLowerCase()] })
    expect(whole[CUSTOM_USER_SCHEMA]).toEqual({ platformRole: 'ADMIN' })
    expect(whole[ENTERPRISE_USER_SCHEMA]).toBeUndefined()
  })

  it('never returns password, even when asked', () => {
    expect(projectResource('User', user, { attributes: ['password'] }).password).toBeUndefined()
  })

  it('treats meta as a normal complex attribute', () => {
    expect(projectResource('User', user, { attributes: ['userName'] }).meta).toBeUndefined()
    expect(projectResource('User', user, { attributes: ['meta.version'] }).meta).toEqual({ version: 'W/"1"' })
    expect(projectResource('User', user, { excludedAttributes: ['meta'] }).meta).toBeUndefined()
  })

  it('excludes attributes, sub-attributes and extensions but never id', () => {
    const out = projectResource('User', user, {
      excludedAttributes: [
        'id',
        'emails.type',
        'name',
        ENTERPRISE_USER_SCHEMA,
        `${CUSTOM_USER_SCHEMA}:platformRole`,
      ],
    })
    expect(out.id).toBe('u1')
    expect(out.name).toBeUndefined()
    expect(out.emails).toEqual([{ value: 'joy@x.com', primary: true }, { value: 'joy@home.com' }])
    expect(out[ENTERPRISE_USER_SCHEMA]).toBeUndefined()
    expect(out[CUSTOM_USER_SCHEMA]).toBeUndefined()
    expect(out.userName).toBe('joy@x.com')
  })

  it('excludedAttributes=members hides group members (Entra existence check)', () => {
    const group = {
      schemas: [GROUP_SCHEMA],
      id: 'g1',
      displayName: 'Sales',
      members: [{ value: 'u1' }],
      meta,
    }
    expect(projectResource('Group', group, { excludedAttributes: ['members'] })).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g1',
      displayName: 'Sales',
      meta,
    })
    expect(projectResource('Group', group, { attributes: ['id'] })).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g1',
    })
  })

  it('ignores unknown names and does not mutate its input', () => {
    const copy = structuredClone(user)
    projectResource('User', user, { attributes: ['nope', 'emails.nope'], excludedAttributes: ['zzz'] })
    expect(user).toEqual(copy)
    expect(projectResource('User', user, { attributes: ['nope'] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
    })
  })
})
