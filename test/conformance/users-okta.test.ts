// Okta's Users lifecycle (ENTRA.md "Okta"): create with a password, list, match, PUT the whole user,
// deactivate and reactivate with a path-less PATCH. Okta never deletes users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  CORE_USER,
  createUser,
  EMPTY_LIST,
  expectScimJson,
  filterUsers,
  getUser,
  LIST_RESPONSE,
  oktaUser,
  PATCH_OP,
  unique,
  userRow,
} from './fixtures.js'

const email = () => `${unique('okta')}@example.com`
const password = () => `Pw-${unique('secret')}-t0p!`

describe.each(dialects)('Okta Users conformance on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  it('POST of the Okta body answers 201 with the user and without the password', async () => {
    const userName = email()
    const secret = password()
    const body = oktaUser(userName, secret)
    const res = await t.scim('POST', '/Users', body)
    expect(res.statusCode, res.body).toBe(201)
    expectScimJson(res)
    const user = res.json()
    expect(user).toMatchObject({
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: body.externalId,
      active: true,
    })
    expect(user.password).toBeUndefined()
    expect(res.body).not.toContain(secret)
    expect(res.headers.location).toBe(user.meta.location)
  })

  it('the password is never returned, not even when asked for, and never stored in clear', async () => {
    const secret = password()
    const user = await createUser(t, oktaUser(email(), secret))
    for (const path of [`/Users/${user.id}`, `/Users/${user.id}?attributes=password,userName`]) {
      const res = await t.scim('GET', path)
      expect(res.statusCode).toBe(200)
      expect(res.body, path).not.toContain(secret)
      expect(res.json().password, path).toBeUndefined()
    }
    const listed = await filterUsers(t, `userName eq "${user.userName}"`, '&attributes=password')
    expect(listed.body).not.toContain(secret)
    const rows = await t.store.db.selectFrom('users').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(secret)
    const events = await t.store.db.selectFrom('events').selectAll().execute()
    expect(JSON.stringify(events)).not.toContain(secret)
  })

  it('GET /Users?startIndex=1&count=100 lists users with a true totalResults', async () => {
    const created = await createUser(t, oktaUser(email(), password()))
    const res = await t.scim('GET', '/Users?startIndex=1&count=100')
    expect(res.statusCode).toBe(200)
    expectScimJson(res)
    const body = res.json()
    expect(body.schemas).toEqual([LIST_RESPONSE])
    expect(body.startIndex).toBe(1)
    expect(body.itemsPerPage).toBe(body.Resources.length)
    const total = await t.store.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('platform_id', '=', t.platformId)
      .executeTakeFirstOrThrow()
    expect(body.totalResults).toBe(Number(total.n))
    expect(body.Resources.map((r: any) => r.id)).toContain(created.id)
  })

  it('filter=userName eq "…" finds the user, and an unknown userName gives an empty list', async () => {
    const user = await createUser(t, oktaUser(email(), password()))
    const res = await t.scim(
      'GET',
      `/Users?filter=userName%20eq%20%22${encodeURIComponent(user.userName)}%22`,
    )
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.totalResults).toBe(1)
    expect(body.Resources).toEqual([user])
    const none = await t.scim('GET', `/Users?filter=userName%20eq%20%22nobody-${unique()}%40example.com%22`)
    expect(none.json()).toEqual(EMPTY_LIST)
  })

  it('PUT carrying the whole user replaces it: new values set, omitted ones gone', async () => {
    const secret = password()
    const user = await createUser(t, { ...oktaUser(email(), secret), title: 'Intern', nickName: 'Tess' })
    const renamed = email()
    const res = await t.scim('PUT', `/Users/${user.id}`, {
      schemas: [CORE_USER],
      id: user.id,
      userName: renamed,
      name: { givenName: 'Tessa', familyName: 'User-Smith' },
      emails: [{ primary: true, value: renamed, type: 'work' }],
      displayName: 'Tessa User-Smith',
      locale: 'en-GB',
      externalId: user.externalId,
      groups: [],
      password: secret,
      active: true,
      title: 'Engineer',
    })
    expect(res.statusCode, res.body).toBe(200)
    expectScimJson(res)
    const read = await getUser(t, user.id)
    expect(res.json()).toEqual(read)
    expect(read).toMatchObject({
      id: user.id,
      userName: renamed,
      name: { givenName: 'Tessa', familyName: 'User-Smith' },
      emails: [{ primary: true, value: renamed, type: 'work' }],
      displayName: 'Tessa User-Smith',
      locale: 'en-GB',
      title: 'Engineer',
      active: true,
    })
    expect(read.nickName).toBeUndefined()
    expect(read.password).toBeUndefined()
    expect(read.meta.created).toBe(user.meta.created)
    expect(read.meta.version).not.toBe(user.meta.version)
    expect(JSON.stringify(await userRow(t, user.id))).not.toContain(secret)
  })

  it('PATCH {"op":"replace","value":{"active":false}} deactivates; the user stays readable', async () => {
    const user = await createUser(t, oktaUser(email(), password()))
    const res = await t.scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().active).toBe(false)
    const read = await getUser(t, user.id)
    expect(read.active).toBe(false)
    expect(read.userName).toBe(user.userName)
    expect((await userRow(t, user.id))?.status).toBe('INACTIVE')
    const found = (await filterUsers(t, `userName eq "${user.userName}"`)).json()
    expect(found.Resources[0].active).toBe(false)
  })

  it('PATCH {"op":"replace","value":{"active":true}} reactivates', async () => {
    const user = await createUser(t, oktaUser(email(), password()))
    const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }
    const reactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }
    expect((await t.scim('PATCH', `/Users/${user.id}`, deactivate)).statusCode).toBe(200)
    const res = await t.scim('PATCH', `/Users/${user.id}`, reactivate)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().active).toBe(true)
    expect((await getUser(t, user.id)).active).toBe(true)
    expect((await userRow(t, user.id))?.status).toBe('ACTIVE')
  })

  it('PUT with active false deactivates and PUT with active true reactivates', async () => {
    const body = oktaUser(email(), password())
    const user = await createUser(t, body)
    const off = await t.scim('PUT', `/Users/${user.id}`, { ...body, id: user.id, active: false })
    expect(off.statusCode, off.body).toBe(200)
    expect(off.json().active).toBe(false)
    const on = await t.scim('PUT', `/Users/${user.id}`, { ...body, id: user.id, active: true })
    expect(on.json().active).toBe(true)
  })

  it('the full lifecycle: create, list, match, update, deactivate, reactivate', async () => {
    const userName = email()
    const body = oktaUser(userName, password())
    const created = await createUser(t, body)
    const page = (await t.scim('GET', '/Users?startIndex=1&count=100')).json()
    expect(page.Resources.some((r: any) => r.id === created.id)).toBe(true)
    const match = (await filterUsers(t, `userName eq "${userName}"`)).json()
    expect(match.Resources.map((r: any) => r.id)).toEqual([created.id])
    const put = await t.scim('PUT', `/Users/${created.id}`, {
      ...body,
      id: created.id,
      displayName: 'Renamed',
    })
    expect(put.json().displayName).toBe('Renamed')
    for (const active of [false, true]) {
      const res = await t.scim('PATCH', `/Users/${created.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active } }],
      })
      expect(res.statusCode, res.body).toBe(200)
      expect((await getUser(t, created.id)).active).toBe(active)
    }
    expect((await getUser(t, created.id)).displayName).toBe('Renamed')
  })
})
