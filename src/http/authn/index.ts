// Single sign-on endpoints at the fixed addresses of SSO.md, under /api/v1/authn. They sit outside
// the admin API's scope on purpose: the ACS receives a cross-site POST from the IdP, which the admin
// API's cross-origin guard would refuse. Every attempt ends in one of three ways: a session and a
// redirect, a test result page (Test sign-in), or a refusal page for the person; each writes an event.
import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import type { SecretBox } from '../../crypto/secret-box.js'
import { safeNext } from '../../sso/addresses.js'
import { OIDC_COOKIE, type OidcAttempt, startOidcSignIn, verifyOidcCallback } from '../../sso/oidc.js'
import { REFUSALS, SignInRefused } from '../../sso/refusals.js'
import { type SamlAttempt, spMetadata, startSamlSignIn, verifySamlResponse } from '../../sso/saml.js'
import { completeSignIn, type VerifiedSignIn } from '../../sso/sign-in.js'
import {
  acceptedResult,
  oidcReceived,
  refusedResult,
  samlReceived,
  type TestResult,
} from '../../sso/test-result.js'
import type { Store } from '../../store/database.js'
import { getPlatform } from '../../store/platforms.js'
import { recordSignIn } from '../../store/sign-in-events.js'
import { saveTestResult } from '../../store/sso-requests.js'
import { setSessionCookie } from '../admin/session.js'
import { sendRefusalPage } from './page.js'

export interface AuthnOptions {
  readonly store: Store
  readonly config: Config
  readonly box: SecretBox
}

/** Where the console opens for an admin, and the page of everyone else. */
export const CONSOLE_HOME = '/platform/security/api-keys'
export const ACCOUNT_PAGE = '/account'
export const testResultPage = (id: string) => `/platform/security/sso/test/${encodeURIComponent(id)}`

/** PUBLIC_URL when set, else how this request came in: the origin the SSO addresses are built on. */
export function originOf(request: FastifyRequest, config: Config): string {
  return config.PUBLIC_URL ?? `${request.protocol}://${request.host}`
}

const OIDC_COOKIE_PATH = '/api/v1/authn/oidc'

/** The short-lived cookie that binds an OIDC flow to the browser that started it (see sso/oidc.ts). */
export function setOidcFlowCookie(reply: FastifyReply, origin: string, state: string) {
  reply.setCookie(OIDC_COOKIE, state, {
    httpOnly: true,
    sameSite: 'lax',
    path: OIDC_COOKIE_PATH,
    secure: origin.startsWith('https:'),
    maxAge: 600,
  })
}

type Params = { platformId: string }
type Query = { next?: string }

