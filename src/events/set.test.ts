import { describe, expect, it } from 'vitest'
import type { Change } from '../domain/change.js'
import type { ProjectRow, UserRow } from '../store/schema.js'
import { toRecord } from './record.js'
import { jtiOf, outboxIdOf, setClaims } from './set.js'
import { eventFilter, parseEventType } from './uris.js'

const PREFIX = 'urn:ietf:params:scim:event:prov:'
const CUSTOM_USER = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'

function user(overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: 'u1',
    platform_id: 'p1',
    email: 'ada@example.com',
    email_key: 'ada@example.com',
    external_id: 'ext-1',
    display_name: 'Ada',
    first_name: 'Ada',
    last_name: 'Lovelace',
    platform_role: 'MEMBER',
    status: 'ACTIVE',
    password_hash: 'scrypt$secret',
    resource: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', CUSTOM_USER],
      userName: 'ada@example.com',
      externalId: 'ext-1',
      active: true,
      [CUSTOM_USER]: { platformRole: 'MEMBER' },
    },
    version: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

function group(overrides: Partial<ProjectRow> = {}): ProjectRow {
  return {
    id: 'g1',
    platform_id: 'p1',
    display_name: 'Sales',
    display_key: 'sales',
    external_id: null,
    project_role: null,
    resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' },
    version: 2,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

const options = {
  issuer: 'https://muster.test',
  audience: 'https://receiver.test',
  scimBase: 'https://muster.test/api/v1/scim/v2',
  txn: 'a'.repeat(32),
  outboxId: 42,
  createdAt: '2026-01-01T00:00:01.500Z',
  now: 1_767_225_602,
}

function claims(change: Change, facts = {}, filter?: readonly string[]) {
  const record = toRecord(change, facts)
  if (!record) throw new Error('no record')
  // Through JSON, as the outbox keeps it.
  return setClaims(JSON.parse(JSON.stringify(record)), { ...options, filter: eventFilter(filter) })
}

describe('SET claims (RFC 8417, RFC 9967)', () => {
  it('a created user: create:full with the resource as SCIM returns it, sub_id in the SCIM format', () => {
    const set = claims({ type: 'User', op: 'create', after: user() })
    expect(set).toMatchObject({
      iss: 'https://muster.test',
      aud: 'https://receiver.test',
      iat: options.now,
      toe: 1_767_225_601.5,
      jti: `${'a'.repeat(32)}-42`,
      txn: 'a'.repeat(32),
      sub_id: { format: 'scim', uri: '/Users/u1', id: 'u1', externalId: 'ext-1' },
    })
    expect(set).not.toHaveProperty('sub')
    const event = set?.events[`${PREFIX}create:full`] as Record<string, any>
    expect(event.version).toBe('W/"1"')
    expect(event.data).toMatchObject({
      id: 'u1',
      userName: 'ada@example.com',
      active: true,
      [CUSTOM_USER]: { platformRole: 'MEMBER' },
      meta: {
        resourceType: 'User',
        location: 'https://muster.test/api/v1/scim/v2/Users/u1',
        version: 'W/"1"',
      },
    })
    expect(event).not.toHaveProperty('attributes')
    expect(event.effectiveRoles).toEqual({ everyProject: null, projects: [] })
  })

  it('never carries the console password hash', () => {
    expect(JSON.stringify(claims({ type: 'User', op: 'create', after: user() }))).not.toContain('scrypt')
  })

  it('a notice stream gets the attribute names instead of the data', () => {
    const before = user()
    const after = user({ display_name: 'Ada L.', version: 2 })
    const set = claims({ type: 'User', op: 'patch', before, after, changed: ['displayName'] }, {}, [
      `${PREFIX}patch:notice`,
    ])
    expect(set?.events).toEqual({
      [`${PREFIX}patch:notice`]: {
        version: 'W/"2"',
        attributes: ['displayName'],
        effectiveRoles: { everyProject: null },
      },
    })
  })

  it('PUT is prov:put, and a deactivation adds prov:deactivate with no payload in the same SET', () => {
    const before = user()
    const after = user({ status: 'INACTIVE', version: 2 })
    const set = claims({ type: 'User', op: 'replace', before, after, changed: ['active'] })
    expect(Object.keys(set?.events ?? {})).toEqual([`${PREFIX}put:full`, `${PREFIX}deactivate`])
    expect(set?.events[`${PREFIX}deactivate`]).toEqual({})
  })

  it('a reactivation adds prov:activate', () => {
    const set = claims({
      type: 'User',
      op: 'patch',
      before: user({ status: 'INACTIVE' }),
      after: user({ version: 2 }),
      changed: ['active'],
    })
    expect(Object.keys(set?.events ?? {})).toEqual([`${PREFIX}patch:full`, `${PREFIX}activate`])
  })

  it('a delete is prov:delete without full/notice and without payload', () => {
    const set = claims({ type: 'User', op: 'delete', before: user() })
    expect(set?.events).toEqual({ [`${PREFIX}delete`]: {} })
    expect(set?.sub_id).toEqual({ format: 'scim', uri: '/Users/u1', id: 'u1', externalId: 'ext-1' })
  })

  it('a change that changed nothing publishes nothing', () => {
    expect(
      toRecord({ type: 'User', op: 'patch', before: user(), after: user(), changed: [] }),
    ).toBeUndefined()
  })

  it('a platform role change states the effective role in every project and in each membership', () => {
    const after = user({ platform_role: 'ADMIN', version: 2 })
    const set = claims(
      { type: 'User', op: 'patch', before: user(), after, changed: [`${CUSTOM_USER}:platformRole`] },
      {
        memberships: [
          { project_id: 'g1', role: 'Viewer' },
          { project_id: 'g2', role: 'Editor' },
        ],
      },
    )
    expect((set!.events[`${PREFIX}patch:full`] as any).effectiveRoles).toEqual({
      everyProject: 'Admin',
      projects: [
        { value: 'g1', role: 'Admin' },
        { value: 'g2', role: 'Admin' },
      ],
    })
  })

  it('a member PATCH names the members added and removed and their effective roles', () => {
    const set = claims(
      {
        type: 'Group',
        op: 'patch',
        before: group({ version: 1 }),
        after: group(),
        changed: [],
        added: ['u1', 'u2'],
        removed: ['u3'],
        memberRole: 'Viewer',
      },
      {
        users: new Map([
          ['u1', { platform_role: 'MEMBER', status: 'ACTIVE' }],
          ['u2', { platform_role: 'OPERATOR', status: 'ACTIVE' }],
          ['u3', { platform_role: 'MEMBER', status: 'ACTIVE' }],
        ]),
      },
    )
    const event = set?.events[`${PREFIX}patch:full`] as Record<string, any>
    expect(set?.sub_id).toMatchObject({ uri: '/Groups/g1' })
    expect(event.membersAdded).toEqual(['u1', 'u2'])
    expect(event.membersRemoved).toEqual(['u3'])
    expect(event.effectiveRoles.members).toEqual([
      { value: 'u1', role: 'Viewer' },
      { value: 'u2', role: 'Editor' },
      { value: 'u3', role: null },
    ])
    // The group as SCIM returns it, without its (possibly 100,000) members.
    expect(event.data).toMatchObject({ id: 'g1', displayName: 'Sales', meta: { resourceType: 'Group' } })
    expect(event.data).not.toHaveProperty('members')
  })

  it('a projectRole change states the role all members now hold and the members it does not apply to', () => {
    const set = claims(
      {
        type: 'Group',
        op: 'patch',
        before: group({ version: 1 }),
        after: group({ project_role: 'Viewer' }),
        changed: ['urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes:projectRole'],
        added: [],
        removed: [],
        allMembersRole: 'Viewer',
      },
      {
        exceptions: [
          { user_id: 'admin', role: 'Viewer', platform_role: 'ADMIN', status: 'ACTIVE' },
          { user_id: 'gone', role: 'Viewer', platform_role: 'MEMBER', status: 'INACTIVE' },
        ],
      },
    )
    expect((set!.events[`${PREFIX}patch:full`] as any).effectiveRoles).toEqual({
      allMembers: 'Viewer',
      members: [
        { value: 'admin', role: 'Admin' },
        { value: 'gone', role: null },
      ],
    })
  })

  it('an admin setting one member role is a group patch naming that member', () => {
    const set = claims(
      { type: 'Member', op: 'role', project: group(), userId: 'u1', before: 'Editor', after: 'Admin' },
      { users: new Map([['u1', { platform_role: 'MEMBER', status: 'ACTIVE' }]]) },
    )
    expect((set!.events[`${PREFIX}patch:full`] as any).effectiveRoles).toEqual({
      members: [{ value: 'u1', role: 'Admin' }],
    })
  })

  it("a stream's filter keeps only the events it asked for, and none: no SET", () => {
    const change: Change = {
      type: 'User',
      op: 'patch',
      before: user(),
      after: user({ status: 'INACTIVE', version: 2 }),
      changed: ['active'],
    }
    expect(Object.keys(claims(change, {}, [`${PREFIX}deactivate`])?.events ?? {})).toEqual([
      `${PREFIX}deactivate`,
    ])
    expect(claims(change, {}, [`${PREFIX}create:full`])).toBeUndefined()
  })

  it('jti names its outbox row, and nothing else parses as one', () => {
    expect(outboxIdOf(jtiOf('b'.repeat(32), 7))).toBe(7)
    expect(outboxIdOf('7')).toBeUndefined()
    expect(outboxIdOf(`${'b'.repeat(32)}-x`)).toBeUndefined()
  })
})

describe('event types', () => {
  it('accepts the RFC 9967 URIs and short forms, and nothing else', () => {
    expect(parseEventType('urn:ietf:params:scim:event:prov:create:full')).toBe(`${PREFIX}create:full`)
    expect(parseEventType('prov:patch:notice')).toBe(`${PREFIX}patch:notice`)
    expect(parseEventType('put')).toBe(`${PREFIX}put:full`)
    expect(parseEventType('delete')).toBe(`${PREFIX}delete`)
    expect(parseEventType('delete:full')).toBeUndefined()
    expect(parseEventType('prov:explode')).toBeUndefined()
  })
})
