// Console sign-in and sign-out. Every failure before a correct password (unknown email, wrong
// password, no password) gets the same answer, and repeated failures slow down per account and per
// address. Only after a correct password is the person told why they cannot come in: the platform
// requires SSO, the account is no longer an ADMIN (say, the IdP changed the role), or it is INACTIVE. "Sign in with SSO"
// sends an email's domain to the IdP of the platform that claims it. Every attempt is a sign-in event.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { verifyPassword } from '../../auth/password.js'
import { accountThrottle, addressThrottle } from '../../auth/throttle.js'
import { AUTHN_BASE, safeNext } from '../../sso/addresses.js'
import { domainOf } from '../../sso/identity.js'
import { REFUSALS, type RefusalCode } from '../../sso/refusals.js'
import {
  type ConsoleAccount,
  createSession,
  deleteSession,
  findConsoleAccounts,
  findSession,
} from '../../store/sessions.js'
import { recordSignIn } from '../../store/sign-in-events.js'
import { getSsoSettings, platformOfDomain } from '../../store/sso-settings.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { tenantUrl } from './scim-connection.js'
import {
  clearSessionCookie,
  endedSession,
  requireAdmin,
  SESSION_COOKIE,
  setSessionCookie,
} from './session.js'

export const SIGN_IN_FAILED = 'Email or password is incorrect.'
export const SSO_NOT_FOUND =
  'Single sign-on is not set up for this email domain. Sign in with your password, or ask your administrator.'

type PasswordOutcome =
  | { account: ConsoleAccount; reason: undefined; at: { platformId: string; userId: string } }
  | {
      account?: undefined
      reason: 'password_incorrect' | 'password_sso_required' | 'password_not_admin' | 'user_inactive'
      at: { platformId: string | null; userId?: string }
      role?: string
    }

const refusal = (code: RefusalCode) => ({ reason: code, message: REFUSALS[code].message })

const ssoBody = z.object({
  email: z.email('Enter your work email address.').max(320),
  next: z.string().max(1024).optional(),
})

const signInBody = z.object({
  email: z.string({ error: 'Enter your email address.' }).trim().min(1, 'Enter your email address.').max(320),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024),
})

