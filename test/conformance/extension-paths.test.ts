// PATCH paths that name a whole schema extension, replayed as clients send them: the URN alone
// (reported to Apache SCIMple from a client's traffic, directory-scimple#695) and the URN with a
// trailing colon (Ping Identity's SCIM 2 SDK, `Path.root(extension)`). See extensionRootPath in
// src/scim/deviations.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  CUSTOM_USER,
  createUser,
  ENTERPRISE,
  enterprise,
  entraUser,
  expectError,
  getUser,
  PUBLIC_BASE,
  patch,
  patchUser,
  plainUser,
  unique,
  userRow,
} from './fixtures.js'

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const CUSTOM_GROUP = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes'
const email = () => `${unique('ext')}@example.com`

describe.each(dialects)('PATCH paths naming a whole extension on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  describe.each([
    ['the URN alone', ENTERPRISE],
    ['the URN and a colon (Ping Identity SCIM 2 SDK)', `${ENTERPRISE}:`],
    ['the URN in another case', ENTERPRISE.toUpperCase()],
  ])('Users, enterprise extension, path = %s', (_name, path) => {
    it('replace with an object replaces the listed attributes and keeps the others', async () => {
      // The request of directory-scimple#695.
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'replace',
        path,
        value: { costCenter: 'New Cost Center', department: 'New Department' },
      })
      expect(enterprise(read)).toEqual({
        employeeNumber: '701984',
        costCenter: 'New Cost Center',
        department: 'New Department',
      })
      expect(read.schemas).toContain(ENTERPRISE)
      expect(await getUser(t, user.id)).toEqual(read)
    })

    it('add merges the value object: {"department":"x"} sets the department only', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, { op: 'add', path, value: { department: 'x' } })
      expect(enterprise(read)).toEqual({ employeeNumber: '701984', department: 'x' })
    })

    it('add on a user without the extension creates it and lists it in schemas', async () => {
      const user = await createUser(t, plainUser(email()))
      expect(user.schemas).not.toContain(ENTERPRISE)
      const read = await patchUser(t, user.id, { op: 'Add', path, value: { department: 'x' } })
      expect(enterprise(read)).toEqual({ department: 'x' })
      expect(read.schemas).toContain(ENTERPRISE)
    })

    it('each attribute is handled as with its full path: manager as a bare id, "" clears', async () => {
      const manager = await createUser(t, plainUser(email()))
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'replace',
        path,
        value: { manager: manager.id, department: '' },
      })
      expect(enterprise(read)).toEqual({
        employeeNumber: '701984',
        manager: { value: manager.id, $ref: `${PUBLIC_BASE}/Users/${manager.id}` },
      })
    })

    it('remove removes the whole extension', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, { op: 'remove', path })
      expect(enterprise(read)).toBeUndefined()
      expect(read.schemas).not.toContain(ENTERPRISE)
      const stored = (await userRow(t, user.id))?.resource
      expect(JSON.stringify(stored)).not.toContain('701984')
    })

    it('replace with null removes the whole extension too', async () => {
      const user = await createUser(t, entraUser(email()))
      expect(enterprise(await patchUser(t, user.id, { op: 'replace', path, value: null }))).toBeUndefined()
    })

    it('an unknown attribute in the value is 400 invalidPath naming its full path, and nothing changes', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path, value: { department: 'x', shoeSize: 44 } }),
      )
      expectError(res, 400, 'invalidPath')
      expect(res.json().detail).toContain(`${ENTERPRISE}:shoeSize`)
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('a value that is not an object is 400 invalidValue', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path, value: 'Sales' }))
      expectError(res, 400, 'invalidValue')
    })
  })

  describe('Users, platform extension', () => {
    it('replace {"platformRole":"ADMIN"} at the extension path changes the role', async () => {
      const user = await createUser(t, plainUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'replace',
        path: CUSTOM_USER,
        value: { platformRole: 'ADMIN' },
      })
      expect(read[CUSTOM_USER]).toEqual({ platformRole: 'ADMIN' })
      expect((await userRow(t, user.id))?.platform_role).toBe('ADMIN')
    })

    it('remove of the extension makes the user a MEMBER again, and reads say so', async () => {
      const user = await createUser(t, { ...plainUser(email()), [CUSTOM_USER]: { platformRole: 'OPERATOR' } })
      const read = await patchUser(t, user.id, { op: 'remove', path: CUSTOM_USER })
      expect(read[CUSTOM_USER]).toEqual({ platformRole: 'MEMBER' })
      expect((await userRow(t, user.id))?.platform_role).toBe('MEMBER')
    })

    it('an invalid role in the value object is 400 invalidValue, as at the full path', async () => {
      const user = await createUser(t, plainUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: CUSTOM_USER, value: { platformRole: 'OWNER' } }),
      )
      expectError(res, 400, 'invalidValue')
    })
  })

  describe('Groups, CustomGroupAttributes', () => {
    async function group(extra: Record<string, unknown> = {}) {
      const member = await createUser(t, plainUser(email()))
      const res = await t.scim('POST', '/Groups', {
        schemas: [CORE_GROUP],
        displayName: unique('Extension Group'),
        members: [{ value: member.id }],
        ...extra,
      })
      expect(res.statusCode, res.body).toBe(201)
      return { group: res.json(), member: member.id as string }
    }

    const memberRole = async (groupId: string, userId: string) =>
      (
        await t.store.db
          .selectFrom('project_members')
          .select('role')
          .where('project_id', '=', groupId)
          .where('user_id', '=', userId)
          .executeTakeFirst()
      )?.role

    it.each([CUSTOM_GROUP, `${CUSTOM_GROUP}:`])(
      'replace {"projectRole":"Viewer"} at %s sets the role of the group and its members',
      async (path) => {
        const { group: created, member } = await group()
        const res = await t.scim(
          'PATCH',
          `/Groups/${created.id}`,
          patch({ op: 'replace', path, value: { projectRole: 'Viewer' } }),
        )
        expect(res.statusCode, res.body).toBe(204)
        expect(await memberRole(created.id, member)).toBe('Viewer')
        const read = (await t.scim('GET', `/Groups/${created.id}`)).json()
        expect(read[CUSTOM_GROUP]).toEqual({ projectRole: 'Viewer' })
      },
    )

    it('remove of the extension drops the group role: members fall back to the default', async () => {
      const { group: created, member } = await group({
        schemas: [CORE_GROUP, CUSTOM_GROUP],
        [CUSTOM_GROUP]: { projectRole: 'Admin' },
      })
      expect(await memberRole(created.id, member)).toBe('Admin')
      const res = await t.scim('PATCH', `/Groups/${created.id}`, patch({ op: 'remove', path: CUSTOM_GROUP }))
      expect(res.statusCode, res.body).toBe(204)
      expect(await memberRole(created.id, member)).toBe('Editor')
      const read = (await t.scim('GET', `/Groups/${created.id}`)).json()
      expect(read[CUSTOM_GROUP]).toBeUndefined()
      expect(read.schemas).toEqual([CORE_GROUP])
    })

    it('a User extension is no path on a Group: 400 invalidPath', async () => {
      const { group: created } = await group()
      const res = await t.scim(
        'PATCH',
        `/Groups/${created.id}`,
        patch({ op: 'add', path: ENTERPRISE, value: { department: 'x' } }),
      )
      expectError(res, 400, 'invalidPath')
    })
  })
})
