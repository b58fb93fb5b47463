import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { createPlatform } from '../../src/store/platforms.js'
import { type AdminClient, createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ROLE_EXT = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'

describe.each(dialects)('admin API on %s', (dialect) => {
  let t: TestApp
  let a: AdminClient
  let b: AdminClient
  let joyId: string
  let groupId: string
  beforeAll(async () => {
    t = await createTestApp(dialect)
    await createAccount(t, t.platformId, 'admin@acme.test')
    a = await signedIn(t, 'admin@acme.test')
    const other = await createPlatform(t.store.db, 'Beta')
    await createAccount(t, other.id, 'admin@beta.test')
    b = await signedIn(t, 'admin@beta.test')
    await createApiKey(t.store.db, other.id, 'beta key')
    const joy = await t.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'Joy.Young@Contoso.com',
      externalId: 'oid-joy',
      name: { givenName: 'Joy', familyName: 'Young' },
      active: true,
    })
    joyId = joy.json().id
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'ops_50%@contoso.com', active: true })
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'opsX50@contoso.com', active: true })
    const group = await t.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Sales',
      members: [{ value: joyId }],
    })
    groupId = group.json().id
    // A rejected write, for the failure filter.
    expect(
      (await t.scim('POST', '/Users', { schemas: [USER], userName: 'joy.young@contoso.com' })).statusCode,
    ).toBe(409)
  })
  afterAll(() => t.close())

  it('creates a key (secret shown once), lists it truncated, revokes it, and SCIM then answers 401', async () => {
    const created = await a.call('POST', '/api-keys', { name: '  Entra ID  ' })
    expect(created.statusCode).toBe(201)
    const { key, secret } = created.json()
    expect(key).toMatchObject({ name: 'Entra ID', truncated: `sk-…${secret.slice(-4)}`, lastUsedAt: null })
    const listed = (await a.call('GET', '/api-keys')).json().keys
    expect(listed.map((k: { id: string }) => k.id)).toContain(key.id)
    expect(JSON.stringify(listed)).not.toContain(secret)
    const auth = { authorization: `Bearer ${secret}` }
    expect((await t.scim('GET', '/Users', undefined, auth)).statusCode).toBe(200)
    expect((await a.call('DELETE', `/api-keys/${key.id}`)).statusCode).toBe(204)
    expect((await t.scim('GET', '/Users', undefined, auth)).statusCode).toBe(401)
    expect((await a.call('DELETE', `/api-keys/${key.id}`)).statusCode).toBe(404)
  })

  it('validates key names with a message for the field', async () => {
    const res = await a.call('POST', '/api-keys', { name: '   ' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'invalid_input', fields: { name: 'Give the key a name.' } })
  })

  it('scopes everything to the admin’s platform', async () => {
    const aKeys = (await a.call('GET', '/api-keys')).json().keys
    const bKeys = (await b.call('GET', '/api-keys')).json().keys
    expect(bKeys.map((k: { name: string }) => k.name)).toEqual(['beta key'])
    expect((await b.call('DELETE', `/api-keys/${aKeys[0].id}`)).statusCode).toBe(404)
    expect((await b.call('GET', '/users')).json().users.map((u: { email: string }) => u.email)).toEqual([
      'admin@beta.test',
    ])
    expect((await b.call('PATCH', `/users/${joyId}`, { active: false })).statusCode).toBe(404)
    expect((await b.call('GET', '/projects')).json().total).toBe(0)
    expect((await b.call('GET', `/projects/${groupId}`)).statusCode).toBe(404)
    expect(
      (await b.call('PATCH', `/projects/${groupId}/members/${joyId}`, { role: 'Viewer' })).statusCode,
    ).toBe(404)
    expect((await b.call('GET', '/events')).json().total).toBe(0)
    const aEvent = (await a.call('GET', '/events')).json().events[0]
    expect((await b.call('GET', `/events/${aEvent.id}`)).statusCode).toBe(404)
    expect((await t.scim('GET', `/Users/${joyId}`)).json().active).toBe(true)
  })

  it('text that cannot be stored (NUL, unpaired surrogates) is a 400 for the field, never a 500', async () => {
    const search = await a.call('GET', `/users?q=${encodeURIComponent('jo\u0000y')}`)
    expect(search.statusCode).toBe(400)
    expect(search.json().fields).toHaveProperty('q')
    const key = await a.call('POST', '/api-keys', { name: 'bad\ud800key' })
    expect(key.statusCode).toBe(400)
    expect(key.json().fields).toHaveProperty('name')
  })

  it('lists users with case-insensitive search (wildcards are literal) and paging with a total', async () => {
    const search = async (q: string) =>
      (await a.call('GET', `/users?q=${encodeURIComponent(q)}`))
        .json()
        .users.map((u: { email: string }) => u.email)
    expect(await search('JOY.young')).toEqual(['Joy.Young@Contoso.com'])
    expect(await search('young')).toEqual(['Joy.Young@Contoso.com'])
    expect(await search('50%')).toEqual(['ops_50%@contoso.com'])
    expect(await search('s_5')).toEqual(['ops_50%@contoso.com'])
    const page = (await a.call('GET', '/users?limit=2&offset=2')).json()
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 })
    expect(page.users).toHaveLength(2)
    const joy = (await a.call('GET', '/users?q=joy')).json().users[0]
    expect(joy).toMatchObject({
      platformRole: 'MEMBER',
      status: 'ACTIVE',
      externalId: 'oid-joy',
      projects: [{ id: groupId, displayName: 'Sales', role: 'Editor', effectiveRole: 'Editor' }],
    })
    const bad = await a.call('GET', '/users?limit=5000')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().fields.limit).toBeDefined()
  })

  it('changes a platform role and status in the SCIM resource too, with a new ETag', async () => {
    const before = await t.scim('GET', `/Users/${joyId}`)
    const changed = await a.call('PATCH', `/users/${joyId}`, { platformRole: 'OPERATOR', active: false })
    expect(changed.statusCode).toBe(200)
    expect(changed.json().user).toMatchObject({ platformRole: 'OPERATOR', status: 'INACTIVE' })
    const after = await t.scim('GET', `/Users/${joyId}`)
    expect(after.json()).toMatchObject({ active: false, [ROLE_EXT]: { platformRole: 'OPERATOR' } })
    expect(after.json().schemas).toContain(ROLE_EXT)
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect(after.json().name).toEqual({ givenName: 'Joy', familyName: 'Young' })
    // The change is in the provisioning log, made by the admin rather than an API key.
    const [logged] = (await a.call('GET', `/events?resourceId=${joyId}&limit=1`)).json().events
    expect(logged).toMatchObject({
      method: 'PATCH',
      status: 200,
      actorType: 'console',
      actorEmail: 'admin@acme.test',
      apiKeyId: null,
      changes: { attributes: ['active', ROLE_EXT] },
    })
    // An inactive user has no effective role; an active OPERATOR is at least Editor of every project.
    const members = async () => (await a.call('GET', `/projects/${groupId}`)).json().members.items
    expect((await members())[0]).toMatchObject({ platformRole: 'OPERATOR', effectiveRole: null })
    await a.call('PATCH', `/users/${joyId}`, { active: true })
    expect((await members())[0]).toMatchObject({ platformRole: 'OPERATOR', effectiveRole: 'Editor' })
    await a.call('PATCH', `/users/${joyId}`, { platformRole: 'MEMBER', active: true })
    expect((await t.scim('GET', `/Users/${joyId}`)).json().active).toBe(true)
  })

  it('refuses to lock the admin out of their own account', async () => {
    const me = (await a.call('GET', '/auth/me')).json().user
    const res = await a.call('PATCH', `/users/${me.id}`, { active: false })
    expect(res.statusCode).toBe(409)
    expect((await a.call('PATCH', `/users/${me.id}`, {})).json().fields).toBeDefined()
  })

  it('lists projects with members and effective roles, and changes a member’s role', async () => {
    const list = (await a.call('GET', '/projects?q=sal')).json()
    expect(list).toMatchObject({
      total: 1,
      projects: [{ id: groupId, displayName: 'Sales', memberCount: 1 }],
    })
    const changed = await a.call('PATCH', `/projects/${groupId}/members/${joyId}`, { role: 'Viewer' })
    expect(changed.statusCode).toBe(200)
    const detail = (await a.call('GET', `/projects/${groupId}`)).json()
    expect(detail.members).toMatchObject({
      total: 1,
      items: [{ userId: joyId, role: 'Viewer', effectiveRole: 'Viewer' }],
    })
    const bad = await a.call('PATCH', `/projects/${groupId}/members/${joyId}`, { role: 'Owner' })
    expect(bad.json().fields.role).toBe('Choose Admin, Editor or Viewer.')
  })

  it('reads and sets the default project role', async () => {
    expect((await a.call('GET', '/settings')).json()).toMatchObject({
      defaultProjectRole: null,
      serverDefaultProjectRole: 'Editor',
      effectiveDefaultProjectRole: 'Editor',
    })
    const set = await a.call('PATCH', '/settings', { defaultProjectRole: 'Viewer' })
    expect(set.json()).toMatchObject({ defaultProjectRole: 'Viewer', effectiveDefaultProjectRole: 'Viewer' })
    expect((await a.call('PATCH', '/settings', { defaultProjectRole: 'Boss' })).statusCode).toBe(400)
    await a.call('PATCH', '/settings', { defaultProjectRole: null })
    expect((await b.call('GET', '/settings')).json().platform.name).toBe('Beta')
  })

  it('filters provisioning events by outcome, resource, method, key and time, newest first', async () => {
    const events = async (query = '') => (await a.call('GET', `/events${query}`)).json()
    const all = await events()
    expect(all.total).toBeGreaterThanOrEqual(5)
    const ids = all.events.map((e: { id: number }) => e.id)
    expect(ids).toEqual([...ids].sort((x, y) => y - x))
    const failed = await events('?status=failure')
    expect(failed.events.length).toBeGreaterThanOrEqual(1)
    expect(failed.events.every((e: { status: number }) => e.status >= 400)).toBe(true)
    expect((await events('?status=409')).events[0]).toMatchObject({
      method: 'POST',
      status: 409,
      resourceType: 'User',
    })
    const groups = await events('?resourceType=Group')
    expect(groups.events.map((e: { resourceId: string }) => e.resourceId)).toContain(groupId)
    expect(
      (await events('?method=PATCH&resourceType=User')).events.every(
        (e: { method: string }) => e.method === 'PATCH',
      ),
    ).toBe(true)
    const scimEvents = all.events.filter((e: { apiKeyId: string | null }) => e.apiKeyId !== null)
    const keyId = scimEvents[0].apiKeyId
    expect((await events(`?apiKeyId=${keyId}`)).total).toBeGreaterThan(0)
    expect((await events('?apiKeyId=nope')).total).toBe(0)
    expect(
      (await events(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).total,
    ).toBe(0)
    expect((await events('?to=2000-01-01T00:00:00%2B01:00')).total).toBe(0)
    const paged = await events('?limit=2&offset=1')
    expect(paged.events.map((e: { id: number }) => e.id)).toEqual(ids.slice(1, 3))
    const detail = (await a.call('GET', `/events/${scimEvents[0].id}`)).json().event
    expect(detail).toMatchObject({ id: scimEvents[0].id, apiKeyName: 'test', actorType: 'scim' })
    expect((await a.call('GET', '/events?from=yesterday')).json().fields.from).toMatch(/ISO-8601/)
    expect((await a.call('GET', '/events/999999')).statusCode).toBe(404)
  })

  it('answers unknown API paths with JSON 404 and serves its OpenAPI description', async () => {
    const nope = await t.app.inject('/api/v1/nope')
    expect(nope.statusCode).toBe(404)
    expect(nope.json().error).toBe('not_found')
    const scimNope = await t.scim('GET', '/Nope')
    expect(scimNope.headers['content-type']).toMatch(/scim\+json/)
    const doc = (await t.app.inject('/api/v1/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/auth/sign-in', '/api-keys', '/users', '/events']),
    )
    expect((await t.app.inject('/api/v1/docs')).headers['content-type']).toMatch(/text\/html/)
    expect(SCIM).toBe('/api/v1/scim/v2')
  })
})
