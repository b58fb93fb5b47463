// Provisioning events: a successful write is journaled inside its own transaction (src/domain), so
// an acknowledged write always has its event; a rejected write is recorded once it is answered.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import type { WriteContext } from '../../domain/context.js'
import type { Store } from '../../store/database.js'
import type { NewEvent } from '../../store/events.js'
import { recordEvent } from '../../store/events.js'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface EventFields {
  readonly status: number
  readonly resourceType?: string | undefined
  readonly resourceId?: string | undefined
  readonly resourceName?: string | undefined
  readonly changes?: Readonly<Record<string, unknown>> | undefined
  readonly error?: string | undefined
}

export function eventOf(request: FastifyRequest, reply: FastifyReply, fields: EventFields): NewEvent {
  return {
    platformId: request.scim.platformId,
    apiKeyId: request.scim.keyId,
    requestId: request.id,
    method: request.method,
    path: request.url.split('?')[0] ?? request.url,
    durationMs: reply.elapsedTime,
    ...fields,
  }
}

/** A SCIM write's context for src/domain: its key, its request, its If-Match. */
export function writeContext(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  store: Store,
  status: number,
): WriteContext {
  return {
    store,
    platformId: request.scim.platformId,
    actor: { kind: 'scim', apiKeyId: request.scim.keyId },
    request: {
      id: request.id,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status,
      elapsedMs: () => reply.elapsedTime,
    },
    ifMatch: request.headers['if-match'],
    defaultProjectRole: config.SCIM_DEFAULT_PROJECT_ROLE,
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a handler whose write (and event) committed. */
    eventRecorded?: boolean
    /** The error a rejected request was answered with, for its event. */
    scimFailure?: string
  }
}

/** onResponse hook: records rejected writes (the status ≥ 400 of an authenticated write request). */
export function recordRejectedWrites(store: Store) {
  return function onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (!WRITES.has(request.method) || request.eventRecorded || !request.scim || reply.statusCode < 400) {
      done()
    } else {
      record(request, reply).finally(done)
    }
  }

  async function record(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const [, resource, id] = /\/(Users|Groups|Bulk|\.search)(?:\/([^/?]+))?/i.exec(request.url) ?? []
    if (resource?.toLowerCase() === '.search' || id?.toLowerCase() === '.search') return
    try {
      await recordEvent(
        store.db,
        eventOf(request, reply, {
          status: reply.statusCode,
          resourceType: resource ? resourceName(resource) : undefined,
          resourceId: id,
          resourceName: nameIn(request.body),
          error: request.scimFailure,
        }),
      )
    } catch (error) {
      request.log.error({ err: error }, 'could not record a provisioning event')
    }
  }
}

/** The userName or displayName a refused write asked for, so the log can name it. */
function nameIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { userName, displayName } = body as { userName?: unknown; displayName?: unknown }
  const name = typeof userName === 'string' ? userName : displayName
  return typeof name === 'string' ? name : undefined
}

function resourceName(segment: string): string {
  const lower = segment.toLowerCase()
  return lower === 'users' ? 'User' : lower === 'groups' ? 'Group' : segment
}
