// OpenID Connect sign-in against a real provider (oidc-provider on 127.0.0.1), on both dialects: the
// code flow with PKCE, state and nonce, then each refusal of SSO.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSsoSettings } from '../../src/store/sso-settings.js'
import { type AdminClient, createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { authorizeAs, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-idp.js'
import { lastSignIn, ORIGIN, setSession, ssoUser } from '../helpers/sso.js'

const CALLBACK = `${ORIGIN}/api/v1/authn/oidc/callback`

describe.each(dialects)('OIDC sign-in (%s)', (dialect) => {
  let t: TestApp
  let idp: TestOidcProvider
  let admin: AdminClient

  beforeAll(async () => {
    idp = await startOidcProvider({
      redirectUris: [CALLBACK],
      accounts: {
        'ada@acme.test': { name: 'Ada Lovelace' },
        'joy@acme.test': {},
        'gone@acme.test': {},
        'unverified@acme.test': { email_verified: false },
      },
    })
    t = await createTestApp(dialect)
    await ssoUser(t, t.platformId, 'ada@acme.test', { role: 'ADMIN' })
    await ssoUser(t, t.platformId, 'joy@acme.test')
    await ssoUser(t, t.platformId, 'gone@acme.test', { active: false })
    await ssoUser(t, t.platformId, 'unverified@acme.test')
    await createAccount(t, t.platformId, 'console@acme.test')
    admin = await signedIn(t, 'console@acme.test')
    const res = await admin.call('PUT', '/sso/oidc', {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    })
    expect(res.statusCode, res.body).toBe(200)
  })
  afterAll(async () => {
    await t?.close()
    await idp?.close()
  })

  /** Starts at Muster, goes through the provider as `email`, returns the callback query and flow cookie. */
  async function flow(email: string, next?: string) {
    const start = await t.app.inject({
      method: 'GET',
      url: `/api/v1/authn/oidc/${t.platformId}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`,
    })
    expect(start.statusCode, start.body).toBe(302)
    const authorization = new URL(String(start.headers.location))
    expect(authorization.origin).toBe(idp.issuer)
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorization.searchParams.get('nonce')).toBeTruthy()
    const flowCookie = ([] as string[])
      .concat(start.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('muster_oidc='))!
      .split(';')[0]!
    const back = await authorizeAs(authorization.href, email)
    expect(back.href.startsWith(CALLBACK)).toBe(true)
    return { query: back.search, flowCookie, state: authorization.searchParams.get('state')! }
  }

  const callback = (query: string, cookie?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/authn/oidc/callback${query}`,
      headers: cookie ? { cookie } : {},
    })

  /** The newest sign-in event, of any platform (a forged state names none). */
  const newestEvent = () =>
    t.store.db.selectFrom('sign_in_events').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()

  const refusedWith = async (
    res: Awaited<ReturnType<typeof callback>>,
    code: string,
    anyPlatform = false,
  ) => {
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(setSession(res)).toBeUndefined()
    const event = anyPlatform ? await newestEvent() : await lastSignIn(t, t.platformId)
    expect(event, event?.message).toMatchObject({ outcome: 'refused', reason: code, method: 'oidc' })
    expect(res.body).toContain(code)
  }

  it('is configured through the admin API; the client secret is stored sealed and never shown', async () => {
    const bad = await admin.call('PUT', '/sso/oidc', {
      issuer: 'http://idp.example.com/',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().fields.issuer).toMatch(/https:/)
    // Without a new secret the stored one is kept.
    const res = await admin.call('PUT', '/sso/oidc', { issuer: idp.issuer, clientId: idp.clientId })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().oidc).toEqual(
      expect.objectContaining({ issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true }),
    )
    expect(res.body).not.toContain(idp.clientSecret)
    const stored = await getSsoSettings(t.store.db, t.platformId)
    expect(stored.oidc?.sealedSecret).not.toContain(idp.clientSecret)
    expect(stored.oidc?.sealedSecret).toMatch(/^v1\./)
    const view = await admin.call('GET', '/sso')
    expect(view.body).not.toContain(idp.clientSecret)
  })

  it('code flow with PKCE: an ADMIN signs in and lands on `next`', async () => {
    const { query, flowCookie } = await flow('ada@acme.test', '/platform/users')
    const res = await callback(query, flowCookie)
    expect(res.statusCode, res.body).toBe(302)
    expect(res.headers.location).toBe('/platform/users')
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { cookie: setSession(res)! },
    })
    expect(users.statusCode).toBe(200)
    expect(await lastSignIn(t, t.platformId)).toMatchObject({ outcome: 'accepted', subject: 'ada@acme.test' })
  })

  it('a MEMBER lands on their own page', async () => {
    const { query, flowCookie } = await flow('joy@acme.test')
    const res = await callback(query, flowCookie)
    expect(res.headers.location).toBe('/account')
  })

  it('refuses a wrong state', async () => {
    const { query, flowCookie } = await flow('ada@acme.test')
    const wrong = query.replace(/state=[^&]+/, 'state=forged-state')
    // A forged state names no flow, so the event belongs to no platform.
    await refusedWith(await callback(wrong, flowCookie), 'oidc_state_mismatch', true)
  })

  it('refuses a callback in a browser that did not start the flow (no flow cookie)', async () => {
    const { query } = await flow('ada@acme.test')
    await refusedWith(await callback(query), 'oidc_state_mismatch')
  })

  it('refuses the same callback twice', async () => {
    const { query, flowCookie } = await flow('ada@acme.test')
    expect((await callback(query, flowCookie)).statusCode).toBe(302)
    await refusedWith(await callback(query, flowCookie), 'oidc_request_expired')
  })

  it.each([
    ['oidc_nonce_mismatch', (c: Record<string, unknown>) => ({ ...c, nonce: 'not-the-nonce' })],
    ['oidc_wrong_issuer', (c: Record<string, unknown>) => ({ ...c, iss: 'https://evil.example' })],
    ['oidc_wrong_audience', (c: Record<string, unknown>) => ({ ...c, aud: 'another-client' })],
    [
      'oidc_token_expired',
      (c: Record<string, unknown>) => {
        const now = Math.floor(Date.now() / 1000)
        return { ...c, iat: now - 1200, exp: now - 600 }
      },
    ],
  ])('refuses an ID token with %s', async (code, change) => {
    const { query, flowCookie } = await flow('ada@acme.test')
    idp.tamper(change)
    try {
      await refusedWith(await callback(query, flowCookie), code)
    } finally {
      idp.tamper(undefined)
    }
  })

  it('Test sign-in: the real flow in test mode, no session, and the claims on the result', async () => {
    const start = await admin.call('GET', '/sso/test/oidc')
    expect(start.statusCode, start.body).toBe(302)
    const flowCookie = ([] as string[])
      .concat(start.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('muster_oidc='))!
      .split(';')[0]!
    const back = await authorizeAs(String(start.headers.location), 'ada@acme.test')
    const res = await callback(back.search, flowCookie)
    expect(res.statusCode).toBe(302)
    expect(setSession(res)).toBeUndefined()
    const id = String(res.headers.location).split('/').at(-1)!
    const result = (await admin.call('GET', `/sso/test-results/${id}`)).json()
    expect(result).toMatchObject({
      protocol: 'oidc',
      accepted: true,
      subject: 'ada@acme.test',
      received: { issuer: idp.issuer, claims: { email: 'ada@acme.test', name: 'Ada Lovelace' } },
    })
    expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]+\.eyJ/)
  })

  it('refuses an inactive user', async () => {
    const { query, flowCookie } = await flow('gone@acme.test')
    await refusedWith(await callback(query, flowCookie), 'user_inactive')
  })

  it('refuses an email the provider marks unverified', async () => {
    const { query, flowCookie } = await flow('unverified@acme.test')
    await refusedWith(await callback(query, flowCookie), 'oidc_email_unverified')
  })
})
