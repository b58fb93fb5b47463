// Event streams of a platform (EVENTS.md): audience, push URL or poll, event filter, status, and the
// delivery state the worker keeps on them (failures, next try, lease).
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, EventStreamRow, StreamMethod, StreamStatus } from './schema.js'

export interface NewStream {
  readonly platformId: string
  readonly method: StreamMethod
  readonly url?: string | undefined
  /** Event URIs; undefined: every event. */
  readonly eventTypes?: readonly string[] | undefined
  /** Defaults to `<origin>/api/v1/events/streams/<id>`. */
  readonly audience?: string | undefined
}

export async function createStream(
  db: Kysely<Database>,
  input: NewStream,
  origin: string,
): Promise<EventStreamRow> {
  const id = randomUUID()
  const now = new Date().toISOString()
  const ops = input.eventTypes
    ? `,${[...new Set(input.eventTypes.map((uri) => uri.replace(/^urn:ietf:params:scim:event:prov:/, '').split(':')[0]))].join(',')},`
    : null
  const row: EventStreamRow = {
    id,
    platform_id: input.platformId,
    audience: input.audience ?? `${origin}/api/v1/events/streams/${id}`,
    method: input.method,
    url: input.url ?? null,
    event_types: input.eventTypes ? JSON.stringify(input.eventTypes) : null,
    event_ops: ops,
    status: 'enabled',
    created_at: now,
    updated_at: now,
    failing_since: null,
    retry_at: null,
    failures: 0,
    last_error: null,
    last_delivered_at: null,
    lease_owner: null,
    lease_until: null,
  }
  await db.insertInto('event_streams').values(row).execute()
  return row
}

export function listStreams(db: Kysely<Database>, platformId: string): Promise<EventStreamRow[]> {
  return db
    .selectFrom('event_streams')
    .selectAll()
    .where('platform_id', '=', platformId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** A stream by id; with a platform, only that platform's (no stream crosses platforms). */
export function getStream(
  db: Kysely<Database>,
  id: string,
  platformId?: string,
): Promise<EventStreamRow | undefined> {
  let query = db.selectFrom('event_streams').selectAll().where('id', '=', id)
  if (platformId !== undefined) query = query.where('platform_id', '=', platformId)
  return query.executeTakeFirst()
}

export async function deleteStream(db: Kysely<Database>, id: string, platformId?: string): Promise<boolean> {
  let query = db.deleteFrom('event_streams').where('id', '=', id)
  if (platformId !== undefined) query = query.where('platform_id', '=', platformId)
  const result = await query.executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Pause, resume (enabled: also clears the failure state, so delivery starts at once). */
export async function setStreamStatus(
  db: Kysely<Database>,
  id: string,
  platformId: string,
  status: StreamStatus,
): Promise<boolean> {
  const result = await db
    .updateTable('event_streams')
    .set({
      status,
      updated_at: new Date().toISOString(),
      ...(status === 'enabled' ? { failing_since: null, retry_at: null, failures: 0 } : {}),
    })
    .where('id', '=', id)
    .where('platform_id', '=', platformId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Push streams the worker may deliver now: enabled and not waiting for a retry. */
export function dueStreams(db: Kysely<Database>, now: string): Promise<EventStreamRow[]> {
  return db
    .selectFrom('event_streams')
    .selectAll()
    .where('method', '=', 'push')
    .where('status', '=', 'enabled')
    .where((w) => w.or([w('retry_at', 'is', null), w('retry_at', '<=', now)]))
    .execute()
}

/**
 * Takes or renews the stream's lease for `owner` until `until`: one conditional update, atomic on
 * both dialects, so at most one process holds a stream at a time.
 */
export async function takeLease(
  db: Kysely<Database>,
  id: string,
  owner: string,
  until: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('event_streams')
    .set({ lease_owner: owner, lease_until: until })
    .where('id', '=', id)
    .where((w) =>
      w.or([w('lease_owner', 'is', null), w('lease_owner', '=', owner), w('lease_until', '<', now)]),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function releaseLease(db: Kysely<Database>, id: string, owner: string): Promise<void> {
  await db
    .updateTable('event_streams')
    .set({ lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute()
}

export async function recordSuccess(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db
    .updateTable('event_streams')
    .set({ failing_since: null, retry_at: null, failures: 0, last_delivered_at: at })
    .where('id', '=', id)
    .execute()
}

/** A failed round: when to try next, and `failed` once the failures have lasted past the ceiling. */
export async function recordFailure(
  db: Kysely<Database>,
  stream: EventStreamRow,
  failure: { error: string; retryAt: string; now: string; failed: boolean },
): Promise<void> {
  await db
    .updateTable('event_streams')
    .set({
      failing_since: stream.failing_since ?? failure.now,
      retry_at: failure.retryAt,
      failures: stream.failures + 1,
      last_error: failure.error.slice(0, 1000),
      ...(failure.failed ? { status: 'failed', updated_at: failure.now } : {}),
    })
    .where('id', '=', stream.id)
    .where('status', '=', 'enabled')
    .execute()
}
