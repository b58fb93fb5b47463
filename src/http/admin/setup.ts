// First-admin setup through a one-time link printed at first start (or by `muster platform create`).
// A successful setup signs the new admin in, so the next page is the console itself.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { hashPassword } from '../../auth/password.js'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../../scim/schemas/index.js'
import { setUserSource } from '../../store/console-users.js'
import { getPlatform } from '../../store/platforms.js'
import { createSession } from '../../store/sessions.js'
import { consumeSetupToken, peekSetupToken } from '../../store/setup-tokens.js'
import { getUserByEmail, insertUser, setPasswordHash, updateUser } from '../../store/users.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { setSessionCookie } from './session.js'

const setupBody = z.object({
  token: z.string().min(1).max(200),
  email: z.email('Enter a valid email address.').max(320),
  password: z
    .string({ error: 'Choose a password.' })
    .min(12, 'Use at least 12 characters.')
    .max(1024, 'Use at most 1024 characters.'),
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
})

const badLink = () =>
  new HttpError(404, 'invalid_setup_link', 'This setup link is invalid, expired or already used.')

export async function setupRoutes(app: FastifyInstance, { store, config }: AdminOptions): Promise<void> {
  app.get<{ Params: { token: string } }>('/setup/:token', async (request) => {
    const grant = await peekSetupToken(store.db, request.params.token)
    const platform = grant && (await getPlatform(store.db, grant.platformId))
    if (!grant || !platform) throw badLink()
    return { platform: { id: platform.id, name: platform.name }, email: grant.email }
  })

  app.post('/setup', async (request, reply) => {
    const { token, email, password, firstName, lastName } = validate(setupBody, request.body)
    const passwordHash = await hashPassword(password)
    const created = await store.transaction(async (trx) => {
      const grant = await consumeSetupToken(trx, token)
      if (!grant) return undefined
      const existing = await getUserByEmail(trx, grant.platformId, email)
      let userId: string
      if (existing) {
        const resource = {
          ...(existing.resource as Record<string, unknown>),
          active: true,
          [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
        }
        await updateUser(trx, existing, resource)
        await setPasswordHash(trx, existing.id, passwordHash)
        userId = existing.id
      } else {
        const name = firstName || lastName ? { givenName: firstName, familyName: lastName } : undefined
        const user = await insertUser(
          trx,
          grant.platformId,
          {
            schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
            userName: email,
            ...(name ? { name } : {}),
            active: true,
            [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
          },
          passwordHash,
        )
        userId = user.id
        await setUserSource(trx, userId, 'local')
      }
      return { userId, session: await createSession(trx, userId, grant.platformId) }
    })
    if (!created) throw badLink()
    setSessionCookie(request, reply, config, created.session)
    return reply.code(201).send({ userId: created.userId, email })
  })
}
