// First-admin setup through a one-time link printed at first start (or by `muster platform create`).
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { hashPassword } from '../../auth/password.js'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../../scim/schemas/index.js'
import { getPlatform } from '../../store/platforms.js'
import { consumeSetupToken, peekSetupToken } from '../../store/setup-tokens.js'
import { getUserByEmail, insertUser, setPasswordHash, updateUser } from '../../store/users.js'
import type { AdminOptions } from './index.js'

const setupBody = z.object({
  token: z.string().min(1).max(200),
  email: z.email().max(320),
  password: z.string().min(12, 'Use at least 12 characters.').max(1024),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
})

const badLink = {
  error: 'invalid_setup_link',
  message: 'This setup link is invalid, expired or already used.',
}

export async function setupRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get<{ Params: { token: string } }>('/setup/:token', async (request, reply) => {
    const grant = await peekSetupToken(store.db, request.params.token)
    const platform = grant && (await getPlatform(store.db, grant.platformId))
    if (!grant || !platform) return reply.code(404).send(badLink)
    return { platform: { id: platform.id, name: platform.name }, email: grant.email }
  })

  app.post('/setup', async (request, reply) => {
    const parsed = setupBody.safeParse(request.body)
    if (!parsed.success) {
      const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))
      return reply.code(400).send({ error: 'invalid_input', message: 'Some fields are invalid.', fields })
    }
    const { token, email, password, firstName, lastName } = parsed.data
    const passwordHash = await hashPassword(password)
    const userId = await store.transaction(async (trx) => {
      const grant = await consumeSetupToken(trx, token)
      if (!grant) return undefined
      const existing = await getUserByEmail(trx, grant.platformId, email)
      if (existing) {
        const resource = {
          ...(existing.resource as Record<string, unknown>),
          active: true,
          [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' },
        }
        await updateUser(trx, existing, resource)
        await setPasswordHash(trx, existing.id, passwordHash)
        return existing.id
      }
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
      return user.id
    })
    if (!userId) return reply.code(404).send(badLink)
    return reply.code(201).send({ userId, email })
  })
}
