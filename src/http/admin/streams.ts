// Event streams of the signed-in admin's platform (console page Security → Event streams): create,
// list with state and lag, pause/resume, redeliver from a time, send a test event, delete.

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { publicOrigin } from '../../config.js'
import { audit } from '../../domain/audit.js'
import type { Events } from '../../events/service.js'
import { writeTestEvent } from '../../events/service.js'
import {
  createStreamAs,
  deleteStreamAs,
  StreamInputError,
  streamView,
  streamTarget as target,
} from '../../events/streams.js'
import { EVENT_URIS } from '../../events/uris.js'
import { recentDeliveries, redeliverFrom } from '../../store/event-outbox.js'
import { getStream, listStreams, setStreamStatus } from '../../store/event-streams.js'
import { InputError, notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { auditBy } from './write.js'

const createBody = z.object({
  method: z.enum(['push', 'poll'], 'Choose push or poll.'),
  url: z.string().trim().max(2000, 'Use at most 2000 characters.').optional(),
  events: z.array(z.string().max(200)).max(20).optional(),
  audience: z.string().max(500).optional(),
})

const statusBody = z.object({ status: z.enum(['enabled', 'paused'], 'Choose enabled or paused.') })

const redeliverBody = z.object({
  from: z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time, e.g. 2025-01-31T09:00:00Z.' }),
})

type IdParams = { Params: { id: string } }

export async function streamRoutes(
  app: FastifyInstance,
  { store, config, events }: AdminOptions & { events: Events },
): Promise<void> {
  const origin = publicOrigin(config)
  const policy = { allowLoopback: config.EVENTS_ALLOW_LOOPBACK, allowPrivate: config.EVENTS_ALLOW_PRIVATE }
  const find = async (platformId: string, id: string) => {
    const stream = await getStream(store.db, id, platformId)
    if (!stream) throw notFound('The event stream')
    return stream
  }

  app.get('/events/streams', async (request) => {
    const rows = await listStreams(store.db, request.admin.platformId)
    return {
      streams: await Promise.all(rows.map((row) => streamView(store.db, row, origin))),
      eventTypes: EVENT_URIS,
      jwksUrl: `${origin}/.well-known/jwks.json`,
    }
  })

  app.post('/events/streams', async (request, reply) => {
    const body = validate(createBody, request.body)
    try {
      const input = {
        ...(body.method === 'push' ? { push: body.url ?? '' } : { poll: true }),
        events: body.events,
        audience: body.audience,
      }
      const row = await createStreamAs(store, auditBy(request), input, policy, origin)
      request.log.info({ streamId: row.id }, 'event stream created in the console')
      return reply.code(201).send({ stream: await streamView(store.db, row, origin) })
    } catch (error) {
      if (error instanceof StreamInputError) throw new InputError({ [error.field]: error.message })
      throw error
    }
  })

  app.get<IdParams>('/events/streams/:id', async (request) => {
    const stream = await find(request.admin.platformId, request.params.id)
    return {
      stream: await streamView(store.db, stream, origin),
      deliveries: (await recentDeliveries(store.db, stream.id, 25)).map((d) => ({
        id: d.id,
        txn: d.txn,
        createdAt: d.created_at,
        resourceType: d.resource_type,
        resourceId: d.resource_id,
        state: d.state,
        attempts: d.attempts,
        lastAttemptAt: d.last_attempt_at,
        lastStatus: d.last_status,
        lastError: d.last_error,
        deliveredAt: d.delivered_at,
      })),
    }
  })

  app.patch<IdParams>('/events/streams/:id', async (request) => {
    const { status } = validate(statusBody, request.body)
    const stream = await find(request.admin.platformId, request.params.id)
    await store.transaction(async (trx) => {
      await setStreamStatus(trx, stream.id, stream.platform_id, status)
      if (stream.status !== status)
        await audit(trx, auditBy(request), {
          action: status === 'paused' ? 'stream.paused' : 'stream.resumed',
          target: target(stream),
          details: { status: { from: stream.status, to: status } },
        })
    })
    events.nudge()
    request.log.info({ streamId: stream.id, status }, 'event stream status changed in the console')
    return { stream: await streamView(store.db, await find(stream.platform_id, stream.id), origin) }
  })

  app.post<IdParams>('/events/streams/:id/redeliver', async (request) => {
    const { from } = validate(redeliverBody, request.body)
    const stream = await find(request.admin.platformId, request.params.id)
    const count = await store.transaction(async (trx) => {
      const queued = await redeliverFrom(trx, stream.id, new Date(from).toISOString())
      await audit(trx, auditBy(request), {
        action: 'stream.redelivered',
        target: target(stream),
        details: { from: new Date(from).toISOString(), count: queued },
      })
      return queued
    })
    events.nudge()
    request.log.info({ streamId: stream.id, from, count }, 'event stream redelivery asked for')
    return { count }
  })

  app.post<IdParams>('/events/streams/:id/test', async (request, reply) => {
    const stream = await find(request.admin.platformId, request.params.id)
    const id = await store.transaction(async (trx) => {
      const written = await writeTestEvent(trx, stream)
      await audit(trx, auditBy(request), { action: 'stream.test_sent', target: target(stream) })
      return written
    })
    events.nudge()
    return reply.code(202).send({ id })
  })

  app.delete<IdParams>('/events/streams/:id', async (request, reply) => {
    const stream = await find(request.admin.platformId, request.params.id)
    await deleteStreamAs(store, auditBy(request), stream)
    request.log.info({ streamId: stream.id }, 'event stream deleted in the console')
    return reply.code(204).send()
  })
}