export async function authRoutes(app: FastifyInstance, { store, config }: AdminOptions): Promise<void> {
  const accounts = accountThrottle()
  const addresses = addressThrottle()

  app.post('/auth/sign-in', async (request, reply) => {
    const { email, password } = validate(signInBody, request.body)
    const accountKey = email.toLowerCase()
    const wait = Math.max(accounts.wait(accountKey), addresses.wait(request.ip))
    const event = { method: 'password' as const, subject: email, requestId: request.id }
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000)
      await recordSignIn(store.db, {
        ...event,
        platformId: null,
        outcome: 'refused',
        ...refusal('password_throttled'),
      })
      reply.header('retry-after', String(seconds))
      throw new HttpError(429, 'too_many_attempts', `Too many failed attempts. Try again in ${seconds} s.`)
    }
    const outcome = await signIn(email, password)
    if (outcome.reason === 'password_sso_required') {
      await recordSignIn(store.db, {
        ...event,
        ...outcome.at,
        outcome: 'refused',
        ...refusal(outcome.reason),
      })
      const { message, advice } = REFUSALS.password_sso_required
      throw new HttpError(403, 'sso_required', `${message} ${advice}`)
    }
    if (outcome.reason === 'password_not_admin' || outcome.reason === 'user_inactive') {
      // The password was right: this is no guess, so it neither counts as a failure nor hides why.
      accounts.reset(accountKey)
      await recordSignIn(store.db, {
        ...event,
        ...outcome.at,
        outcome: 'refused',
        ...refusal(outcome.reason),
      })
      if (outcome.reason === 'user_inactive')
        throw new HttpError(
          403,
          'account_inactive',
          'Your password is correct, but your account is deactivated, so it cannot sign in. Ask your administrator to reactivate it (in your identity provider if it manages your account).',
        )
      throw new HttpError(
        403,
        'no_console_access',
        `Your password is correct, but you no longer have console access: your platform role is ${outcome.role}, and only ADMINs can use the console. If this is a mistake, ask another admin or your identity provider administrator.`,
      )
    }
    if (!outcome.account) {
      accounts.fail(accountKey)
      addresses.fail(request.ip)
      request.log.info({ event: 'sign_in_failed' }, 'console sign-in failed')
      await recordSignIn(store.db, {
        ...event,
        ...outcome.at,
        outcome: 'refused',
        ...refusal(outcome.reason),
      })
      throw new HttpError(401, 'sign_in_failed', SIGN_IN_FAILED)
    }
    const { account } = outcome
    accounts.reset(accountKey)
    const token = await store.transaction(async (trx) => {
      await recordSignIn(trx, {
        ...event,
        platformId: account.platformId,
        userId: account.id,
        outcome: 'accepted',
        message: 'Signed in with a password.',
      })
      return createSession(trx, account.id, account.platformId)
    })
    setSessionCookie(request, reply, config, token)
    return { userId: account.id, platformId: account.platformId }
  })

  /**
   * The account whose password matches, if it may use the console; else why not, and which platform
   * and user the attempt concerns (for the sign-in log of that platform).
   */
  async function signIn(email: string, password: string): Promise<PasswordOutcome> {
    const candidates = await findConsoleAccounts(store.db, email)
    // verifyPassword spends a full scrypt even without a hash, so an unknown email is not faster.
    if (candidates.length === 0) await verifyPassword(password, null)
    let refused: PasswordOutcome | undefined
    for (const account of candidates) {
      if (!(await verifyPassword(password, account.passwordHash))) continue
      const at = { platformId: account.platformId, userId: account.id }
      if (account.status !== 'ACTIVE') {
        refused ??= { reason: 'user_inactive', at }
      } else if (account.platformRole !== 'ADMIN') {
        refused ??= { reason: 'password_not_admin', at, role: account.platformRole }
      } else if ((await getSsoSettings(store.db, account.platformId)).requireSso) {
        refused = { reason: 'password_sso_required', at }
      } else {
        return { account, reason: undefined, at }
      }
    }
    // A wrong password is logged on the platform of the email when only one platform has it.
    const only =
      candidates.length === 1
        ? { platformId: candidates[0]!.platformId, userId: candidates[0]!.id }
        : undefined
    return refused ?? { reason: 'password_incorrect', at: only ?? { platformId: null } }
  }

  // "Sign in with SSO": the answer depends on the email's domain only, never on whether such a user
  // exists: a claimed domain goes to its platform's IdP, any other gets the same neutral message.
  app.post('/auth/sso', async (request) => {
    const { email, next } = validate(ssoBody, request.body)
    const platformId = await platformOfDomain(store.db, domainOf(email))
    const settings = platformId ? await getSsoSettings(store.db, platformId) : undefined
    const query = safeNext(next) ? `?next=${encodeURIComponent(safeNext(next)!)}` : ''
    if (platformId && settings?.saml)
      return { redirect: `${AUTHN_BASE}/saml/${encodeURIComponent(platformId)}/login${query}` }
    if (platformId && settings?.oidc)
      return { redirect: `${AUTHN_BASE}/oidc/${encodeURIComponent(platformId)}/login${query}` }
    return { redirect: null, message: SSO_NOT_FOUND }
  })

  app.post('/auth/sign-out', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE]
    if (token) await deleteSession(store.db, token)
    clearSessionCookie(request, reply, config)
    return reply.code(204).send()
  })

  // For the sign-in page: whether this browser's session was ended by a role change or a deactivation
  // (and by whom, when), so the page can say why the person was signed out. Reads the cookie only.
  app.get('/auth/session', async (request) => {
    const token = request.cookies[SESSION_COOKIE]
    const live = token ? await findSession(store.db, token) : undefined
    return {
      signedIn: live !== undefined,
      ended: live ? null : ((await endedSession(store, request)) ?? null),
    }
  })

  app.get('/auth/me', { onRequest: requireAdmin(store) }, async (request) => {
    const { userId, email, displayName, platformId, platformName } = request.admin
    return {
      user: { id: userId, email, displayName },
      platform: { id: platformId, name: platformName },
      // The tenant URL an identity provider needs; PUBLIC_URL when set, else how this request came in.
      scimUrl: tenantUrl(request, config),
    }
  })
}
