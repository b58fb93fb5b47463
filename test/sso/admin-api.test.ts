// SSO through the admin API on both dialects: configuration (metadata by XML and URL, domains,
// switches), Require SSO against password sign-in, "Sign in with SSO" discovery, Test sign-in, the
// sign-in log, demotion, and replay protection across two app instances on one database.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { fetchMetadata } from '../../src/sso/metadata-fetch.js'
import { createStore } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createSetupToken } from '../../src/store/setup-tokens.js'
import { type AdminClient, createAccount, PASSWORD, signedIn, signIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  type IdpKey,
  idpKey,
  idpMetadata,
  readAuthnRequest,
  samlResponse,
  signAssertion,
} from '../helpers/saml-idp.js'
import {
  ACS,
  configureTestSaml,
  entityId,
  lastSignIn,
  postAcs,
  setSession,
  ssoUser,
  startSaml,
} from '../helpers/sso.js'

describe.each(dialects)('SSO admin API (%s)', (dialect) => {
  let t: TestApp
  let admin: AdminClient
  let key: IdpKey
  let server: Server
  let serverUrl = ''
  let globex = ''

  beforeAll(async () => {
    key = await idpKey()
    t = await createTestApp(dialect)
    globex = (await createPlatform(t.store.db, 'Globex')).id
    await createAccount(t, t.platformId, 'root@acme.test')
    admin = await signedIn(t, 'root@acme.test')
    await ssoUser(t, t.platformId, 'joy@acme.test')
    server = createServer((request, response) => {
      if (request.url === '/metadata.xml') {
        response.setHeader('content-type', 'application/samlmetadata+xml')
        return response.end(idpMetadata({ certs: [key.der] }))
      }
      if (request.url === '/huge.xml') {
        response.write('<x>')
        const chunk = 'a'.repeat(64 * 1024)
        for (let i = 0; i < 40; i++) response.write(chunk)
        return response.end('</x>')
      }
      if (request.url === '/slow.xml') return // never answers
      response.statusCode = 404
      response.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server?.closeAllConnections()
    server?.close()
    await t?.close()
  })

  it('shows the addresses to paste into Entra and Okta', async () => {
    const res = await admin.call('GET', '/sso')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      sp: {
        entityId: entityId(t.platformId),
        acsUrl: ACS,
        loginUrl: `${entityId(t.platformId)}/login`,
        metadataUrl: `${entityId(t.platformId)}/metadata`,
        oidcRedirectUri: 'https://muster.test/api/v1/authn/oidc/callback',
      },
      saml: null,
      oidc: null,
      domains: [],
      requireSso: false,
      createUsers: false,
      allowIdpInitiated: true,
    })
  })

  it('loads pasted metadata: entity ID, sign-on URL and every signing certificate', async () => {
    const next = await idpKey('Next')
    const res = await admin.call('PUT', '/sso/saml', {
      metadataXml: idpMetadata({ certs: [key.der, next.der] }),
    })
    expect(res.statusCode, res.body).toBe(200)
    const saml = res.json().saml
    expect(saml.idpEntityId).toMatch(/^https:\/\/sts\.windows\.net\//)
    expect(saml.ssoUrl).toMatch(/^https:\/\/login\.microsoftonline\.com\//)
    expect(saml.certificates).toHaveLength(2)
    expect(saml.certificates[0].fingerprint).toMatch(/^[0-9A-F:]+$/)
  })

  it('refuses metadata that is not IdP metadata, with the reason next to the field', async () => {
    for (const [body, field] of [
      [{ metadataXml: '<not-closed' }, 'metadataXml'],
      [
        { metadataXml: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>' },
        'metadataXml',
      ],
      [{ metadataUrl: 'http://idp.example.com/metadata' }, 'metadataUrl'],
      [{}, '_'],
    ] as const) {
      const res = await admin.call('PUT', '/sso/saml', body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(Object.keys(res.json().fields)).toContain(field)
    }
  })

  it('loads metadata by URL, with a time and a size limit', async () => {
    const res = await admin.call('PUT', '/sso/saml', { metadataUrl: `${serverUrl}/metadata.xml` })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().saml.metadataUrl).toBe(`${serverUrl}/metadata.xml`)
    const huge = await admin.call('PUT', '/sso/saml', { metadataUrl: `${serverUrl}/huge.xml` })
    expect(huge.json().fields.metadataUrl).toMatch(/larger than/)
    await expect(fetchMetadata(`${serverUrl}/slow.xml`, { timeoutMs: 300 })).rejects.toThrow(
      /no answer within/,
    )
    const missing = await admin.call('PUT', '/sso/saml', { metadataUrl: `${serverUrl}/nothing.xml` })
    expect(missing.json().fields.metadataUrl).toMatch(/answered 404/)
  })

  it('claims domains, one platform per domain', async () => {
    const res = await admin.call('PUT', '/sso/domains', {
      domains: ['Acme.test', 'acme.test', 'eu.acme.test'],
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().domains).toEqual(['acme.test', 'eu.acme.test'])
    await createAccount(t, globex, 'root@globex.test')
    const other = await signedIn(t, 'root@globex.test')
    const taken = await other.call('PUT', '/sso/domains', { domains: ['globex.test', 'acme.test'] })
    expect(taken.statusCode).toBe(400)
    expect(taken.json().fields.domains).toMatch(/already claims acme\.test/)
    expect((await other.call('GET', '/sso')).json().domains).toEqual([])
    const bad = await admin.call('PUT', '/sso/domains', { domains: ['not a domain'] })
    expect(bad.statusCode).toBe(400)
  })

  it('"Sign in with SSO" answers by domain only, alike for existing and unknown people', async () => {
    const ask = (email: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/sso', payload: { email } })
    const known = await ask('joy@acme.test')
    const unknown = await ask('nobody@acme.test')
    expect(known.statusCode).toBe(200)
    expect(known.body).toBe(unknown.body)
    expect(known.json().redirect).toBe(`/api/v1/authn/saml/${t.platformId}/login`)
    const elsewhere = await ask('joy@unclaimed.test')
    expect(elsewhere.json()).toEqual({ redirect: null, message: expect.stringMatching(/not set up/) })
    expect((await ask('not-an-email')).statusCode).toBe(400)
  })

  it('Require SSO refuses a correct password, but the setup link still lets an admin in', async () => {
    const refusedWithout = await t.app.inject({ method: 'GET', url: '/api/v1/sso' })
    expect(refusedWithout.statusCode).toBe(401)
    const on = await admin.call('PATCH', '/sso/settings', { requireSso: true })
    expect(on.statusCode, on.body).toBe(200)
    try {
      const res = await signIn(t, 'root@acme.test')
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: 'sso_required' })
      expect(await lastSignIn(t, t.platformId)).toMatchObject({
        reason: 'password_sso_required',
        method: 'password',
      })
      const wrong = await signIn(t, 'root@acme.test', 'wrong password entirely')
      expect(wrong.statusCode).toBe(401)
      const token = await createSetupToken(t.store.db, t.platformId, null)
      const setup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { token, email: 'root@acme.test', password: PASSWORD },
      })
      expect(setup.statusCode, setup.body).toBe(201)
    } finally {
      await admin.call('PATCH', '/sso/settings', { requireSso: false })
    }
    expect((await signIn(t, 'root@acme.test')).statusCode).toBe(200)
  })

  it('Require SSO cannot be turned on before SAML or OIDC is set up', async () => {
    await createAccount(t, globex, 'second@globex.test')
    const other = await signedIn(t, 'second@globex.test')
    const res = await other.call('PATCH', '/sso/settings', { requireSso: true })
    expect(res.statusCode).toBe(400)
    expect(res.json().fields.requireSso).toMatch(/first/)
  })

  it('Test sign-in runs the real flow without a session and reports what the IdP sent', async () => {
    const start = await admin.call('GET', '/sso/test/saml')
    expect(start.statusCode, start.body).toBe(302)
    const request = readAuthnRequest(String(start.headers.location))
    const xml = samlResponse({
      audience: entityId(t.platformId),
      acsUrl: ACS,
      nameId: 'joy@acme.test',
      inResponseTo: request.id,
      attributes: { firstName: 'Joy', lastName: 'Young' },
    })
    const res = await postAcs(t, signAssertion(xml, key), request.relayState!)
    expect(res.statusCode).toBe(302)
    expect(setSession(res)).toBeUndefined()
    const page = String(res.headers.location)
    expect(page).toMatch(/^\/platform\/security\/sso\/test\//)
    const id = page.split('/').at(-1)!
    const result = await admin.call('GET', `/sso/test-results/${id}`)
    expect(result.statusCode).toBe(200)
    expect(result.json()).toMatchObject({
      protocol: 'saml',
      accepted: true,
      subject: 'joy@acme.test',
      verified: true,
      received: {
        nameId: 'joy@acme.test',
        attributes: { firstName: ['Joy'], lastName: ['Young'] },
        conditions: { audiences: [entityId(t.platformId)] },
      },
    })
    expect(result.body).not.toContain('<Assertion')
    expect(await lastSignIn(t, t.platformId)).toMatchObject({ outcome: 'accepted', test: true })
  })

  it('Test sign-in of a protocol that is not set up shows a page, not JSON', async () => {
    const res = await admin.call('GET', '/sso/test/oidc')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('oidc_not_configured')
  })

  it('Test sign-in reports a refusal with its reason', async () => {
    const start = await admin.call('GET', '/sso/test/saml')
    const request = readAuthnRequest(String(start.headers.location))
    const xml = samlResponse({
      audience: entityId(t.platformId),
      acsUrl: ACS,
      nameId: 'joy@acme.test',
      inResponseTo: request.id,
    })
    const res = await postAcs(t, xml, request.relayState!)
    const id = String(res.headers.location).split('/').at(-1)!
    const result = (await admin.call('GET', `/sso/test-results/${id}`)).json()
    expect(result).toMatchObject({
      accepted: false,
      code: 'saml_unsigned',
      verified: false,
      received: { nameId: 'joy@acme.test' },
    })
    expect(result.advice).toBeTruthy()
  })

  it('lists sign-in attempts, filterable by outcome, never with a credential', async () => {
    const res = await admin.call('GET', '/sign-ins?outcome=refused&limit=200')
    expect(res.statusCode).toBe(200)
    const { events, total } = res.json()
    expect(total).toBeGreaterThan(0)
    expect(events.every((e: { outcome: string }) => e.outcome === 'refused')).toBe(true)
    expect(events.map((e: { reason: string }) => e.reason)).toContain('password_sso_required')
    const all = await admin.call('GET', '/sign-ins?limit=200')
    expect(all.body).not.toContain(PASSWORD)
    expect(all.body).not.toContain('SAMLResponse')
    expect((await admin.call('GET', '/sign-ins?outcome=maybe')).statusCode).toBe(400)
  })

  it('the admin API refuses a member session with 403, and losing ADMIN ends an admin session', async () => {
    const member = await postAcs(
      t,
      signAssertion(
        samlResponse({ audience: entityId(t.platformId), acsUrl: ACS, nameId: 'joy@acme.test' }),
        key,
      ),
    )
    const memberCookie = setSession(member)!
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/sso', headers: { cookie: memberCookie } }))
        .statusCode,
    ).toBe(403)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: memberCookie } }))
        .statusCode,
    ).toBe(403)

    const boss = await ssoUser(t, t.platformId, 'boss@acme.test', { role: 'ADMIN' })
    const res = await postAcs(
      t,
      signAssertion(
        samlResponse({ audience: entityId(t.platformId), acsUrl: ACS, nameId: 'boss@acme.test' }),
        key,
      ),
    )
    const cookie = setSession(res)!
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })).statusCode,
    ).toBe(200)
    const demote = await t.scim('PATCH', `/Users/${boss.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          path: 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole',
          value: 'MEMBER',
        },
      ],
    })
    expect(demote.statusCode).toBe(200)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })).statusCode,
    ).toBe(401)
    // Signing in again lands on the member page.
    const again = await postAcs(
      t,
      signAssertion(
        samlResponse({ audience: entityId(t.platformId), acsUrl: ACS, nameId: 'boss@acme.test' }),
        key,
      ),
    )
    expect(again.headers.location).toBe('/account')
  })

  it('replay protection and InResponseTo hold across two app instances on one database', async () => {
    const second = createStore({ url: (t.store as typeof t.store & { url: string }).url, poolSize: 2 })
    const app2 = await buildApp({
      config: testConfig({ PUBLIC_URL: 'https://muster.test' }),
      store: second,
      webRoot: null,
    })
    try {
      await configureTestSaml(t, t.platformId, [key])
      const { request } = await startSaml(t, t.platformId)
      const xml = signAssertion(
        samlResponse({
          audience: entityId(t.platformId),
          acsUrl: ACS,
          nameId: 'joy@acme.test',
          inResponseTo: request.id,
        }),
        key,
      )
      const form = (body: string) =>
        app2.inject({
          method: 'POST',
          url: '/api/v1/authn/saml/acs',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            SAMLResponse: Buffer.from(body).toString('base64'),
            RelayState: request.id,
          }).toString(),
        })
      const first = await form(xml)
      expect(first.statusCode, first.body).toBe(302)
      const replayed = await postAcs(t, xml, request.id)
      expect(replayed.statusCode).toBe(403)
      expect(await lastSignIn(t, t.platformId)).toMatchObject({ reason: 'saml_replay' })
    } finally {
      await app2.close()
      await second.close()
    }
  })

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    for (const path of [
      '/sso',
      '/sso/saml',
      '/sso/oidc',
      '/sso/domains',
      '/sso/settings',
      '/sign-ins',
      '/account',
      '/auth/sso',
    ])
      expect(doc.paths[path], path).toBeDefined()
  })
})
