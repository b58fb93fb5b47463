// API keys (the SCIM bearer tokens) of the signed-in admin's platform. The secret is returned once,
// in the create response, and never again.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { audit } from '../../domain/audit.js'
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '../../store/api-keys.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './index.js'
import { auditBy } from './write.js'

const createBody = z.object({
  name: z
    .string({ error: 'Give the key a name.' })
    .trim()
    .min(1, 'Give the key a name.')
    .max(100, 'Use at most 100 characters.'),
})

const toView = (k: {
  id: string
  name: string
  truncated: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
  last_user_agent: string | null
}) => ({
  id: k.id,
  name: k.name,
  truncated: `sk-…${k.truncated}`,
  createdAt: k.created_at,
  lastUsedAt: k.last_used_at,
  revokedAt: k.revoked_at,
  lastClient: k.last_user_agent,
})

export async function apiKeyRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get('/api-keys', async (request) => {
    const keys = await listApiKeys(store.db, request.admin.platformId)
    return { keys: keys.map(toView) }
  })

  app.post('/api-keys', async (request, reply) => {
    const { name } = validate(createBody, request.body)
    const { key, secret } = await store.transaction(async (trx) => {
      const created = await createApiKey(trx, request.admin.platformId, name)
      // Named by its last characters as the console shows them; the secret is never recorded.
      await audit(trx, auditBy(request), {
        action: 'api_key.created',
        target: { type: 'api_key', id: created.key.id, name },
        details: { key: `sk-…${created.key.truncated}` },
      })
      return created
    })
    request.log.info({ apiKeyId: key.id }, 'API key created in the console')
    return reply.code(201).send({ key: toView(key), secret })
  })

  app.delete<{ Params: { id: string } }>('/api-keys/:id', async (request, reply) => {
    const revoked = await revokeApiKey(store, request.params.id, request.admin.platformId, async (trx) => {
      const key = await getApiKey(trx, request.params.id)
      await audit(trx, auditBy(request), {
        action: 'api_key.revoked',
        target: { type: 'api_key', id: request.params.id, name: key?.name },
        details: key ? { key: `sk-…${key.truncated}` } : {},
      })
    })
    if (!revoked) throw new HttpError(404, 'not_found', 'No live API key has this id.')
    request.log.info({ apiKeyId: request.params.id }, 'API key revoked in the console')
    return reply.code(204).send()
  })
}
