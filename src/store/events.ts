// The provisioning log: one row per SCIM write and per rejected request.
import type { Insertable, Kysely } from 'kysely'
import { toJson } from './json.js'
import { prepareInsert } from './prepared.js'
import type { Database, EventTable } from './schema.js'

export interface NewEvent {
  readonly platformId: string
  readonly requestId?: string | undefined
  readonly apiKeyId?: string | undefined
  /** Who made the change: 'scim' (an API key), 'console' (an admin) or 'sso'. */
  readonly actorType?: 'scim' | 'console' | 'sso' | undefined
  /** The admin, for console changes. */
  readonly actorUserId?: string | undefined
  readonly method: string
  readonly path: string
  readonly status: number
  readonly resourceType?: string | undefined
  readonly resourceId?: string | undefined
  /** The user's userName or the group's displayName, as of the event. */
  readonly resourceName?: string | undefined
  /** Attribute names with old → new values, and member ids touched; never a password or token. */
  readonly changes?: Readonly<Record<string, unknown>> | undefined
  readonly error?: string | undefined
  readonly durationMs: number
}

/** The columns an event row is written with. */
export const EVENT_COLUMNS = [
  'platform_id',
  'created_at',
  'request_id',
  'api_key_id',
  'actor_type',
  'actor_user_id',
  'method',
  'path',
  'status',
  'resource_type',
  'resource_id',
  'changes',
  'error',
  'duration_ms',
  'resource_name',
] as const

const insertEvent = prepareInsert('events', EVENT_COLUMNS)

export async function recordEvent(db: Kysely<Database>, event: NewEvent): Promise<void> {
  await insertEventRow(db, eventRow(event))
}

export async function insertEventRow(db: Kysely<Database>, row: Insertable<EventTable>): Promise<void> {
  await db.executeQuery(insertEvent(db, row))
}

/** The row of an event, as recordEvent writes it (and journalAndFanOut, on PostgreSQL). */
export function eventRow(event: NewEvent): Insertable<EventTable> {
  return {
    platform_id: event.platformId,
    created_at: new Date().toISOString(),
    request_id: event.requestId ?? null,
    api_key_id: event.apiKeyId ?? null,
    actor_type: event.actorType ?? 'scim',
    actor_user_id: event.actorUserId ?? null,
    method: event.method,
    path: event.path.slice(0, 2048),
    status: event.status,
    resource_type: event.resourceType ?? null,
    resource_id: event.resourceId ?? null,
    changes: event.changes ? toJson(event.changes) : null,
    error: event.error?.slice(0, 2048) ?? null,
    duration_ms: Math.round(event.durationMs),
    resource_name: event.resourceName?.slice(0, 512) ?? null,
  }
}

/**
 * Deletes events created before `before`, at most `batch` rows: short statements, so pruning never
 * holds the write lock long enough to delay a request. Returns the number deleted.
 */
export async function pruneEvents(db: Kysely<Database>, before: string, batch = 1000): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('id', 'in', (eb) =>
      eb.selectFrom('events').select('id').where('created_at', '<', before).limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
