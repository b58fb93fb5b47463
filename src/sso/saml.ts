// SAML 2.0 service provider per platform, on @node-saml/node-saml (signatures by xml-crypto; nothing
// here parses or checks a signature by hand). node-saml verifies the signature of the response or
// the assertion against the platform's certificates, the conditions' time window and the Audience;
// this file adds what it leaves to the caller: routing the shared ACS to a platform, Issuer,
// Destination, Recipient, subject expiry, InResponseTo against the database and replay
// (saml-profiles-2.0-os §4.1.4.2-4.1.4.5, §4.1.4.5 on replay).
import { randomBytes } from 'node:crypto'
import { SAML, type SamlConfig, SamlStatusError, ValidateInResponseTo } from '@node-saml/node-saml'
import type { Store } from '../store/database.js'
import { getPlatform } from '../store/platforms.js'
import { createSsoRequest, getSsoRequest, type SsoRequest } from '../store/sso-requests.js'
import { getSsoSettings, type SsoSettings } from '../store/sso-settings.js'
import { platformFromEntityId, type SamlAddresses, safeNext, samlAddresses } from './addresses.js'
import { samlIdentity } from './identity.js'
import { refuse, SignInRefused } from './refusals.js'
import { toPem } from './saml-metadata.js'
import {
  type AssertionSummary,
  type ResponseSummary,
  readAssertion,
  readResponse,
  SAML_SUCCESS,
} from './saml-response.js'
import type { VerifiedSignIn } from './sign-in.js'
import { XmlError } from './xml.js'

/** At most this much clock difference with the IdP is forgiven (SSO.md: at most 3 minutes). */
export const CLOCK_SKEW_MS = 3 * 60_000
/** Assertion IDs are kept at least this long, even when the assertion claims a shorter life. */
const MIN_REPLAY_WINDOW_MS = 10 * 60_000
/** A base64 SAMLResponse larger than this is not a sign-in. */
const MAX_RESPONSE_CHARS = 512 * 1024

