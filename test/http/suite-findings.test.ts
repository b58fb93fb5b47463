// Findings of independent SCIM test suites (scim2-tester, scim-sanity, Microsoft's Postman
// collection, Okta's spec test), each asserted as the client running the suite would see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUser,
  entraUser,
  expectError,
  getUser,
  patch,
  patchUser,
  unique,
  userRow,
} from '../conformance/fixtures.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const email = (prefix = 'suite') => `${unique(prefix)}@example.com`

describe.each(dialects)('independent suite findings on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  describe('a PATCH never re-activates a suspended user by unassigning active', () => {
    it.each([
      ['remove active', { op: 'remove', path: 'active' }],
      ['Remove active (Entra casing)', { op: 'Remove', path: 'active' }],
      ['replace active with null', { op: 'replace', path: 'active', value: null }],
      ['replace active with ""', { op: 'Replace', path: 'active', value: '' }],
      ['add active with null', { op: 'add', path: 'active', value: null }],
      ['path-less replace {active: null}', { op: 'replace', value: { active: null } }],
      ['path-less replace {active: ""}', { op: 'replace', value: { active: '' } }],
    ])('%s on a suspended user is 400 mutability and the user stays suspended', async (_name, op) => {
      const user = await createUser(t, { ...entraUser(email()), active: false })
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch(op))
      expectError(res, 400, 'mutability')
      expect(res.json().detail).toContain('"active"')
      expect(res.json().detail).toContain('true or false')
      expect((await getUser(t, user.id)).active).toBe(false)
      expect((await userRow(t, user.id))?.status).toBe('INACTIVE')
    })

    it('remove active on an active user is refused the same way and changes nothing', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'remove', path: 'active' }),
      )
      expectError(res, 400, 'mutability')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('replace active with false and then true still deactivates and re-activates', async () => {
      const user = await createUser(t, entraUser(email()))
      expect((await patchUser(t, user.id, { op: 'replace', path: 'active', value: false })).active).toBe(
        false,
      )
      expect((await patchUser(t, user.id, { op: 'replace', path: 'active', value: true })).active).toBe(true)
    })
  })
})
