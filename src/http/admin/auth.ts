// Console sign-in and sign-out. Every failure (unknown email, wrong password, no password, not an
// ADMIN, INACTIVE) gets the same answer, and repeated failures slow down per account and per address.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { verifyPassword } from '../../auth/password.js'
import { accountThrottle, addressThrottle } from '../../auth/throttle.js'
import { createSession, deleteSession, findConsoleAccounts } from '../../store/sessions.js'
import { SCIM_BASE } from '../scim/request.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './index.js'
import { clearSessionCookie, requireAdmin, SESSION_COOKIE, setSessionCookie } from './session.js'

export const SIGN_IN_FAILED = 'Email or password is incorrect.'

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
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000)
      reply.header('retry-after', String(seconds))
      throw new HttpError(429, 'too_many_attempts', `Too many failed attempts. Try again in ${seconds} s.`)
    }
    const account = await signIn(email, password)
    if (!account) {
      accounts.fail(accountKey)
      addresses.fail(request.ip)
      request.log.info({ event: 'sign_in_failed' }, 'console sign-in failed')
      throw new HttpError(401, 'sign_in_failed', SIGN_IN_FAILED)
    }
    accounts.reset(accountKey)
    const token = await createSession(store.db, account.id, account.platformId)
    setSessionCookie(request, reply, config, token)
    return { userId: account.id, platformId: account.platformId }
  })

  /** The account whose password matches, if it may use the console. */
  async function signIn(email: string, password: string) {
    const candidates = await findConsoleAccounts(store.db, email)
    // verifyPassword spends a full scrypt even without a hash, so an unknown email is not faster.
    if (candidates.length === 0) await verifyPassword(password, null)
    for (const account of candidates) {
      if (!(await verifyPassword(password, account.passwordHash))) continue
      if (account.platformRole === 'ADMIN' && account.status === 'ACTIVE') return account
    }
    return undefined
  }

  app.post('/auth/sign-out', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE]
    if (token) await deleteSession(store.db, token)
    clearSessionCookie(request, reply, config)
    return reply.code(204).send()
  })

  app.get('/auth/me', { onRequest: requireAdmin(store) }, async (request) => {
    const { userId, email, displayName, platformId, platformName } = request.admin
    return {
      user: { id: userId, email, displayName },
      platform: { id: platformId, name: platformName },
      // The tenant URL an identity provider needs; PUBLIC_URL when set, else how this request came in.
      scimUrl: (config.PUBLIC_URL ?? `${request.protocol}://${request.host}`) + SCIM_BASE,
    }
  })
}