function samlFor(settings: SsoSettings, addresses: SamlAddresses): SAML {
  const saml = settings.saml!
  const config: SamlConfig = {
    idpCert: saml.certificates.map(toPem),
    issuer: addresses.entityId,
    audience: addresses.entityId,
    callbackUrl: addresses.acsUrl,
    entryPoint: saml.ssoUrl,
    idpIssuer: saml.entityId,
    // Entra signs the assertion, Okta the response (and often both): either one must verify.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // InResponseTo is checked against the database below, so that several processes agree.
    validateInResponseTo: ValidateInResponseTo.never,
    // Ask for no particular NameID format or authentication context: Entra refuses a request whose
    // format differs from the application's (AADSTS75011), and a password context would rule out MFA.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  }
  return new SAML(config)
}

/** The SP metadata XML for a platform (public, so an IdP can read it by URL). */
export function spMetadata(origin: string, platformId: string): string {
  const addresses = samlAddresses(origin, platformId)
  const saml = new SAML({
    idpCert: 'unused',
    issuer: addresses.entityId,
    callbackUrl: addresses.acsUrl,
    // A signed response or a signed assertion is enough (see samlFor): the metadata says no more.
    wantAssertionsSigned: false,
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  })
  return saml.generateServiceProviderMetadata(null)
}

/**
 * SP-initiated sign-in: stores a new AuthnRequest ID and returns the IdP URL (HTTP-Redirect binding,
 * saml-bindings-2.0-os §3.4). RelayState is that ID: a reference to the stored request (its `next`
 * and test flag), never a URL Muster would redirect to.
 */
export async function startSamlSignIn(
  store: Store,
  origin: string,
  platformId: string,
  { next, test }: { next?: string | undefined; test: boolean },
): Promise<string> {
  const settings = await getSsoSettings(store.db, platformId)
  if (!settings.saml) throw refuse('saml_not_configured')
  const id = `_${randomBytes(20).toString('hex')}`
  await store.transaction((trx) =>
    createSsoRequest(trx, {
      id,
      platformId,
      protocol: 'saml',
      next: safeNext(next) ?? null,
      test,
      nonce: null,
      codeVerifier: null,
    }),
  )
  const saml = samlFor(settings, samlAddresses(origin, platformId))
  saml.options.generateUniqueId = () => id
  return saml.getAuthorizeUrlAsync(id, undefined, {})
}

/** What is known of one ACS post, filled in as checks pass: enough for its event and test page. */
export interface SamlAttempt {
  platformId?: string
  /** The stored request RelayState refers to (SP-initiated). */
  relay?: SsoRequest
  /** RelayState of an IdP-initiated sign-in, when it is a same-origin path. */
  next?: string
  test: boolean
  subject?: string
  received?: ResponseSummary
  verified?: AssertionSummary
}

/**
 * Checks a posted SAMLResponse all the way to a verified identity, or throws SignInRefused. Nothing
 * is written; `completeSignIn` uses up the request and the assertion ID in its transaction.
 */
export async function verifySamlResponse(
  store: Store,
  origin: string,
  body: { SAMLResponse?: unknown; RelayState?: unknown },
  attempt: SamlAttempt,
): Promise<Omit<VerifiedSignIn, 'path' | 'requestId' | 'defaultProjectRole'>> {
  const encoded = typeof body.SAMLResponse === 'string' ? body.SAMLResponse.replace(/\s+/g, '') : ''
  if (!encoded || encoded.length > MAX_RESPONSE_CHARS || !/^[A-Za-z0-9+/]+=*$/.test(encoded))
    throw refuse('saml_malformed')
  const xml = Buffer.from(encoded, 'base64').toString('utf8')
  let received: ResponseSummary | undefined
  try {
    received = readResponse(xml)
  } catch (error) {
    if (error instanceof XmlError) throw refuse('saml_malformed', error.message.split('\n')[0])
    throw error
  }
  if (!received) throw refuse('saml_malformed', 'The document is not a SAML Response.')
  attempt.received = received
  attempt.subject = received.assertion?.nameId

  const relayState = typeof body.RelayState === 'string' ? body.RelayState : undefined
  const relay = relayState ? await getSsoRequest(store.db, relayState) : undefined
  if (relay?.protocol === 'saml') {
    attempt.relay = relay
    attempt.test = relay.test
  } else if (relayState) {
    // Entra and Okta send their own RelayState on IdP-initiated sign-in: a same-origin path is kept
    // as the landing page, anything else is ignored (never an open redirect).
    const next = safeNext(relayState)
    if (next) attempt.next = next
  }

  // Routing only: the platform named by the (not yet verified) Audience, else by the request this
  // answers. Verification below uses that platform's configuration and requires the same Audience.
  const issued = received.inResponseTo ? await getSsoRequest(store.db, received.inResponseTo) : undefined
  const audience = received.assertion?.audiences[0]
  const platformId =
    (audience && platformFromEntityId(audience)) ?? issued?.platformId ?? attempt.relay?.platformId
  // Encrypted assertions are not supported (no SP decryption key): say so rather than "unknown".
  if (received.encrypted) {
    if (platformId && (await getPlatform(store.db, platformId))) attempt.platformId = platformId
    throw refuse('saml_encrypted')
  }
  if (!platformId || !(await getPlatform(store.db, platformId))) throw refuse('saml_unknown_platform')
  attempt.platformId = platformId
  if (attempt.relay && attempt.relay.platformId !== platformId) {
    // The test page belongs to the platform whose test started this.
    attempt.platformId = attempt.relay.platformId
    throw refuse('saml_platform_mismatch', `The response is for platform ${platformId}.`)
  }
  const settings = await getSsoSettings(store.db, platformId)
  if (!settings.saml) throw refuse('saml_not_configured')

  if (received.statusCode !== SAML_SUCCESS)
    throw refuse('saml_idp_error', [received.statusCode, received.statusMessage].filter(Boolean).join(': '))
  if (received.signing === 'wrapped') throw refuse('saml_signature_wrapping')
  if (received.signing === 'none') throw refuse('saml_unsigned')

  const addresses = samlAddresses(origin, platformId)
  let assertionXml: string
  try {
    const { profile } = await samlFor(settings, addresses).validatePostResponseAsync({
      SAMLResponse: encoded,
    })
    assertionXml = profile?.getAssertionXml?.() ?? ''
  } catch (error) {
    throw fromNodeSaml(error)
  }
  const verified = assertionXml ? readAssertion(assertionXml) : undefined
  if (!verified) throw refuse('saml_malformed', 'The verified response holds no assertion.')
  attempt.verified = verified
  attempt.subject = verified.nameId

  if (verified.issuer !== settings.saml.entityId)
    throw refuse('saml_wrong_issuer', `Issuer ${verified.issuer ?? '(none)'}`)
  if (received.destination !== undefined && received.destination !== addresses.acsUrl)
    throw refuse('saml_wrong_destination', `Destination ${received.destination}`)
  if (verified.recipient !== addresses.acsUrl)
    throw refuse('saml_wrong_recipient', `Recipient ${verified.recipient ?? '(none)'}`)
  const now = Date.now()
  const subjectExpiry = verified.subjectNotOnOrAfter ? Date.parse(verified.subjectNotOnOrAfter) : undefined
  if (subjectExpiry !== undefined && (Number.isNaN(subjectExpiry) || now - CLOCK_SKEW_MS >= subjectExpiry))
    throw refuse('saml_expired', 'SubjectConfirmationData NotOnOrAfter has passed.')

  // The signed subject's InResponseTo is the one that counts; an unsigned Response may only agree.
  const inResponseTo = verified.subjectInResponseTo ?? received.inResponseTo
  if (
    verified.subjectInResponseTo &&
    received.inResponseTo &&
    verified.subjectInResponseTo !== received.inResponseTo
  )
    throw refuse('saml_unknown_request', 'The Response and its assertion answer different requests.')
  if (inResponseTo) {
    const request =
      inResponseTo === received.inResponseTo ? issued : await getSsoRequest(store.db, inResponseTo)
    if (request?.protocol === 'saml' && request.platformId === platformId) attempt.test = request.test
  } else if (!settings.allowIdpInitiated) {
    throw refuse('saml_idp_initiated_disabled')
  }
  if (!verified.id) throw refuse('saml_malformed', 'The assertion has no ID.')

  const identity = samlIdentity(verified.nameId, verified.nameIdFormat, verified.attributes)
  attempt.subject = identity.email ?? verified.nameId
  if (!identity.email) throw refuse('saml_no_email')
  const expiries = [verified.notOnOrAfter, verified.subjectNotOnOrAfter]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => !Number.isNaN(t))
  const expiresAt = Math.max(now + MIN_REPLAY_WINDOW_MS, ...expiries.map((t) => t + CLOCK_SKEW_MS))
  return {
    platformId,
    method: 'saml',
    identity: { ...identity, email: identity.email },
    test: attempt.test,
    createUsers: settings.createUsers,
    request: inResponseTo ? { id: inResponseTo } : undefined,
    assertion: { id: verified.id, expiresAt: new Date(expiresAt).toISOString() },
  }
}

/** node-saml reports failures as plain Errors: turn each into its refusal code. */
function fromNodeSaml(error: unknown): SignInRefused {
  if (error instanceof SignInRefused) return error
  if (error instanceof SamlStatusError) return refuse('saml_idp_error', error.message)
  const message = error instanceof Error ? error.message : String(error)
  if (/multiple assertions/i.test(message)) return refuse('saml_signature_wrapping', message)
  if (/signature/i.test(message)) return refuse('saml_signature_invalid', message)
  if (/not yet valid/i.test(message)) return refuse('saml_not_yet_valid', message)
  if (/expired/i.test(message)) return refuse('saml_expired', message)
  if (/audience/i.test(message)) return refuse('saml_wrong_audience', message)
  return refuse('saml_malformed', message)
}
