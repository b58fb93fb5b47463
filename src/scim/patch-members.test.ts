import { describe, expect, it } from 'vitest'
import { scimError } from '../../test/helpers/scim-error.js'
import { applyPatch } from './patch.js'
import { CUSTOM_GROUP_SCHEMA, GROUP_SCHEMA, PATCH_SCHEMA } from './schemas/index.js'
import type { ScimResource } from './schemas/types.js'

const sales = (): ScimResource => ({
  schemas: [GROUP_SCHEMA],
  id: 'g1',
  externalId: '8aa1',
  displayName: 'Sales',
})
const patch = (...Operations: unknown[]) =>
  applyPatch('Group', sales(), { schemas: [PATCH_SCHEMA], Operations })

describe('applyPatch (Group): members as deltas', () => {
  it('add members with $ref null and without type (Entra)', () => {
    const r = patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2' }] })
    expect(r.members).toEqual([{ kind: 'add', ids: ['u1', 'u2'] }])
    expect(r.resource).toEqual(sales())
    expect(r.changed).toEqual(['members'])
  })

  it('remove members with a value list removes only those (Entra default dialect)', () => {
    const r = patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] })
    expect(r.members).toEqual([{ kind: 'remove', ids: ['u1'] }])
  })

  it('remove members[value eq "id"] removes that one (Entra flag dialect)', () => {
    const r = patch({ op: 'remove', path: 'members[value eq "u1"]' })
    expect(r.members).toEqual([{ kind: 'remove', ids: ['u1'] }])
  })

  it('remove members[value eq "a" or value eq "b"] removes both', () => {
    expect(patch({ op: 'remove', path: 'members[value eq "a" or value eq "b"]' }).members).toEqual([
      { kind: 'remove', ids: ['a', 'b'] },
    ])
  })

  it('remove members without value or filter empties the group (RFC)', () => {
    expect(patch({ op: 'remove', path: 'members' }).members).toEqual([{ kind: 'removeAll' }])
  })

  it('replace members with a list or [] replaces them (Okta group push)', () => {
    expect(patch({ op: 'replace', path: 'members', value: [{ value: 'u1' }] }).members).toEqual([
      { kind: 'replace', ids: ['u1'] },
    ])
    expect(patch({ op: 'replace', path: 'members', value: [] }).members).toEqual([
      { kind: 'replace', ids: [] },
    ])
  })

  it('path-less replace with id, displayName and members (Okta)', () => {
    const r = patch({
      op: 'replace',
      value: { id: 'g1', displayName: 'Sales EMEA', members: [{ value: 'u3' }] },
    })
    expect(r.resource).toEqual({ ...sales(), displayName: 'Sales EMEA' })
    expect(r.members).toEqual([{ kind: 'replace', ids: ['u3'] }])
  })

  it('path-less replace without members leaves members alone', () => {
    const r = patch({ op: 'replace', value: { displayName: 'Renamed' } })
    expect(r.resource.displayName).toBe('Renamed')
    expect(r.members).toEqual([])
    expect(r.changed).toEqual(['displayName'])
  })

  it('keeps member deltas in request order, next to other operations', () => {
    const r = patch(
      { op: 'Replace', path: 'displayName', value: 'New' },
      { op: 'Add', path: 'members', value: [{ value: 'u1' }] },
      { op: 'Remove', path: 'members', value: [{ value: 'u2' }] },
      { op: 'remove', path: 'members' },
      { op: 'Add', path: 'externalId', value: 'ext-2' },
    )
    expect(r.members).toEqual([
      { kind: 'add', ids: ['u1'] },
      { kind: 'remove', ids: ['u2'] },
      { kind: 'removeAll' },
    ])
    expect(r.resource).toEqual({ ...sales(), displayName: 'New', externalId: 'ext-2' })
  })

  it('rename by replace displayName and path-less replace', () => {
    expect(patch({ op: 'Replace', path: 'displayName', value: 'A' }).resource.displayName).toBe('A')
    expect(patch({ op: 'replace', value: { displayName: 'B' } }).resource.displayName).toBe('B')
  })

  it('sets the per-group project role through the custom extension', () => {
    const r = patch({ op: 'add', path: `${CUSTOM_GROUP_SCHEMA}:projectRole`, value: 'Viewer' })
    expect(r.resource[CUSTOM_GROUP_SCHEMA]).toEqual({ projectRole: 'Viewer' })
    expect(r.resource.schemas).toEqual([GROUP_SCHEMA, CUSTOM_GROUP_SCHEMA])
    expect(scimError(() => patch({ op: 'add', path: 'projectRole', value: 'Owner' })).scimType).toBe(
      'invalidValue',
    )
  })

  it('member values must be strings', () => {
    for (const value of [[{ value: 1 }], [{}], ['u1'], 'u1', [{ value: null }]]) {
      expect(scimError(() => patch({ op: 'add', path: 'members', value })).scimType).toBe('invalidValue')
    }
  })

  it('limits members per operation', () => {
    const body = { Operations: [{ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }] }
    const e = scimError(() => applyPatch('Group', sales(), body, { maxMembersPerOp: 1 }))
    expect(e.scimType).toBe('invalidValue')
    expect(e.message).toContain('limit is 1')
  })

  it('rejects member filters other than value eq, and filtered add', () => {
    expect(scimError(() => patch({ op: 'remove', path: 'members[display co "x"]' })).scimType).toBe(
      'invalidPath',
    )
    expect(
      scimError(() => patch({ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'b' }] })).scimType,
    ).toBe('invalidPath')
  })

  it('an empty remove value list removes no one', () => {
    expect(patch({ op: 'remove', path: 'members', value: [] }).members).toEqual([])
  })

  it('displayName cannot be removed or emptied', () => {
    expect(scimError(() => patch({ op: 'remove', path: 'displayName' })).scimType).toBe('invalidValue')
    expect(scimError(() => patch({ op: 'replace', path: 'displayName', value: '' })).scimType).toBe(
      'invalidValue',
    )
  })
})
