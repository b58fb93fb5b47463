// Creating and showing streams, shared by the admin API and the CLI so both say the same.
import type { Kysely } from 'kysely'
import { type AuditBy, audit } from '../domain/audit.js'
import type { Store } from '../store/database.js'
import { backlogOf } from '../store/event-outbox.js'
import { createStream, deleteStream, type NewStream } from '../store/event-streams.js'
import type { Database, EventStreamRow } from '../store/schema.js'
import { type AddressPolicy, checkPushUrl } from './ssrf.js'
import { parseEventType } from './uris.js'

export class StreamInputError extends Error {
  override name = 'StreamInputError'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

export interface StreamInput {
  readonly platformId: string
  readonly push?: string | undefined
  readonly poll?: boolean | undefined
  readonly events?: readonly string[] | undefined
  readonly audience?: string | undefined
}

/** Validates (the push URL against the SSRF guard, the event types against RFC 9967) and creates. */
export async function addStream(
  db: Kysely<Database>,
  input: StreamInput,
  policy: AddressPolicy,
  origin: string,
): Promise<EventStreamRow> {
  return createStream(db, await checkStream(input, policy), origin)
}

/** A stream as the audit trail names it: its push URL, or its audience for a poll stream. */
export const streamTarget = (row: { id: string; url: string | null; audience: string }) => ({
  type: 'stream',
  id: row.id,
  name: row.url ?? row.audience,
})

/**
 * addStream for an admin or a command: validated first (the push URL's lookup happens outside any
 * transaction), then created with its audit row in one transaction.
 */
export async function createStreamAs(
  store: Store,
  by: AuditBy,
  input: Omit<StreamInput, 'platformId'>,
  policy: AddressPolicy,
  origin: string,
): Promise<EventStreamRow> {
  const checked = await checkStream({ ...input, platformId: by.platformId }, policy)
  return store.transaction(async (trx) => {
    const created = await createStream(trx, checked, origin)
    await audit(trx, by, {
      action: 'stream.created',
      target: streamTarget(created),
      details: {
        method: created.method,
        url: created.url,
        events: checked.eventTypes ?? 'all',
        audience: created.audience,
      },
    })
    return created
  })
}

/** Deletes a stream of `by.platformId` with its audit row; false when it has no such stream. */
export function deleteStreamAs(
  store: Store,
  by: AuditBy,
  stream: Pick<EventStreamRow, 'id' | 'method' | 'url' | 'audience'>,
): Promise<boolean> {
  return store.transaction(async (trx) => {
    if (!(await deleteStream(trx, stream.id, by.platformId))) return false
    await audit(trx, by, {
      action: 'stream.deleted',
      target: streamTarget(stream),
      details: { method: stream.method, url: stream.url, audience: stream.audience },
    })
    return true
  })
}

/**
 * The validation of addStream alone, so a caller can create the stream in a transaction of its own
 * (the admin API writes the audit row with it) without holding it open over the push URL's lookup.
 */
export async function checkStream(input: StreamInput, policy: AddressPolicy): Promise<NewStream> {
  if ((input.push === undefined) === (input.poll !== true))
    throw new StreamInputError('method', 'Choose push (with a URL) or poll.')
  if (input.push !== undefined) {
    const why = await checkPushUrl(input.push, policy)
    if (why) throw new StreamInputError('url', `The push URL ${why}.`)
  }
  let eventTypes: string[] | undefined
  if (input.events !== undefined) {
    eventTypes = []
    for (const text of input.events) {
      const uri = parseEventType(text)
      if (!uri) throw new StreamInputError('events', `Unknown event type "${text}".`)
      if (!eventTypes.includes(uri)) eventTypes.push(uri)
    }
    if (eventTypes.length === 0) throw new StreamInputError('events', 'Name at least one event type.')
  }
  const audience = input.audience?.trim()
  if (audience !== undefined && (audience === '' || audience.length > 500))
    throw new StreamInputError('audience', 'The audience must be 1 to 500 characters.')
  return {
    platformId: input.platformId,
    method: input.push !== undefined ? 'push' : 'poll',
    url: input.push,
    eventTypes,
    audience,
  }
}

export function pollUrl(origin: string, id: string): string {
  return `${origin}/api/v1/events/streams/${id}/poll`
}

export interface StreamView {
  readonly id: string
  readonly platformId: string
  readonly method: 'push' | 'poll'
  readonly url: string | null
  readonly pollUrl?: string
  readonly audience: string
  readonly events: readonly string[] | null
  readonly status: string
  readonly createdAt: string
  readonly backlog: number
  /** Seconds since the oldest undelivered SET was written (0 when none). */
  readonly lagSeconds: number
  readonly lastError: string | null
  readonly failingSince: string | null
  readonly retryAt: string | null
  readonly lastDeliveredAt: string | null
}

export async function streamView(
  db: Kysely<Database>,
  row: EventStreamRow,
  origin: string,
): Promise<StreamView> {
  const backlog = await backlogOf(db, row.id)
  return {
    id: row.id,
    platformId: row.platform_id,
    method: row.method,
    url: row.url,
    ...(row.method === 'poll' ? { pollUrl: pollUrl(origin, row.id) } : {}),
    audience: row.audience,
    events: row.event_types ? (JSON.parse(row.event_types) as string[]) : null,
    status: row.status,
    createdAt: row.created_at,
    backlog: backlog.pending,
    lagSeconds: backlog.oldest
      ? Math.max(0, Math.round((Date.now() - Date.parse(backlog.oldest)) / 100) / 10)
      : 0,
    lastError: row.last_error,
    failingSince: row.failing_since,
    retryAt: row.retry_at,
    lastDeliveredAt: row.last_delivered_at,
  }
}
