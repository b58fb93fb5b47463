// Console session cookies and the two guards of the admin API: a session check for the protected
// routes and a cross-origin check for every state-changing call.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import type { Store } from '../../store/database.js'
import {
  findSession,
  SESSION_MAX_MS,
  type SessionEnd,
  type SessionIdentity,
  sessionEnd,
} from '../../store/sessions.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in platform admin of a console request. */
    admin: SessionIdentity
    /** The signed-in person (any role) of a member-page request. */
    account: SessionIdentity
  }
}

export const SESSION_COOKIE = 'muster_session'

/** Secure cookies whenever the console is reached over HTTPS (directly or per PUBLIC_URL). */
function isHttps(request: FastifyRequest, config: Config): boolean {
  return config.PUBLIC_URL?.startsWith('https:') === true || request.protocol === 'https'
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  token: string,
) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isHttps(request, config),
    maxAge: SESSION_MAX_MS / 1000,
  })
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, config: Config) {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isHttps(request, config),
  })
}

const WHO: Record<string, string> = {
  scim: 'by your identity provider (SCIM)',
  console: 'by a platform admin in the console',
  sso: 'at single sign-on',
}

/** What the person whose session ended is told (the page adds the time in their own format). */
export function sessionEndMessage(end: SessionEnd): string {
  const who = end.by && WHO[end.by] ? ` ${WHO[end.by]}` : ''
  if (end.reason === 'deactivated') return `You were signed out because your account was deactivated${who}.`
  if (end.reason === 'deleted') return `You were signed out because your account was deleted${who}.`
  return `You were signed out because your platform role was changed to ${end.role ?? 'another role'}${who}. Only ADMINs can use the console.`
}

/** Why the session of this request's cookie ended (role change, deactivation), or undefined. */
export async function endedSession(store: Store, request: FastifyRequest) {
  const token = request.cookies[SESSION_COOKIE]
  const end = token ? await sessionEnd(store.db, token) : undefined
  if (!end) return undefined
  return {
    reason: end.reason,
    role: end.role ?? null,
    by: end.by ?? null,
    endedAt: end.at,
    message: sessionEndMessage(end),
  }
}

/**
 * 401 for a request without a live session. When the cookie's session was ended by a role change or
 * a deactivation the answer says so (error `session_ended`, with the reason code, the new role, who
 * and when), so the console can tell the person instead of a silent redirect.
 */
async function unauthenticated(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const ended = await endedSession(store, request)
  if (ended) return reply.code(401).send({ error: 'session_ended', ...ended })
  return reply.code(401).send({ error: 'unauthenticated', message: 'Sign in to continue.' })
}

/**
 * onRequest hook: a live session of an ACTIVE ADMIN. No session → 401; a session of an OPERATOR or
 * MEMBER (signed in through SSO) → 403, since it is good for their own page only. The role is read
 * on every call, so it is never older than the request. Scopes every call to that platform.
 */
export function requireAdmin(store: Store) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = request.cookies[SESSION_COOKIE]
    const identity = token ? await findSession(store.db, token) : undefined
    if (!identity) return unauthenticated(store, request, reply)
    if (identity.platformRole !== 'ADMIN') {
      return reply
        .code(403)
        .send({ error: 'not_admin', message: 'Only platform admins can use the console.' })
    }
    request.admin = identity
  }
}

/** onRequest hook: a live session of any ACTIVE user (the member page), else 401. */
export function requireAccount(store: Store) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = request.cookies[SESSION_COOKIE]
    const identity = token ? await findSession(store.db, token) : undefined
    if (!identity) return unauthenticated(store, request, reply)
    request.account = identity
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Cross-site request forgery protection, by Fetch Metadata and Origin (the approach of Go's
 * http.CrossOriginProtection): a browser marks every request with Sec-Fetch-Site, and older ones
 * send Origin on every non-GET request, so a state-changing call is refused when either says it
 * came from another site. Requests with neither are not from a browser (curl, scripts) and carry no
 * ambient cookie risk. SameSite=Lax cookies and JSON-only bodies are the second and third lines.
 */
export function crossOriginGuard(config: Config) {
  const trusted = config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : undefined
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (SAFE_METHODS.has(request.method)) return
    const site = request.headers['sec-fetch-site']
    if (site === 'same-origin' || site === 'none') return
    const origin = request.headers.origin
    if (site === undefined && origin === undefined) return
    if (site === undefined && origin !== undefined && sameOrigin(origin, request, trusted)) return
    return reply.code(403).send({
      error: 'cross_origin',
      message: 'This request came from another site and was refused.',
    })
  }
}

function sameOrigin(origin: string, request: FastifyRequest, trusted: string | undefined): boolean {
  if (origin === trusted) return true
  try {
    return new URL(origin).host === request.host
  } catch {
    return false
  }
}
