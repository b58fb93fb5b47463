// Single sign-on test support: SSO-only users, SAML configured from generated IdP metadata, the ACS
// post, the SP-initiated start and the sign-in log, for tests that drive the real endpoints.
import type { LightMyRequestResponse } from 'fastify'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { configureSaml } from '../../src/sso/configure.js'
import type { PlatformRole } from '../../src/store/schema.js'
import { listSignIns } from '../../src/store/sign-in-events.js'
import { insertUser } from '../../src/store/users.js'
import type { TestApp } from './app.js'
import { encodeResponse, type IdpKey, idpMetadata, readAuthnRequest } from './saml-idp.js'

export const ORIGIN = 'https://muster.test'
export const ACS = `${ORIGIN}/api/v1/authn/saml/acs`
export const entityId = (platformId: string) => `${ORIGIN}/api/v1/authn/saml/${platformId}`

/** A provisioned user without a password (people who come through SSO have none). */
export function ssoUser(
  t: Pick<TestApp, 'store'>,
  platformId: string,
  email: string,
  { role = 'MEMBER', active = true }: { role?: PlatformRole; active?: boolean } = {},
) {
  return insertUser(t.store.db, platformId, {
    schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
    userName: email,
    active,
    [CUSTOM_USER_SCHEMA]: { platformRole: role },
  })
}

export function configureTestSaml(t: Pick<TestApp, 'store'>, platformId: string, keys: readonly IdpKey[]) {
  return configureSaml(t.store, platformId, { xml: idpMetadata({ certs: keys.map((k) => k.der) }) })
}

export function postAcs(t: TestApp, xml: string, relayState?: string): Promise<LightMyRequestResponse> {
  const form = new URLSearchParams({ SAMLResponse: encodeResponse(xml) })
  if (relayState !== undefined) form.set('RelayState', relayState)
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/authn/saml/acs',
    // The IdP's page posts the form: a cross-site request, which the ACS must accept.
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
    payload: form.toString(),
  })
}

/** SP-initiated start: the 302 to the IdP and the AuthnRequest it carries. */
export async function startSaml(t: TestApp, platformId: string, next?: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/authn/saml/${platformId}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`,
  })
  if (res.statusCode !== 302) throw new Error(`login answered ${res.statusCode}: ${res.body}`)
  const location = String(res.headers.location)
  return { location, request: readAuthnRequest(location) }
}

export async function lastSignIn(t: Pick<TestApp, 'store'>, platformId: string) {
  const { events } = await listSignIns(t.store.db, platformId, { limit: 1, offset: 0 })
  return events[0]
}

/** The `muster_session=…` pair a response set, or undefined. */
export function setSession(res: LightMyRequestResponse): string | undefined {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
  return header.find((c) => c.startsWith('muster_session='))?.split(';')[0]
}
