// SAML sign-in end to end through the real endpoints, on both dialects: SP-initiated start →
// AuthnRequest (inflated, its ID read) → a Response signed with a key generated here → ACS → session.
// Then every refusal of SSO.md, each on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureDomains } from '../../src/sso/configure.js'
import { createPlatform } from '../../src/store/platforms.js'
import { setToggles } from '../../src/store/sso-settings.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  ENTRA_CLAIMS,
  type IdpKey,
  idpKey,
  type ResponseOptions,
  samlResponse,
  signAssertion,
  signResponse,
  wrapSignature,
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

const MINUTE = 60_000

describe.each(dialects)('SAML sign-in (%s)', (dialect) => {
  let t: TestApp
  let key: IdpKey
  let nextKey: IdpKey
  let stranger: IdpKey
  let other: string

  beforeAll(async () => {
    ;[key, nextKey, stranger] = await Promise.all([idpKey(), idpKey('Next IdP cert'), idpKey('Stranger')])
    t = await createTestApp(dialect)
    other = (await createPlatform(t.store.db, 'Globex')).id
    await configureTestSaml(t, t.platformId, [key, nextKey])
    await configureTestSaml(t, other, [key])
    await configureDomains(t.store, t.platformId, ['acme.test'])
    await ssoUser(t, t.platformId, 'joy@acme.test')
    await ssoUser(t, t.platformId, 'ada@acme.test', { role: 'ADMIN' })
    await ssoUser(t, t.platformId, 'gone@acme.test', { active: false })
    await ssoUser(t, other, 'joy@acme.test')
  })
  afterAll(() => t?.close())

  /** A response for platform A answering `inResponseTo`, with the given changes. */
  const response = (o: Partial<ResponseOptions> & { nameId?: string } = {}) =>
    samlResponse({ audience: entityId(t.platformId), acsUrl: ACS, nameId: 'joy@acme.test', ...o })
  const signed = (o: Partial<ResponseOptions> = {}, by = key) => signAssertion(response(o), by)

  const refusedWith = async (
    res: Awaited<ReturnType<typeof postAcs>>,
    code: string,
    platformId = t.platformId,
  ) => {
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain(code)
    expect(res.body).toContain('What to do:')
    expect(setSession(res)).toBeUndefined()
    expect(await lastSignIn(t, platformId)).toMatchObject({
      outcome: 'refused',
      reason: code,
      method: 'saml',
    })
  }

  it('publishes SP metadata with the entity ID and the shared ACS', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/authn/saml/${t.platformId}/metadata` })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/samlmetadata\+xml/)
    expect(res.body).toContain(`entityID="${entityId(t.platformId)}"`)
    expect(res.body).toContain(`Location="${ACS}"`)
  })

  it('SP-initiated: a MEMBER signs in and lands on their own page, not in the console', async () => {
    const { location, request } = await startSaml(t, t.platformId, '/platform/users')
    expect(location.startsWith('https://login.microsoftonline.com/')).toBe(true)
    expect(request).toMatchObject({ issuer: entityId(t.platformId), acsUrl: ACS })
    expect(request.relayState).toBe(request.id)
    const res = await postAcs(t, signed({ inResponseTo: request.id }), request.relayState!)
    expect(res.statusCode, res.body).toBe(302)
    expect(res.headers.location).toBe('/account')
    const cookie = setSession(res)!
    expect(cookie).toBeDefined()
    const account = await t.app.inject({ method: 'GET', url: '/api/v1/account', headers: { cookie } })
    expect(account.statusCode).toBe(200)
    expect(account.json()).toMatchObject({ user: { email: 'joy@acme.test', platformRole: 'MEMBER' } })
    const consoleCall = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })
    expect(consoleCall.statusCode).toBe(403)
    expect(await lastSignIn(t, t.platformId)).toMatchObject({ outcome: 'accepted', subject: 'joy@acme.test' })
  })

  it('SP-initiated: an ADMIN lands on the same-origin `next` and the admin API answers', async () => {
    const { request } = await startSaml(t, t.platformId, '/platform/users?q=joy')
    const res = await postAcs(t, signed({ inResponseTo: request.id, nameId: 'ADA@acme.test' }), request.id)
    expect(res.statusCode, res.body).toBe(302)
    expect(res.headers.location).toBe('/platform/users?q=joy')
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { cookie: setSession(res)! },
    })
    expect(users.statusCode).toBe(200)
  })

  it('an off-site `next` is ignored: the admin lands in the console', async () => {
    const { request } = await startSaml(t, t.platformId, '//evil.example/phish')
    const res = await postAcs(t, signed({ inResponseTo: request.id, nameId: 'ada@acme.test' }), request.id)
    expect(res.headers.location).toBe('/platform/security/api-keys')
  })

  it('Okta style: only the Response signed, NameID unspecified, short attribute names', async () => {
    const { request } = await startSaml(t, t.platformId)
    const xml = response({
      inResponseTo: request.id,
      nameId: 'okta-00u1',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: { email: 'joy@acme.test', firstName: 'Joy', lastName: 'Young' },
    })
    const res = await postAcs(t, signResponse(xml, key), request.id)
    expect(res.statusCode, res.body).toBe(302)
    expect(res.headers.location).toBe('/account')
  })

  it("Entra style: a persistent NameID and Entra's claim URIs, response and assertion both signed", async () => {
    const { request } = await startSaml(t, t.platformId)
    const xml = response({
      inResponseTo: request.id,
      nameId: 'AAAAAAAAAAAAAAAAAAAAAFqwPcKmSBKJ',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      attributes: {
        [`${ENTRA_CLAIMS}emailaddress`]: 'Joy@Acme.test',
        [`${ENTRA_CLAIMS}givenname`]: 'Joy',
        [`${ENTRA_CLAIMS}surname`]: 'Young',
        [`${ENTRA_CLAIMS}name`]: 'joy@acme.test',
      },
    })
    const res = await postAcs(t, signResponse(signAssertion(xml, key), key), request.id)
    expect(res.statusCode, res.body).toBe(302)
  })

  it('certificate rollover: with two certificates configured, the second one signs', async () => {
    const { request } = await startSaml(t, t.platformId)
    const res = await postAcs(t, signed({ inResponseTo: request.id }, nextKey), request.id)
    expect(res.statusCode, res.body).toBe(302)
  })

  describe('refuses', () => {
    it('an unsigned response and assertion', async () => {
      const { request } = await startSaml(t, t.platformId)
      await refusedWith(await postAcs(t, response({ inResponseTo: request.id }), request.id), 'saml_unsigned')
    })

    it('a signature by a certificate that is not configured', async () => {
      const { request } = await startSaml(t, t.platformId)
      const res = await postAcs(t, signed({ inResponseTo: request.id }, stranger), request.id)
      await refusedWith(res, 'saml_signature_invalid')
    })

    it('a signed assertion whose content was changed after signing', async () => {
      const { request } = await startSaml(t, t.platformId)
      const tampered = signed({ inResponseTo: request.id }).replace('joy@acme.test', 'ada@acme.test')
      await refusedWith(await postAcs(t, tampered, request.id), 'saml_signature_invalid')
    })

    it.each(['sibling', 'extensions'] as const)(
      'XML signature wrapping (signed assertion kept as %s, a forged one used)',
      async (placement) => {
        const { request } = await startSaml(t, t.platformId)
        const wrapped = wrapSignature(signed({ inResponseTo: request.id }), 'ada@acme.test', placement)
        await refusedWith(await postAcs(t, wrapped, request.id), 'saml_signature_wrapping')
      },
    )

    it('a wrong Audience', async () => {
      const { request } = await startSaml(t, t.platformId)
      const audience = `https://other.example/api/v1/authn/saml/${t.platformId}`
      await refusedWith(
        await postAcs(t, signed({ inResponseTo: request.id, audience }), request.id),
        'saml_wrong_audience',
      )
    })

    it('a wrong Destination', async () => {
      const { request } = await startSaml(t, t.platformId)
      const xml = signResponse(
        response({ inResponseTo: request.id, destination: 'https://evil.example/acs' }),
        key,
      )
      await refusedWith(await postAcs(t, xml, request.id), 'saml_wrong_destination')
    })

    it('a wrong Recipient', async () => {
      const { request } = await startSaml(t, t.platformId)
      const res = await postAcs(
        t,
        signed({ inResponseTo: request.id, recipient: 'https://evil.example/acs' }),
        request.id,
      )
      await refusedWith(res, 'saml_wrong_recipient')
    })

    it('an assertion from another issuer, even signed by a configured key', async () => {
      const { request } = await startSaml(t, t.platformId)
      const res = await postAcs(
        t,
        signed({ inResponseTo: request.id, issuer: 'https://evil.example/' }),
        request.id,
      )
      await refusedWith(res, 'saml_wrong_issuer')
    })

    it('an error status from the IdP', async () => {
      const { request } = await startSaml(t, t.platformId)
      const xml = response({
        inResponseTo: request.id,
        status: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
      })
      await refusedWith(
        await postAcs(t, xml, request.id),
        'saml_idp_error',
        request.relayState ? t.platformId : t.platformId,
      )
    })

    it('an encrypted assertion, with a page that says to turn encryption off', async () => {
      const { request } = await startSaml(t, t.platformId)
      // The structure Entra sends with token encryption on; the content is never read.
      const xml = response({ inResponseTo: request.id }).replace(
        /<Assertion [\s\S]*<\/Assertion>/,
        '<EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></EncryptedAssertion>',
      )
      await refusedWith(await postAcs(t, xml, request.id), 'saml_encrypted')
    })

    it('something that is not a SAML response, with a page rather than an error body', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/authn/saml/acs',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'SAMLResponse=%3Cnot-xml',
      })
      expect(res.statusCode).toBe(400)
      expect(res.headers['content-type']).toMatch(/^text\/html/)
      expect(res.body).toContain('saml_malformed')
    })
  })

  describe('time', () => {
    const at = (offset: number) => new Date(Date.now() + offset)

    it('accepts 2 minutes of clock skew either way', async () => {
      for (const o of [
        { notBefore: at(2 * MINUTE) },
        { notOnOrAfter: at(-2 * MINUTE), notBefore: at(-10 * MINUTE) },
      ]) {
        const { request } = await startSaml(t, t.platformId)
        const res = await postAcs(t, signed({ inResponseTo: request.id, ...o }), request.id)
        expect(res.statusCode, res.body).toBe(302)
      }
    })

    it('refuses conditions not yet valid by 4 minutes', async () => {
      const { request } = await startSaml(t, t.platformId)
      const res = await postAcs(
        t,
        signed({ inResponseTo: request.id, notBefore: at(4 * MINUTE) }),
        request.id,
      )
      await refusedWith(res, 'saml_not_yet_valid')
    })

    it('refuses conditions expired 4 minutes ago', async () => {
      const { request } = await startSaml(t, t.platformId)
      const xml = signed({
        inResponseTo: request.id,
        notBefore: at(-10 * MINUTE),
        notOnOrAfter: at(-4 * MINUTE),
      })
      await refusedWith(await postAcs(t, xml, request.id), 'saml_expired')
    })

    it('refuses an expired subject confirmation', async () => {
      const { request } = await startSaml(t, t.platformId)
      const xml = signed({ inResponseTo: request.id, subjectNotOnOrAfter: at(-4 * MINUTE) })
      await refusedWith(await postAcs(t, xml, request.id), 'saml_expired')
    })
  })

  describe('requests and replay', () => {
    it('refuses an InResponseTo that Muster did not issue', async () => {
      const res = await postAcs(t, signed({ inResponseTo: '_never-issued' }))
      await refusedWith(res, 'saml_unknown_request')
    })

    it('refuses an InResponseTo issued for another platform', async () => {
      const { request } = await startSaml(t, other)
      await refusedWith(await postAcs(t, signed({ inResponseTo: request.id })), 'saml_request_other_platform')
    })

    it('refuses an InResponseTo already used', async () => {
      const { request } = await startSaml(t, t.platformId)
      expect((await postAcs(t, signed({ inResponseTo: request.id }), request.id)).statusCode).toBe(302)
      await refusedWith(
        await postAcs(t, signed({ inResponseTo: request.id }), request.id),
        'saml_request_used',
      )
    })

    it('refuses the same assertion twice (replay)', async () => {
      const xml = signed()
      expect((await postAcs(t, xml)).statusCode).toBe(302)
      await refusedWith(await postAcs(t, xml), 'saml_replay')
    })

    it('refuses a response for platform A posted while signing in to B', async () => {
      const { request } = await startSaml(t, other)
      const { request: forA } = await startSaml(t, t.platformId)
      const res = await postAcs(t, signed({ inResponseTo: forA.id }), request.relayState!)
      await refusedWith(res, 'saml_platform_mismatch', other)
    })

    it('IdP-initiated: accepted by default, refused once turned off', async () => {
      expect((await postAcs(t, signed())).statusCode).toBe(302)
      await t.store.transaction((trx) => setToggles(trx, t.platformId, { allowIdpInitiated: false }))
      try {
        await refusedWith(await postAcs(t, signed()), 'saml_idp_initiated_disabled')
      } finally {
        await t.store.transaction((trx) => setToggles(trx, t.platformId, { allowIdpInitiated: true }))
      }
    })

    it('IdP-initiated RelayState: a same-origin path is the landing page, a URL is ignored', async () => {
      const admin = { nameId: 'ada@acme.test' }
      expect((await postAcs(t, signed(admin), '/platform/projects')).headers.location).toBe(
        '/platform/projects',
      )
      expect((await postAcs(t, signed(admin), 'https://evil.example/')).headers.location).toBe(
        '/platform/security/api-keys',
      )
    })
  })

  describe('who gets in', () => {
    it('refuses an inactive user', async () => {
      await refusedWith(await postAcs(t, signed({ nameId: 'gone@acme.test' })), 'user_inactive')
    })

    it('refuses a user deleted through SCIM', async () => {
      const user = await ssoUser(t, t.platformId, 'leaver@acme.test')
      expect((await t.scim('DELETE', `/Users/${user.id}`)).statusCode).toBe(204)
      await refusedWith(await postAcs(t, signed({ nameId: 'leaver@acme.test' })), 'user_unknown')
    })

    it('refuses an unknown person while "Create users on first sign-in" is off', async () => {
      await refusedWith(await postAcs(t, signed({ nameId: 'new@acme.test' })), 'user_unknown')
    })

    it('creates an unknown person of a claimed domain as an ACTIVE MEMBER when turned on', async () => {
      await t.store.transaction((trx) => setToggles(trx, t.platformId, { createUsers: true }))
      try {
        const xml = signed({
          nameId: 'Newcomer@Acme.test',
          attributes: { firstName: 'New', lastName: 'Comer' },
        })
        const res = await postAcs(t, xml)
        expect(res.statusCode, res.body).toBe(302)
        const found = await t.scim(
          'GET',
          `/Users?filter=${encodeURIComponent('userName eq "newcomer@acme.test"')}`,
        )
        const [user] = found.json().Resources
        expect(user).toMatchObject({
          userName: 'Newcomer@Acme.test',
          active: true,
          name: { givenName: 'New', familyName: 'Comer' },
          'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes': { platformRole: 'MEMBER' },
        })
        const event = await t.store.db
          .selectFrom('events')
          .selectAll()
          .where('resource_id', '=', user.id)
          .executeTakeFirstOrThrow()
        expect(event).toMatchObject({ method: 'POST', status: 201, resource_type: 'User' })
        // Another domain is not this platform's to create accounts in.
        await refusedWith(
          await postAcs(t, signed({ nameId: 'someone@elsewhere.test' })),
          'user_domain_not_claimed',
        )
      } finally {
        await t.store.transaction((trx) => setToggles(trx, t.platformId, { createUsers: false }))
      }
    })

    it("matches the user of the response's platform only", async () => {
      // joy@acme.test exists on both platforms; platform B's response signs in B's Joy.
      const { request } = await startSaml(t, other)
      const xml = signAssertion(
        samlResponse({
          audience: entityId(other),
          acsUrl: ACS,
          nameId: 'joy@acme.test',
          inResponseTo: request.id,
        }),
        key,
      )
      const res = await postAcs(t, xml, request.id)
      const account = await t.app.inject({
        method: 'GET',
        url: '/api/v1/account',
        headers: { cookie: setSession(res)! },
      })
      expect(account.json().platform.id).toBe(other)
    })

    it('SCIM deactivation ends an SSO session at once', async () => {
      const user = await ssoUser(t, t.platformId, 'brief@acme.test')
      const res = await postAcs(t, signed({ nameId: 'brief@acme.test' }))
      const cookie = setSession(res)!
      const before = await t.app.inject({ method: 'GET', url: '/api/v1/account', headers: { cookie } })
      expect(before.statusCode).toBe(200)
      const patch = await t.scim('PATCH', `/Users/${user.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      })
      expect(patch.statusCode).toBe(200)
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/account', headers: { cookie } })
      expect(after.statusCode).toBe(401)
    })
  })
})
