// Events out over HTTP: the public JWKS that verifies SETs, and the poll endpoint (RFC 8936) that
// a platform's API key reads its streams through. Routes translate HTTP; src/events does the work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Config } from '../../config.js'
import type { Events } from '../../events/service.js'
import type { Store } from '../../store/database.js'
import { getStream } from '../../store/event-streams.js'
import { bearerAuth } from '../scim/auth.js'
import { poll } from './poll.js'

export interface EventsHttpOptions {
  readonly store: Store
  readonly config: Config
  readonly events: Events
}

/** How long receivers and proxies may cache the JWKS: short, so a rotation is seen soon. */
export const JWKS_MAX_AGE = 300

const pollBody = z.object({
  ack: z.array(z.string().max(200)).max(10_000).optional(),
  setErrs: z
    .record(
      z.string().max(200),
      z.object({ err: z.string().max(100), description: z.string().max(2000).optional() }),
    )
    .optional(),
  maxEvents: z.number().int().min(0).max(10_000).optional(),
  returnImmediately: z.boolean().optional(),
})

export async function eventsHttp(
  app: FastifyInstance,
  { store, config, events }: EventsHttpOptions,
): Promise<void> {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE}`)
    return events.keys.jwks()
  })

  const authenticate = bearerAuth(store, async () => {})
  app.addHook('onClose', async () => authenticate.flush().catch(() => {}))
  // rfc8936#section-2.4: errors are { err, description } with 400; authentication errors 401/403.
  const error = (reply: FastifyReply, status: number, err: string, description: string) =>
    reply.code(status).send({ err, description })

  app.post<{ Params: { id: string } }>(
    '/api/v1/events/streams/:id/poll',
    {
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          await authenticate(request, reply)
        } catch {
          reply.header('www-authenticate', 'Bearer')
          return error(
            reply,
            401,
            'authentication_failed',
            'A valid bearer token (a platform API key) is required.',
          )
        }
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const stream = await getStream(store.db, request.params.id, request.scim.platformId)
      // Another platform's stream looks like no stream: a key never learns about other platforms.
      if (!stream) return error(reply, 403, 'access_denied', 'This key cannot read that stream.')
      if (stream.method !== 'poll')
        return error(reply, 400, 'invalid_request', 'This stream delivers by push.')
      const parsed = pollBody.safeParse(request.body ?? {})
      if (!parsed.success)
        return error(
          reply,
          400,
          'invalid_request',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        )
      // The client going away ends a long poll early. (The request's own 'close' fires once its body
      // is read; the response's fires when the connection closes before an answer.)
      const closed = new AbortController()
      reply.raw.on('close', () => closed.abort())
      const answer = await poll(store, events, stream, parsed.data, {
        maxWaitMs: config.EVENTS_LONG_POLL_SECONDS * 1000,
        signal: closed.signal,
      })
      return reply.code(200).send(answer)
    },
  )
}
