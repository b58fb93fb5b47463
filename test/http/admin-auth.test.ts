import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSetupToken } from '../../src/store/setup-tokens.js'
import { createAccount, sessionCookie, signedIn, signIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const GENERIC = 'Email or password is incorrect.'

describe.each(dialects)('console sign-in and sessions on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
    await createAccount(t, t.platformId, 'admin@acme.test')
    await createAccount(t, t.platformId, 'other.admin@acme.test')
    await createAccount(t, t.platformId, 'member@acme.test', { role: 'MEMBER' })
    await createAccount(t, t.platformId, 'gone@acme.test', { active: false })
  })
  afterAll(() => t.close())

  it('signs an ACTIVE ADMIN in with an HttpOnly, SameSite=Lax, Secure session cookie', async () => {
    const res = await signIn(t, 'Admin@ACME.test')
    expect(res.statusCode).toBe(200)
    const cookie = String(res.headers['set-cookie'])
    expect(cookie).toMatch(/^muster_session=[\w-]{43};/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/Path=\//)
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: sessionCookie(res) } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      user: { email: 'admin@acme.test' },
      platform: { id: t.platformId, name: 'Acme' },
      scimUrl: 'https://muster.test/api/v1/scim/v2',
    })
  })

  it.each([
    ['a wrong password', 'admin@acme.test', 'wrong password!'],
    ['an unknown email', 'nobody@acme.test', 'correct horse battery staple'],
    ['a MEMBER with a wrong password', 'member@acme.test', 'wrong password!'],
    ['an INACTIVE admin with a wrong password', 'gone@acme.test', 'wrong password!'],
  ])('%s gets the same generic 401 and no cookie', async (_name, email, password) => {
    const res = await signIn(t, email, password)
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ error: 'sign_in_failed', message: GENERIC })
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it.each([
    ['a MEMBER', 'member@acme.test', 'no_console_access'],
    ['an INACTIVE admin', 'gone@acme.test', 'account_inactive'],
  ])('%s with the right password is told why (403 %s) and gets no cookie', async (_name, email, code) => {
    const res = await signIn(t, email)
    expect(res.statusCode).toBe(403)
    expect(res.json().error).toBe(code)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('shows input errors next to the fields', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: '' } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({
      error: 'invalid_input',
      fields: { email: 'Enter your email address.', password: 'Enter your password.' },
    })
  })

  it('slows repeated failures down per account, even with the right password', async () => {
    await createAccount(t, t.platformId, 'target@acme.test')
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await signIn(t, 'target@acme.test', 'guess', `192.0.2.${i}`)).statusCode)
    expect(statuses).toEqual([401, 401, 401, 429])
    const blocked = await signIn(t, 'target@acme.test', undefined, '192.0.2.99')
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(blocked.json().message).toMatch(/Too many failed attempts/)
  })

  it('slows repeated failures down per address, across accounts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++)
      statuses.push((await signIn(t, `x${i}@acme.test`, 'guess', '198.51.100.7')).statusCode)
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true)
    expect(statuses[10]).toBe(429)
  })

  it('sign-out ends the session on the server', async () => {
    const admin = await signedIn(t, 'admin@acme.test')
    expect((await admin.call('GET', '/api-keys')).statusCode).toBe(200)
    const out = await admin.call('POST', '/auth/sign-out')
    expect(out.statusCode).toBe(204)
    expect(String(out.headers['set-cookie'])).toMatch(/muster_session=;.*Expires=Thu, 01 Jan 1970/)
    const after = await admin.call('GET', '/api-keys')
    expect(after.statusCode).toBe(401)
    expect(after.json()).toEqual({ error: 'unauthenticated', message: 'Sign in to continue.' })
  })

  it('deactivation and role loss end a session at once', async () => {
    const other = await signedIn(t, 'other.admin@acme.test')
    const admin = await signedIn(t, 'admin@acme.test')
    const { users } = (await admin.call('GET', '/users?q=other.admin')).json()
    const id = users[0].id
    expect((await admin.call('PATCH', `/users/${id}`, { active: false })).statusCode).toBe(200)
    expect((await other.call('GET', '/api-keys')).statusCode).toBe(401)
    expect((await signIn(t, 'other.admin@acme.test')).statusCode).toBe(403)

    await admin.call('PATCH', `/users/${id}`, { active: true })
    const again = await signedIn(t, 'other.admin@acme.test')
    // Role loss through SCIM (the IdP), not the console, also ends it.
    const patch = await t.scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'replace',
          path: 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole',
          value: 'MEMBER',
        },
      ],
    })
    expect(patch.statusCode).toBe(200)
    expect((await again.call('GET', '/api-keys')).statusCode).toBe(401)
  })

  it('refuses state-changing calls from another site (CSRF), allows same-origin ones', async () => {
    const admin = await signedIn(t, 'admin@acme.test')
    const cross = await admin.call('POST', '/api-keys', { name: 'x' }, { 'sec-fetch-site': 'cross-site' })
    expect(cross.statusCode).toBe(403)
    expect(cross.json().error).toBe('cross_origin')
    const evil = await admin.call('POST', '/api-keys', { name: 'x' }, { origin: 'https://evil.test' })
    expect(evil.statusCode).toBe(403)
    const form = await admin.call('POST', '/api-keys', 'name=x', { 'content-type': 'text/plain' })
    expect(form.statusCode).toBe(415)
    const same = await admin.call(
      'POST',
      '/api-keys',
      { name: 'ok' },
      {
        'sec-fetch-site': 'same-origin',
        origin: 'https://muster.test',
      },
    )
    expect(same.statusCode).toBe(201)
    const byOrigin = await admin.call('POST', '/api-keys', { name: 'ok2' }, { origin: 'https://muster.test' })
    expect(byOrigin.statusCode).toBe(201)
    // Sign-in is protected too (login CSRF).
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { email: 'admin@acme.test', password: 'x' },
    })
    expect(login.statusCode).toBe(403)
  })

  it('the setup link signs the new admin in', async () => {
    const token = await createSetupToken(t.store.db, t.platformId)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { token, email: 'first@acme.test', password: 'correct horse battery' },
    })
    expect(res.statusCode).toBe(201)
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: sessionCookie(res) } })
    expect(me.json().user.email).toBe('first@acme.test')
  })
})
