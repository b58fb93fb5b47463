// The fixed addresses of SSO.md. Admins paste them into Entra and Okta, so they never change shape:
// the SP entity ID embeds the platform id, and the ACS and the OIDC redirect URI are shared.

export const AUTHN_BASE = '/api/v1/authn'
export const ACS_PATH = `${AUTHN_BASE}/saml/acs`
export const OIDC_CALLBACK_PATH = `${AUTHN_BASE}/oidc/callback`

export interface SamlAddresses {
  /** Entra "Identifier (Entity ID)", Okta "Audience URI (SP Entity ID)". */
  readonly entityId: string
  readonly metadataUrl: string
  /** Entra "Reply URL", Okta "Single sign-on URL". */
  readonly acsUrl: string
  /** Entra "Sign on URL": SP-initiated start. */
  readonly loginUrl: string
}

export function samlAddresses(origin: string, platformId: string): SamlAddresses {
  const entityId = `${origin}${AUTHN_BASE}/saml/${encodeURIComponent(platformId)}`
  return {
    entityId,
    metadataUrl: `${entityId}/metadata`,
    acsUrl: `${origin}${ACS_PATH}`,
    loginUrl: `${entityId}/login`,
  }
}

export function oidcAddresses(origin: string, platformId: string) {
  return {
    loginUrl: `${origin}${AUTHN_BASE}/oidc/${encodeURIComponent(platformId)}/login`,
    redirectUri: `${origin}${OIDC_CALLBACK_PATH}`,
  }
}

/**
 * The platform id named by an SP entity ID (an Audience), or undefined. Only the path is read here,
 * to route a response; verification then requires the Audience to equal the full entity ID.
 */
export function platformFromEntityId(audience: string): string | undefined {
  let path: string
  try {
    path = new URL(audience).pathname
  } catch {
    return undefined
  }
  const match = /^\/api\/v1\/authn\/saml\/([^/]+)\/?$/.exec(path)
  if (!match?.[1] || match[1] === 'acs') return undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return undefined
  }
}

/**
 * `next` as a same-origin path, or undefined: never an open redirect. A path must start with one
 * slash (not `//host` or `/\host`, which browsers read as another origin) and hold no control
 * characters or backslashes.
 */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length === 0 || next.length > 1024) return undefined
  if (!next.startsWith('/') || next.startsWith('//')) return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return undefined
  try {
    const url = new URL(next, 'http://muster.invalid')
    if (url.origin !== 'http://muster.invalid') return undefined
    return url.pathname + url.search + url.hash
  } catch {
    return undefined
  }
}
