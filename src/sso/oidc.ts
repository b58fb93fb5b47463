// OpenID Connect relying party per platform, on openid-client: authorization code flow with PKCE
// (RFC 7636, S256), `state` and `nonce` (OIDC Core §3.1.2.1, §15.5.2). openid-client verifies the
// ID token's signature (keys from the issuer's JWKS), iss, aud, exp, iat and nonce; Muster keeps the
// flow's state in the database and maps each failure to its refusal code.
//
// Where the flow state lives: a row keyed by `state` (platform, nonce, code_verifier, next, test
// flag), so any process can finish a flow another one started; and the same `state` in a short-lived
// HttpOnly SameSite=Lax cookie, so only the browser that started the flow can finish it (login CSRF,
// RFC 6749 §10.12). Lax cookies ride along the IdP's top-level GET redirect back to the callback.
import * as client from 'openid-client'
import type { SecretBox } from '../crypto/secret-box.js'
import type { Store } from '../store/database.js'
import { createSsoRequest, getSsoRequest, REQUEST_TTL_MS, type SsoRequest } from '../store/sso-requests.js'
import { getSsoSettings, type SsoSettings } from '../store/sso-settings.js'
import { OIDC_CALLBACK_PATH, oidcAddresses, safeNext } from './addresses.js'
import { oidcIdentity } from './identity.js'
import { refuse, SignInRefused } from './refusals.js'
import { checkRemoteUrl, isLoopbackHost } from './remote-url.js'
import type { VerifiedSignIn } from './sign-in.js'

export const OIDC_COOKIE = 'muster_oidc'
export const OIDC_SCOPE = 'openid email profile'

/** The AAD context of a platform's sealed client secret. */
export const clientSecretContext = (platformId: string) => `oidc-client-secret:${platformId}`

/** Discovery documents are fetched once per platform setting and process, then kept a few minutes. */
const DISCOVERY_TTL_MS = 5 * 60_000
const discovered = new Map<string, { config: Promise<client.Configuration>; until: number }>()

/** The discovered configuration of the platform's issuer; openid-client checks its `issuer` matches. */
export function discoverIssuer(
  issuer: string,
  clientId: string,
  clientSecret: string,
): Promise<client.Configuration> {
  const checked = checkRemoteUrl(issuer)
  if ('error' in checked) return Promise.reject(new Error(checked.error))
  const url = checked.url
  return client.discovery(url, clientId, clientSecret, client.ClientSecretBasic(clientSecret), {
    timeout: 10,
    // Plain http only on loopback, where checkRemoteUrl let it through (a local test IdP).
    ...(url.protocol === 'http:' && isLoopbackHost(url.hostname)
      ? { execute: [client.allowInsecureRequests] }
      : {}),
  })
}

function configFor(settings: SsoSettings, box: SecretBox): Promise<client.Configuration> {
  const oidc = settings.oidc!
  const key = `${settings.platformId}\n${oidc.issuer}\n${oidc.clientId}\n${oidc.updatedAt}`
  const cached = discovered.get(key)
  if (cached && cached.until > Date.now()) return cached.config
  const config = discoverIssuer(
    oidc.issuer,
    oidc.clientId,
    box.open(oidc.sealedSecret, clientSecretContext(settings.platformId)),
  )
  discovered.set(key, { config, until: Date.now() + DISCOVERY_TTL_MS })
  // A failed discovery is not kept: the next sign-in tries again.
  config.catch(() => discovered.delete(key))
  for (const [k, v] of discovered) if (v.until <= Date.now()) discovered.delete(k)
  return config
}

/** Starts a flow: stores its state and returns the IdP URL and the state for the cookie. */
export async function startOidcSignIn(
  store: Store,
  box: SecretBox,
  origin: string,
  platformId: string,
  { next, test }: { next?: string | undefined; test: boolean },
): Promise<{ url: string; state: string }> {
  const settings = await getSsoSettings(store.db, platformId)
  if (!settings.oidc) throw refuse('oidc_not_configured')
  let config: client.Configuration
  try {
    config = await configFor(settings, box)
  } catch (error) {
    throw refuse('oidc_discovery_failed', (error as Error).message)
  }
  const state = client.randomState()
  const nonce = client.randomNonce()
  const codeVerifier = client.randomPKCECodeVerifier()
  await store.transaction((trx) =>
    createSsoRequest(trx, {
      id: state,
      platformId,
      protocol: 'oidc',
      next: safeNext(next) ?? null,
      test,
      nonce,
      codeVerifier,
    }),
  )
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: oidcAddresses(origin, platformId).redirectUri,
    scope: OIDC_SCOPE,
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  return { url: url.href, state }
}