export async function authnRoutes(app: FastifyInstance, { store, config, box }: AuthnOptions): Promise<void> {
  await app.register(cookie)
  // The ACS receives the HTTP-POST binding: an HTML form post (saml-bindings-2.0-os §3.5).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  )
  // A refusal thrown before any attempt was tied to a platform (for instance an unknown platform in
  // the path) still gets a page, never JSON or a stack trace.
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof SignInRefused) return sendRefusalPage(reply, error.code, request.id)
    const status = (error as { statusCode?: number }).statusCode
    if (status && status >= 400 && status < 500) return sendRefusalPage(reply, 'saml_malformed', request.id)
    request.log.error({ err: error }, 'single sign-on error')
    return reply
      .code(500)
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><title>Sign-in failed</title><p>Something went wrong. Start the sign-in again.</p>',
      )
  })

  app.get<{ Params: Params }>('/saml/:platformId/metadata', async (request, reply) => {
    if (!(await getPlatform(store.db, request.params.platformId)))
      return reply.code(404).type('text/plain; charset=utf-8').send('No platform with that id.\n')
    return reply
      .type('application/samlmetadata+xml; charset=utf-8')
      .send(spMetadata(originOf(request, config), request.params.platformId))
  })

  app.get<{ Params: Params; Querystring: Query }>('/saml/:platformId/login', async (request, reply) => {
    const { platformId } = request.params
    try {
      const url = await startSamlSignIn(store, originOf(request, config), platformId, {
        next: request.query.next,
        test: false,
      })
      return reply.redirect(url, 302)
    } catch (error) {
      return refused(request, reply, 'saml', error, { platformId, test: false })
    }
  })

  app.post<{ Body: Record<string, unknown> | undefined }>('/saml/acs', async (request, reply) => {
    const attempt: SamlAttempt = { test: false }
    try {
      const verified = await verifySamlResponse(store, originOf(request, config), request.body ?? {}, attempt)
      return await signIn(request, reply, verified, attempt.relay?.next ?? attempt.next, (user) =>
        acceptedResult('saml', attempt.subject, samlReceived(attempt), user),
      )
    } catch (error) {
      return refused(request, reply, 'saml', error, attempt, () => samlReceived(attempt), !!attempt.verified)
    }
  })

  app.get<{ Params: Params; Querystring: Query }>('/oidc/:platformId/login', async (request, reply) => {
    const { platformId } = request.params
    try {
      const { url, state } = await startOidcSignIn(store, box, originOf(request, config), platformId, {
        next: request.query.next,
        test: false,
      })
      setFlowCookie(request, reply, state)
      return reply.redirect(url, 302)
    } catch (error) {
      return refused(request, reply, 'oidc', error, { platformId, test: false })
    }
  })

  app.get('/oidc/callback', async (request, reply) => {
    const attempt: OidcAttempt = { test: false }
    const search = new URLSearchParams(request.url.split('?')[1] ?? '')
    const cookieState = request.cookies[OIDC_COOKIE]
    reply.clearCookie(OIDC_COOKIE, { path: OIDC_COOKIE_PATH, httpOnly: true, sameSite: 'lax' })
    try {
      const verified = await verifyOidcCallback(
        store,
        box,
        originOf(request, config),
        search,
        cookieState,
        attempt,
      )
      return await signIn(request, reply, verified, attempt.request?.next ?? undefined, (user) =>
        acceptedResult('oidc', attempt.subject, oidcReceived(attempt), user),
      )
    } catch (error) {
      return refused(request, reply, 'oidc', error, attempt, () => oidcReceived(attempt), !!attempt.claims)
    }
  })

  const setFlowCookie = (request: FastifyRequest, reply: FastifyReply, state: string) =>
    setOidcFlowCookie(reply, originOf(request, config), state)

  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    verified: Omit<VerifiedSignIn, 'path' | 'requestId' | 'defaultProjectRole'>,
    next: string | null | undefined,
    result: (user: { id: string | undefined; wouldCreate: boolean }) => TestResult,
  ) {
    const done = await completeSignIn(store, {
      ...verified,
      path: request.url.split('?')[0] ?? request.url,
      requestId: request.id,
      defaultProjectRole: config.SCIM_DEFAULT_PROJECT_ROLE,
    })
    request.log.info(
      { event: 'sign_in', method: verified.method, platformId: verified.platformId },
      'signed in',
    )
    if (verified.test) {
      const id = await saveTestResult(
        store.db,
        verified.platformId,
        result({ id: done.userId, wouldCreate: done.wouldCreate }),
      )
      return reply.redirect(testResultPage(id), 302)
    }
    setSessionCookie(request, reply, config, done.token!)
    const target = done.platformRole === 'ADMIN' ? (safeNext(next) ?? CONSOLE_HOME) : ACCOUNT_PAGE
    return reply.redirect(target, 302)
  }

  async function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    method: 'saml' | 'oidc',
    error: unknown,
    attempt: { platformId?: string; test: boolean; subject?: string },
    received: () => Record<string, unknown> = () => ({}),
    verified = false,
  ) {
    if (!(error instanceof SignInRefused)) throw error
    // A platform id from a path may name nothing; the event is then not tied to a platform.
    if (attempt.platformId && !(await getPlatform(store.db, attempt.platformId)))
      attempt.platformId = undefined
    request.log.info(
      { event: 'sign_in_refused', method, platformId: attempt.platformId, reason: error.code },
      'sign-in refused',
    )
    await recordSignIn(store.db, {
      platformId: attempt.platformId ?? null,
      method,
      subject: attempt.subject,
      outcome: 'refused',
      reason: error.code,
      message: error.detail
        ? `${REFUSALS[error.code].message} (${error.detail})`
        : REFUSALS[error.code].message,
      test: attempt.test,
      requestId: request.id,
    })
    if (attempt.test && attempt.platformId) {
      const id = await saveTestResult(
        store.db,
        attempt.platformId,
        refusedResult(method, error, attempt.subject, received(), verified),
      )
      return reply.redirect(testResultPage(id), 302)
    }
    return sendRefusalPage(reply, error.code, request.id)
  }
}
