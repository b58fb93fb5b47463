// Issue 13 (the console shell): a session ended by a role change or a deactivation says why; a
// demoted or deactivated admin with the right password is told so (a stranger still learns nothing);
// the SCIM health summary; Test connection tests the tenant URL it shows.
import { createServer } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOM_USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { errorCount } from '../../src/store/scim-health.js'
import { pruneEndedSessions, SESSION_END_NOTICE_MS } from '../../src/store/sessions.js'
import { createAccount, signedIn, signIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const GENERIC = { error: 'sign_in_failed', message: 'Email or password is incorrect.' }
const setRole = (role: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: role }],
})

describe.each(dialects)('sessions ended by a role change or deactivation on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
    await createAccount(t, t.platformId, 'ada@acme.test')
    await createAccount(t, t.platformId, 'grace@acme.test')
  })
  afterAll(() => t.close())

  const idOf = async (email: string) =>
    (await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`)).json().Resources[0]
      .id as string

  it('a role change over SCIM: the next call answers 401 session_ended with the new role, and sign-in says no console access', async () => {
    const grace = await signedIn(t, 'grace@acme.test')
    const id = await idOf('grace@acme.test')
    const before = Date.now()
    expect((await t.scim('PATCH', `/Users/${id}`, setRole('MEMBER'))).statusCode).toBe(200)

    const me = await grace.call('GET', '/auth/me')
    expect(me.statusCode).toBe(401)
    const body = me.json()
    expect(body).toMatchObject({ error: 'session_ended', reason: 'role_changed', role: 'MEMBER', by: 'scim' })
    expect(body.message).toMatch(/platform role was changed to MEMBER by your identity provider \(SCIM\)/)
    expect(Date.parse(body.endedAt)).toBeGreaterThanOrEqual(before - 1000)

    const session = await grace.call('GET', '/auth/session')
    expect(session.statusCode).toBe(200)
    expect(session.json()).toMatchObject({
      signedIn: false,
      ended: { reason: 'role_changed', role: 'MEMBER' },
    })

    // The right password: told why, not "incorrect", and no cookie.
    const again = await signIn(t, 'grace@acme.test')
    expect(again.statusCode).toBe(403)
    expect(again.json().error).toBe('no_console_access')
    expect(again.json().message).toMatch(/password is correct, but you no longer have console access.*MEMBER/)
    expect(again.headers['set-cookie']).toBeUndefined()
    // A wrong password or a stranger learns nothing.
    expect((await signIn(t, 'grace@acme.test', 'not the password')).json()).toEqual(GENERIC)
    expect((await signIn(t, 'nobody@acme.test')).json()).toEqual(GENERIC)
  })

  it('a deactivation in the console: session_ended "deactivated" by the console, and sign-in says deactivated', async () => {
    await createAccount(t, t.platformId, 'lin@acme.test')
    const lin = await signedIn(t, 'lin@acme.test')
    const ada = await signedIn(t, 'ada@acme.test')
    const id = await idOf('lin@acme.test')
    expect((await ada.call('PATCH', `/users/${id}`, { active: false })).statusCode).toBe(200)
    const keys = await lin.call('GET', '/api-keys')
    expect(keys.statusCode).toBe(401)
    expect(keys.json()).toMatchObject({ error: 'session_ended', reason: 'deactivated', by: 'console' })
    expect(keys.json().message).toBe(
      'You were signed out because your account was deactivated by a platform admin in the console.',
    )
    const again = await signIn(t, 'lin@acme.test')
    expect(again.statusCode).toBe(403)
    expect(again.json().error).toBe('account_inactive')

    // Reactivated and signed in again: the old cookie no longer tells a story, the new one works.
    expect((await ada.call('PATCH', `/users/${id}`, { active: true })).statusCode).toBe(200)
    const back = await signedIn(t, 'lin@acme.test')
    expect((await back.call('GET', '/api-keys')).statusCode).toBe(200)
    expect((await lin.call('GET', '/auth/session')).json()).toEqual({ signedIn: false, ended: null })
    expect((await back.call('GET', '/auth/session')).json()).toEqual({ signedIn: true, ended: null })
  })

  it('a deletion over SCIM: session_ended "deleted" by the identity provider, told for a day, then forgotten', async () => {
    await createAccount(t, t.platformId, 'mo@acme.test')
    const mo = await signedIn(t, 'mo@acme.test')
    const id = await idOf('mo@acme.test')
    expect((await t.scim('DELETE', `/Users/${id}`)).statusCode).toBe(204)

    const me = await mo.call('GET', '/auth/me')
    expect(me.statusCode).toBe(401)
    expect(me.json()).toMatchObject({ error: 'session_ended', reason: 'deleted', by: 'scim' })
    expect(me.json().message).toBe(
      'You were signed out because your account was deleted by your identity provider (SCIM).',
    )
    expect((await mo.call('GET', '/auth/session')).json()).toMatchObject({
      signedIn: false,
      ended: { reason: 'deleted', by: 'scim' },
    })
    // The same email provisioned again is a new account: the old cookie still only says why it ended.
    expect((await signIn(t, 'mo@acme.test')).json()).toEqual(GENERIC)

    // Retention forgets it after the day the sign-in page tells it.
    expect(await pruneEndedSessions(t.store.db, Date.now())).toBe(0)
    expect(await pruneEndedSessions(t.store.db, Date.now() + SESSION_END_NOTICE_MS + 60_000)).toBe(1)
    expect((await mo.call('GET', '/auth/session')).json()).toEqual({ signedIn: false, ended: null })
  })

  it('an unknown or signed-out cookie is plain unauthenticated', async () => {
    const res = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: 'muster_session=nope' } })
    expect(res.json()).toEqual({ error: 'unauthenticated', message: 'Sign in to continue.' })
    const ada = await signedIn(t, 'ada@acme.test')
    await ada.call('POST', '/auth/sign-out')
    expect((await ada.call('GET', '/auth/session')).json()).toEqual({ signedIn: false, ended: null })
  })
})

describe.each(dialects)('SCIM health summary on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
    await createAccount(t, t.platformId, 'ada@acme.test')
  })
  afterAll(() => t.close())

  it('starts empty, then shows the last request, errors of the last 24 h and the client of each key', async () => {
    const ada = await signedIn(t, 'ada@acme.test')
    const empty = (await ada.call('GET', '/scim-health')).json()
    expect(empty).toMatchObject({ lastRequest: null, errors: { count: 0 }, keys: [] })

    // An error older than a day is not counted.
    await t.store.db
      .insertInto('events')
      .values({
        platform_id: t.platformId,
        created_at: new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString(),
        actor_type: 'scim',
        method: 'POST',
        path: '/api/v1/scim/v2/Users',
        status: 500,
        duration_ms: 1,
      })
      .execute()

    const entra = { 'user-agent': 'Azure AD SCIM' }
    const created = await t.scim('POST', '/Users', { userName: 'joy@acme.test' }, entra)
    expect(created.statusCode).toBe(201)
    const bad = await t.scim('POST', '/Users', { userName: 'joy@acme.test' }, entra)
    expect(bad.statusCode).toBe(409)

    let health = (await ada.call('GET', '/scim-health')).json()
    // "Last used" is written in batches, about a second after the request.
    for (let i = 0; i < 150 && health.keys.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      health = (await ada.call('GET', '/scim-health')).json()
    }
    expect(health.lastRequest).toMatchObject({
      method: 'POST',
      path: '/api/v1/scim/v2/Users',
      status: 409,
      apiKeyName: 'test',
    })
    expect(health.errors.count).toBe(1)
    expect(Date.now() - Date.parse(health.errors.since)).toBeGreaterThanOrEqual(24 * 3600 * 1000)
    expect(health.keys).toEqual([
      expect.objectContaining({
        name: 'test',
        lastClient: 'Azure AD SCIM',
        truncated: expect.stringMatching(/^sk-…/),
      }),
    ])

    const doc = (await t.app.inject('/api/v1/openapi.json')).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/scim-health', '/scim-connection-test', '/auth/session']),
    )
  })

  it('answers only a signed-in admin', async () => {
    expect((await t.app.inject('/api/v1/scim-health')).statusCode).toBe(401)
  })
})

describe('SCIM health reads no more of the log than it needs', () => {
  it('the 24-hour error count searches the partial index of errors (SQLite plan)', async () => {
    const t = await createTestApp('sqlite')
    try {
      const query = errorCount(t.store.db, t.platformId, new Date().toISOString()).compile()
      const plan = await sql.raw(`explain query plan ${query.sql}`.replace(/\?/g, "'x'")).execute(t.store.db)
      expect(JSON.stringify(plan.rows)).toMatch(/SEARCH events USING INDEX events_platform_errors/)
    } finally {
      await t.close()
    }
  })
})

/** A TCP port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('Test connection tests the tenant URL it shows', () => {
  it('PUBLIC_URL where nothing listens: not reachable, never success', async () => {
    const port = await freePort()
    const t = await createTestApp('sqlite', { PUBLIC_URL: `http://127.0.0.1:${port}` })
    try {
      await createAccount(t, t.platformId, 'ada@acme.test')
      const ada = await signedIn(t, 'ada@acme.test')
      const me = (await ada.call('GET', '/auth/me')).json()
      expect(me.scimUrl).toBe(`http://127.0.0.1:${port}/api/v1/scim/v2`)
      const res = await ada.call('POST', '/scim-connection-test', { secret: t.secret })
      expect(res.statusCode).toBe(200)
      const test = res.json()
      expect(test).toMatchObject({ ok: false, verdict: 'unreachable', key: 'valid', status: null })
      expect(test.tenantUrl).toBe(me.scimUrl)
      expect(test.request).toMatch(
        new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/api/v1/scim/v2/Users\\?filter=userName eq "`),
      )
      expect(test.error).toMatch(/connection refused/)
      expect(test.notTested.join(' ')).toMatch(/local or private address/)
      expect(JSON.stringify(test)).not.toContain(t.secret)
    } finally {
      await t.close()
    }
  })

  it('PUBLIC_URL that leads to this server: the tenant URL answers; a wrong key is refused there', async () => {
    const port = await freePort()
    const t = await createTestApp('sqlite', { PUBLIC_URL: `http://127.0.0.1:${port}` })
    try {
      await t.app.listen({ host: '127.0.0.1', port })
      await createAccount(t, t.platformId, 'ada@acme.test')
      const ada = await signedIn(t, 'ada@acme.test')
      const good = (await ada.call('POST', '/scim-connection-test', { secret: t.secret })).json()
      expect(good).toMatchObject({ ok: true, verdict: 'ok', status: 200, key: 'valid' })
      const wrong = (await ada.call('POST', '/scim-connection-test', { secret: 'sk-wrong' })).json()
      expect(wrong).toMatchObject({ ok: false, verdict: 'refused_key', status: 401, key: 'unknown' })
      const empty = await ada.call('POST', '/scim-connection-test', { secret: ' ' })
      expect(empty.statusCode).toBe(400)
      expect(empty.json().fields.secret).toBe('Paste an API key secret to test with.')
    } finally {
      await t.close()
    }
  })
})
