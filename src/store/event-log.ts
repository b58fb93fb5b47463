// Reading the provisioning log for the console: newest first, filtered by time, outcome, resource,
// method and key, paged with a total. Writing it is store/events.ts.
import type { Kysely, SelectQueryBuilder } from 'kysely'
import { fromJson } from './json.js'
import type { Database } from './schema.js'

export interface EventQuery {
  /** ISO-8601 bounds on created_at: from inclusive, to exclusive. */
  readonly from?: string | undefined
  readonly to?: string | undefined
  /** 'success' (< 400), 'failure' (>= 400) or one status code. */
  readonly status?: 'success' | 'failure' | number | undefined
  readonly resourceType?: string | undefined
  readonly resourceId?: string | undefined
  readonly method?: string | undefined
  readonly apiKeyId?: string | undefined
  readonly limit: number
  readonly offset: number
}

export interface LogEvent {
  readonly id: number
  readonly createdAt: string
  readonly requestId: string | null
  readonly apiKeyId: string | null
  readonly apiKeyName: string | null
  /** 'scim' (an API key), 'console' (an admin) or 'sso'. */
  readonly actorType: string
  /** The admin behind a console change, and their email. */
  readonly actorUserId: string | null
  readonly actorEmail: string | null
  readonly method: string
  readonly path: string
  readonly status: number
  readonly resourceType: string | null
  readonly resourceId: string | null
  readonly changes: Record<string, unknown> | null
  readonly error: string | null
  readonly durationMs: number
}

type EventQueryBuilder = SelectQueryBuilder<Database, 'events', object>

function filtered(query: EventQueryBuilder, f: EventQuery): EventQueryBuilder {
  let q = query
  if (f.from) q = q.where('events.created_at', '>=', f.from)
  if (f.to) q = q.where('events.created_at', '<', f.to)
  if (f.status === 'success') q = q.where('events.status', '<', 400)
  else if (f.status === 'failure') q = q.where('events.status', '>=', 400)
  else if (typeof f.status === 'number') q = q.where('events.status', '=', f.status)
  if (f.resourceType) q = q.where('events.resource_type', '=', f.resourceType)
  if (f.resourceId) q = q.where('events.resource_id', '=', f.resourceId)
  if (f.method) q = q.where('events.method', '=', f.method.toUpperCase())
  if (f.apiKeyId) q = q.where('events.api_key_id', '=', f.apiKeyId)
  return q
}

export async function listEvents(
  db: Kysely<Database>,
  platformId: string,
  query: EventQuery,
): Promise<{ total: number; events: LogEvent[] }> {
  const base = filtered(db.selectFrom('events').where('events.platform_id', '=', platformId), query)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    withColumns(base, platformId)
      .orderBy('events.id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
  ])
  return { total: Number(count.n), events: rows.map(toEvent) }
}

export async function getEvent(
  db: Kysely<Database>,
  platformId: string,
  id: number,
): Promise<LogEvent | undefined> {
  const base = db
    .selectFrom('events')
    .where('events.platform_id', '=', platformId)
    .where('events.id', '=', id)
  const row = await withColumns(base, platformId).executeTakeFirst()
  return row && toEvent(row)
}

function withColumns(query: EventQueryBuilder, platformId: string) {
  return query
    .leftJoin('api_keys', (join) =>
      join.onRef('api_keys.id', '=', 'events.api_key_id').on('api_keys.platform_id', '=', platformId),
    )
    .leftJoin('users as actor', (join) =>
      join.onRef('actor.id', '=', 'events.actor_user_id').on('actor.platform_id', '=', platformId),
    )
    .select([
      'events.id',
      'events.created_at',
      'events.request_id',
      'events.api_key_id',
      'api_keys.name as api_key_name',
      'events.actor_type',
      'events.actor_user_id',
      'actor.email as actor_email',
      'events.method',
      'events.path',
      'events.status',
      'events.resource_type',
      'events.resource_id',
      'events.changes',
      'events.error',
      'events.duration_ms',
    ])
}

function toEvent(r: {
  id: number
  created_at: string
  request_id: string | null
  api_key_id: string | null
  api_key_name: string | null
  actor_type: string
  actor_user_id: string | null
  actor_email: string | null
  method: string
  path: string
  status: number
  resource_type: string | null
  resource_id: string | null
  changes: unknown
  error: string | null
  duration_ms: number
}): LogEvent {
  return {
    // bigserial ids come back from pg as strings.
    id: Number(r.id),
    createdAt: r.created_at,
    requestId: r.request_id,
    apiKeyId: r.api_key_id,
    apiKeyName: r.api_key_name,
    actorType: r.actor_type,
    actorUserId: r.actor_user_id,
    actorEmail: r.actor_email,
    method: r.method,
    path: r.path,
    status: Number(r.status),
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    changes: r.changes === null ? null : fromJson(r.changes),
    error: r.error,
    durationMs: Number(r.duration_ms),
  }
}
