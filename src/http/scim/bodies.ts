// The bodies of logged SCIM writes for the provisioning log's event page: redacted, bounded, and
// written in batches once a second (one transaction for all the requests of that second), so keeping
// them costs a sync no commit per request. A crash loses at most the last second's bodies; the
// events themselves are journaled with their change (src/domain/journal.ts) and are never lost.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../store/database.js'
import { insertEventBodies, type NewEventBody } from '../../store/event-bodies.js'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Characters kept of each body. */
export const BODY_MAX_CHARS = 16_384
/** Bodies waiting for the next flush, at most; past it a body is dropped (the event still has its row). */
const QUEUE_MAX = 20_000
/** A flush starts at once when this many bodies wait, so a busy second holds few of them in memory. */
const FLUSH_AT = 500
export const REDACTED = '[redacted]'

/** Attribute names whose values are secrets wherever they appear. */
const SECRET = /password|secret|token|credential|authorization/i

/** Levels of nesting kept; deeper values (no SCIM resource has them) are replaced, never walked. */
export const MAX_DEPTH = 32
export const TOO_DEEP = '[nested too deep, not kept]'

/** A copy of a parsed body with every secret value replaced, including PATCH operations' values. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_DEPTH) return TOO_DEEP
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  const entries = Object.entries(value as Record<string, unknown>)
  // A PATCH operation: {"op":"replace","path":"password","value":"…"} (RFC 7644 §3.5.2).
  const path = (value as { path?: unknown }).path
  const secretPath = typeof path === 'string' && SECRET.test(path)
  return Object.fromEntries(
    entries.map(([key, v]) => [
      key,
      SECRET.test(key) || (secretPath && key.toLowerCase() === 'value') ? REDACTED : redact(v, depth + 1),
    ]),
  )
}

/** The body as the log shows it: redacted JSON, cut at BODY_MAX_CHARS; null when there was none. */
export function loggedBody(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null
  let parsed = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      // Not JSON (a parser error's answer): it cannot be redacted field by field, so it is not kept.
      return `(${body.length} characters that are not JSON, not kept)`
    }
  } else if (Buffer.isBuffer(body)) {
    return `(${body.length} bytes, not kept)`
  }
  // Compact: the console indents it for reading.
  const text = JSON.stringify(redact(parsed))
  return text.length > BODY_MAX_CHARS
    ? `${text.slice(0, BODY_MAX_CHARS)}\n… (cut at ${BODY_MAX_CHARS} characters)`
    : text
}

export interface BodyRecorder {
  /** onSend hook: queues the bodies of an authenticated SCIM write. */
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>
  flush(): Promise<void>
}

export function bodyRecorder(store: Store, log: FastifyBaseLogger, { flushMs = 1000 } = {}): BodyRecorder {
  let pending: NewEventBody[] = []
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()

  function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return flushing
    const batch = pending
    pending = []
    flushing = flushing
      .then(() => insertEventBodies(store.db, batch))
      .catch((error) => log.error({ err: error, bodies: batch.length }, 'could not keep request bodies'))
    return flushing
  }

  return {
    async onSend(request, _reply, payload) {
      if (!WRITES.has(request.method) || !request.scim || pending.length >= QUEUE_MAX) return payload
      try {
        pending.push({
          platformId: request.scim.platformId,
          requestId: request.id,
          createdAt: new Date().toISOString(),
          requestBody: loggedBody(request.body),
          responseBody: typeof payload === 'string' || Buffer.isBuffer(payload) ? loggedBody(payload) : null,
        })
      } catch (error) {
        // Keeping a body is diagnostics: it never changes the answer.
        log.warn({ err: error, requestId: request.id }, 'could not keep the bodies of a request')
        return payload
      }
      if (pending.length >= FLUSH_AT) void flush()
      else timer ??= setTimeout(flush, flushMs).unref()
      return payload
    },
    flush,
  }
}
