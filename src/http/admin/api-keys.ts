// API keys (the SCIM bearer tokens) of the signed-in admin's platform. The secret is returned once,
// in the create response, and never again.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { issueApiKey, withdrawApiKey } from '../../domain/api-keys.js'
import { listApiKeys } from '../../store/api-keys.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './options.js'
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
    const { key, secret } = await issueApiKey(store, auditBy(request), name)
    request.log.info({ apiKeyId: key.id }, 'API key created in the console')
    return reply.code(201).send({ key: toView(key), secret })
  })

  app.delete<{ Params: { id: string } }>('/api-keys/:id', async (request, reply) => {
    const revoked = await withdrawApiKey(store, auditBy(request), request.params.id)
    if (!revoked) throw new HttpError(404, 'not_found', 'No live API key has this id.')
    request.log.info({ apiKeyId: request.params.id }, 'API key revoked in the console')
    return reply.code(204).send()
  })
}