export interface OidcAttempt {
  platformId?: string
  request?: SsoRequest
  test: boolean
  subject?: string
  /** Verified claims, for the test page. */
  claims?: Record<string, unknown>
  issuer?: string
}

/** Finishes a flow at the callback: a verified identity, or SignInRefused. Nothing is written. */
export async function verifyOidcCallback(
  store: Store,
  box: SecretBox,
  origin: string,
  search: URLSearchParams,
  cookieState: string | undefined,
  attempt: OidcAttempt,
): Promise<Omit<VerifiedSignIn, 'path' | 'requestId' | 'defaultProjectRole'>> {
  const state = search.get('state') ?? ''
  const request = state ? await getSsoRequest(store.db, state) : undefined
  if (request?.protocol === 'oidc') {
    attempt.platformId = request.platformId
    attempt.request = request
    attempt.test = request.test
  }
  if (request?.protocol !== 'oidc' || !cookieState || cookieState !== state)
    throw refuse('oidc_state_mismatch', cookieState ? undefined : 'No sign-in was started in this browser.')
  if (request.usedAt || Date.parse(request.createdAt) < Date.now() - REQUEST_TTL_MS)
    throw refuse('oidc_request_expired')
  const idpError = search.get('error')
  if (idpError)
    throw refuse('oidc_idp_error', [idpError, search.get('error_description')].filter(Boolean).join(': '))
  const settings = await getSsoSettings(store.db, request.platformId)
  if (!settings.oidc) throw refuse('oidc_not_configured')
  attempt.issuer = settings.oidc.issuer
  let config: client.Configuration
  try {
    config = await configFor(settings, box)
  } catch (error) {
    throw refuse('oidc_discovery_failed', (error as Error).message)
  }
  const callback = new URL(`${OIDC_CALLBACK_PATH}?${search.toString()}`, origin)
  let claims: Record<string, unknown>
  try {
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.codeVerifier ?? '',
      expectedState: state,
      expectedNonce: request.nonce ?? '',
      idTokenExpected: true,
    })
    claims = { ...(tokens.claims() ?? {}) }
    // Entra and others may leave email out of the ID token; the user info endpoint has it then.
    if (claims.email === undefined && tokens.access_token && typeof claims.sub === 'string') {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => undefined)
      if (info) claims = { ...info, ...claims, email: info.email }
    }
  } catch (error) {
    throw fromOpenIdClient(error)
  }
  attempt.claims = claims
  const identity = oidcIdentity(claims)
  attempt.subject = identity.email ?? (typeof claims.sub === 'string' ? claims.sub : undefined)
  if (claims.email_verified === false) throw refuse('oidc_email_unverified')
  if (!identity.email) throw refuse('oidc_no_email')
  return {
    platformId: request.platformId,
    method: 'oidc',
    identity: { ...identity, email: identity.email },
    test: request.test,
    createUsers: settings.createUsers,
    request: { id: state },
  }
}

/**
 * openid-client reports failures as ClientError with a code; the oauth4webapi error it wraps (its
 * `cause`) names the claim at fault in its own `cause`.
 */
function fromOpenIdClient(error: unknown): SignInRefused {
  if (error instanceof SignInRefused) return error
  type Failure = { code?: string; message?: string; cause?: Failure & { claim?: string } }
  const { code, cause } = error as Failure
  const claim = cause?.cause?.claim ?? cause?.claim
  const message = cause?.message ?? (error as Failure).message
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    if (claim === 'iss') return refuse('oidc_wrong_issuer', message)
    if (claim === 'aud' || claim === 'azp') return refuse('oidc_wrong_audience', message)
    if (claim === 'nonce') return refuse('oidc_nonce_mismatch', message)
  }
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' && (claim === 'exp' || claim === 'iat'))
    return refuse('oidc_token_expired', message)
  if (code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR') return refuse('oidc_idp_error', message)
  if (/"iss"/.test(message ?? '')) return refuse('oidc_wrong_issuer', message)
  return refuse('oidc_failed', message)
}
