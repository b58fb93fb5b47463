// The console's only way to the server: the admin API under /api/v1, JSON in and out, with the
// session cookie. Errors arrive as { error, message, fields? } and become an ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

/** Called on any 401 from a signed-in page, so the app can send the user to sign-in. */
let onUnauthenticated: () => void = () => {}
export function setUnauthenticatedHandler(handler: () => void) {
  onUnauthenticated = handler
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check that Muster is running.')
  }
  if (response.status === 204) return undefined as T
  const data = await response.json().catch(() => ({}))
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/auth/sign-in')) onUnauthenticated()
    throw new ApiError(
      response.status,
      String(data.error ?? 'error'),
      String(data.message ?? `The server answered ${response.status}.`),
      data.fields ?? {},
    )
  }
  return data as T
}

export const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

export type PlatformRole = 'ADMIN' | 'OPERATOR' | 'MEMBER'
export type ProjectRole = 'Admin' | 'Editor' | 'Viewer'

export interface Me {
  user: { id: string; email: string; displayName: string | null }
  platform: { id: string; name: string }
  scimUrl: string
}

/** Why a session was ended by the server (GET /auth/session, or a 401 `session_ended`). */
export interface SessionEnded {
  reason: 'role_changed' | 'deactivated' | 'deleted'
  role: PlatformRole | null
  by: 'scim' | 'console' | 'sso' | null
  endedAt: string
  message: string
}

export interface ScimHealth {
  lastRequest: {
    id: number
    at: string
    method: string
    path: string
    status: number
    apiKeyId: string | null
    apiKeyName: string | null
  } | null
  errors: { since: string; count: number }
  keys: { id: string; name: string; truncated: string; lastUsedAt: string; lastClient: string | null }[]
}

export interface ConnectionTest {
  ok: boolean
  verdict: 'ok' | 'unreachable' | 'refused_key' | 'unexpected'
  tenantUrl: string
  request: string
  status: number | null
  error: string | null
  key: 'valid' | 'other_platform' | 'unknown'
  notTested: string[]
}

export interface ApiKey {
  id: string
  name: string
  truncated: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
  /** User-Agent of the request that last moved lastUsedAt: which client uses the key. */
  lastClient: string | null
}

export interface User {
  id: string
  email: string
  firstName: string | null
  lastName: string | null
  displayName: string | null
  platformRole: PlatformRole
  status: 'ACTIVE' | 'INACTIVE'
  externalId: string | null
  /** scim: provisioned by the IdP; sso: created at a first single sign-on; local: the setup link. */
  source: 'scim' | 'sso' | 'local'
  hasPassword: boolean
  createdAt: string
  updatedAt: string
  version: number
  projects: {
    id: string
    displayName: string
    role: ProjectRole
    roleExplicit: boolean
    /** null: inactive users have no effective role. */
    effectiveRole: ProjectRole | null
  }[]
}

export interface Project {
  id: string
  displayName: string
  externalId: string | null
  projectRole: ProjectRole | null
  /** The role members who follow the project have: its own, else the platform default (detail only). */
  followedRole?: ProjectRole
  memberCount: number
  createdAt: string
  updatedAt: string
}

export interface Member {
  userId: string
  email: string
  displayName: string | null
  platformRole: PlatformRole
  status: 'ACTIVE' | 'INACTIVE'
  role: ProjectRole
  /** True when an admin set the role by hand; otherwise it follows the project's role. */
  roleExplicit: boolean
  /** null: inactive users have no effective role. */
  effectiveRole: ProjectRole | null
}

export interface LogEvent {
  id: number
  createdAt: string
  requestId: string | null
  apiKeyId: string | null
  apiKeyName: string | null
  /** 'scim' (an API key), 'console' (an admin) or 'sso'. */
  actorType: string
  actorUserId: string | null
  actorEmail: string | null
  method: string
  path: string
  status: number
  resourceType: string | null
  resourceId: string | null
  /** The userName or displayName as of the event. */
  resourceName: string | null
  /** False once the resource is deleted: shown without a link. */
  resourceExists: boolean
  changes: Record<string, unknown> | null
  error: string | null
  durationMs: number
}

/** A user an event names by id (members added or removed), as they are now. */
export interface Named {
  id: string
  type: 'User' | 'Group'
  name: string
  displayName: string | null
}

export interface EventDetail extends LogEvent {
  /** Redacted bodies while they are kept; null once pruned. */
  bodies: { request: string | null; response: string | null } | null
}

export interface Settings {
  platform: { id: string; name: string }
  defaultProjectRole: ProjectRole | null
  serverDefaultProjectRole: ProjectRole
  effectiveDefaultProjectRole: ProjectRole
}

export interface Paged {
  total: number
  limit: number
  offset: number
}

export interface SsoSettings {
  platformId: string
  sp: {
    entityId: string
    acsUrl: string
    loginUrl: string
    metadataUrl: string
    oidcRedirectUri: string
    oidcLoginUrl: string
  }
  saml: {
    idpEntityId: string
    ssoUrl: string
    metadataUrl: string | null
    updatedAt: string
    certificates: {
      subject: string
      notBefore: string | null
      notAfter: string | null
      fingerprint: string | null
    }[]
  } | null
  oidc: { issuer: string; clientId: string; clientSecretSet: true; updatedAt: string } | null
  domains: string[]
  requireSso: boolean
  createUsers: boolean
  allowIdpInitiated: boolean
}

export interface SignInEvent {
  id: number
  createdAt: string
  method: 'password' | 'saml' | 'oidc'
  subject: string | null
  userId: string | null
  userEmail: string | null
  outcome: 'accepted' | 'refused'
  reason: string | null
  message: string
  test: boolean
  requestId: string | null
}

export interface TestResult {
  createdAt: string
  protocol: 'saml' | 'oidc'
  accepted: boolean
  code: string | null
  title: string
  message: string
  detail: string | null
  advice: string | null
  subject: string | null
  verified: boolean
  received: Record<string, unknown>
  user: { id: string | null; wouldCreate: boolean } | null
}

export interface Account {
  user: {
    id: string
    email: string
    displayName: string | null
    firstName: string | null
    lastName: string | null
    platformRole: PlatformRole
  }
  platform: { id: string; name: string }
  consoleAccess: boolean
  projects: { id: string; displayName: string; role: ProjectRole; effectiveRole: ProjectRole }[]
}
