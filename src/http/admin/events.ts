// The provisioning log of the signed-in admin's platform, newest first, with the names of what each
// event touched; an event's page adds its request and response bodies while they are kept.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { getEvent, listEvents } from '../../store/event-log.js'
import { notFound, validate } from './errors.js'
import type { AdminOptions } from './index.js'
import { paging } from './paging.js'

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const instant = z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time, e.g. 2025-01-31T09:00:00Z.' })

const listQuery = z.object({
  from: optional(instant),
  to: optional(instant),
  status: optional(
    z.union([z.enum(['success', 'failure']), z.coerce.number().int().min(100).max(599)], {
      error: 'Use success, failure or a status code.',
    }),
  ),
  resourceType: optional(z.string().max(50)),
  resourceId: optional(z.string().max(200)),
  method: optional(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], 'Choose an HTTP method.')),
  apiKeyId: optional(z.string().max(100)),
  q: optional(z.string().trim().min(1).max(200)),
  user: optional(z.string().max(100)),
  afterId: optional(z.coerce.number().int().min(0)),
  ...paging,
})

export async function eventRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get('/events', async (request) => {
    const query = validate(listQuery, request.query)
    // Times compare as ISO strings in the database, so they are normalised to UTC first.
    const from = query.from && new Date(query.from).toISOString()
    const to = query.to && new Date(query.to).toISOString()
    const { total, events, names } = await listEvents(store.db, request.admin.platformId, {
      ...query,
      from,
      to,
    })
    return { total, limit: query.limit, offset: query.offset, events, names }
  })

  app.get<{ Params: { id: string } }>('/events/:id', async (request) => {
    const id = Number(request.params.id)
    const found =
      Number.isSafeInteger(id) && id > 0 ? await getEvent(store.db, request.admin.platformId, id) : undefined
    if (!found) throw notFound('The event')
    return found
  })
}
