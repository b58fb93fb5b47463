// The platform role a user has is on every read of it: MEMBER when the IdP never sent one (the
// Activepieces guide: "By default the platform role will be set to Member"), and a rejected change
// leaves the role as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CORE_USER,
  CUSTOM_USER,
  createUser,
  ENTERPRISE,
  entraUser,
  expectError,
  filterUsers,
  getUser,
  patch,
  patchUser,
  plainUser,
  SEARCH_REQUEST,
  unique,
} from '../conformance/fixtures.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const ROLE_PATH = `${CUSTOM_USER}:platformRole`
const email = () => `${unique('role')}@example.com`

/** The user reads as having `role`, with the extension's URN listed in `schemas`. */
function expectRole(resource: Record<string, any>, role: string) {
  expect(resource[CUSTOM_USER]).toEqual({ platformRole: role })
  expect(resource.schemas).toContain(CUSTOM_USER)
}

describe.each(dialects)('the platform role on every read, on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  it('a user created without the extension reads as MEMBER in the POST response and on GET', async () => {
    const created = await createUser(t, plainUser(email()))
    expectRole(created, 'MEMBER')
    expect(created.schemas).toEqual([CORE_USER, CUSTOM_USER])
    expectRole(await getUser(t, created.id), 'MEMBER')
  })

  it("Entra's create body (enterprise extension, no role) reads back with both extensions", async () => {
    const created = await createUser(t, entraUser(email()))
    expect(created.schemas).toEqual([CORE_USER, ENTERPRISE, CUSTOM_USER])
    expectRole(created, 'MEMBER')
    expect(created[ENTERPRISE]).toEqual({ employeeNumber: '701984', department: 'Tour Operations' })
  })

  it('lists, filters and both .search forms show MEMBER too', async () => {
    const userName = email()
    const { id } = await createUser(t, plainUser(userName))
    const byName = await filterUsers(t, `userName eq "${userName}"`)
    expectRole(byName.json().Resources[0], 'MEMBER')
    const byRole = await filterUsers(t, `userName eq "${userName}" and ${ROLE_PATH} eq "MEMBER"`)
    expect(byRole.json().Resources.map((r: any) => r.id)).toEqual([id])
    const search = { schemas: [SEARCH_REQUEST], filter: `id eq "${id}"` }
    expectRole((await t.scim('POST', '/Users/.search', search)).json().Resources[0], 'MEMBER')
    expectRole((await t.scim('POST', '/.search', search)).json().Resources[0], 'MEMBER')
  })

  it('PATCH and PUT responses of a user without the extension show MEMBER', async () => {
    const userName = email()
    const { id } = await createUser(t, plainUser(userName))
    expectRole(await patchUser(t, id, { op: 'replace', path: 'title', value: 'Pilot' }), 'MEMBER')
    const put = await t.scim('PUT', `/Users/${id}`, plainUser(userName, { title: 'Captain' }))
    expect(put.statusCode).toBe(200)
    expectRole(put.json(), 'MEMBER')
  })

  it('a role the IdP sets replaces the default, and removing it goes back to MEMBER', async () => {
    const { id } = await createUser(t, plainUser(email()))
    expectRole(await patchUser(t, id, { op: 'Replace', path: ROLE_PATH, value: 'OPERATOR' }), 'OPERATOR')
    expectRole(await getUser(t, id), 'OPERATOR')
    expectRole(await patchUser(t, id, { op: 'remove', path: ROLE_PATH }), 'MEMBER')
  })

  it('the default is projected like any attribute: asked for, it is there; not asked for, it is not', async () => {
    const { id } = await createUser(t, plainUser(email()))
    const only = await t.scim('GET', `/Users/${id}?attributes=${encodeURIComponent(ROLE_PATH)}`)
    expect(only.json()[CUSTOM_USER]).toEqual({ platformRole: 'MEMBER' })
    const other = await t.scim('GET', `/Users/${id}?attributes=userName`)
    expect(other.json()[CUSTOM_USER]).toBeUndefined()
  })

  it('reading a MEMBER twice gives the same body and ETag: nothing looks changed to an IdP', async () => {
    const { id } = await createUser(t, plainUser(email()))
    const first = await t.scim('GET', `/Users/${id}`)
    const second = await t.scim('GET', `/Users/${id}`)
    expect(second.json()).toEqual(first.json())
    expect(second.headers.etag).toBe(first.headers.etag)
  })

  it('a rejected platformRole change leaves the stored role, and the read-back shows it', async () => {
    const { id } = await createUser(t, plainUser(email(), { [CUSTOM_USER]: { platformRole: 'OPERATOR' } }))
    for (const op of [
      { op: 'Replace', path: ROLE_PATH, value: 'GOD' },
      { op: 'replace', value: { [ROLE_PATH]: 'admin' } },
      { op: 'add', path: ROLE_PATH, value: 42 },
    ]) {
      expectError(await t.scim('PATCH', `/Users/${id}`, patch(op)), 400, 'invalidValue')
      expectRole(await getUser(t, id), 'OPERATOR')
    }
    const member = await createUser(t, plainUser(email()))
    const put = await t.scim(
      'PUT',
      `/Users/${member.id}`,
      plainUser(member.userName, { [CUSTOM_USER]: { platformRole: 'ROOT' } }),
    )
    expectError(put, 400, 'invalidValue')
    expectRole(await getUser(t, member.id), 'MEMBER')
  })

  it('a POST with an invalid platformRole creates nobody', async () => {
    const userName = email()
    const res = await t.scim(
      'POST',
      '/Users',
      plainUser(userName, { [CUSTOM_USER]: { platformRole: 'Owner' } }),
    )
    expectError(res, 400, 'invalidValue')
    expect((await filterUsers(t, `userName eq "${userName}"`)).json().totalResults).toBe(0)
  })
})
