// Reading the provisioning log for the console: newest first, filtered by time, outcome, resource,
// method, key, a search (request id, resource id or name) or one user, paged with a total; each event
// with the names of what it touched. Writing it is store/events.ts.
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import { getEventBodies } from './event-bodies.js'
import { fromJson } from './json.js'
import { ilike } from './like.js'
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
  /** A request id or resource id (exact), or part of a user's userName or a group's displayName. */
  readonly q?: string | undefined
  /** One user's events: their own, and the groups' that added or removed them or set their role. */
  readonly user?: string | undefined
  /** Only events newer than this id (the live view asks how many arrived). */
  readonly afterId?: number | undefined
  readonly limit: number
  readonly offset: number
}

/** Who or what an id in an event names, as it is now. */
export interface Named {
  readonly id: string
  readonly type: 'User' | 'Group'
  readonly name: string
  /** The user's displayName, when it has one. */
  readonly displayName: string | null
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
  /** The userName or displayName when the event was written (or, for a refused create, asked for). */
  readonly resourceName: string | null
  /** False once the resource is gone: the console then shows its name without a link. */
  readonly resourceExists: boolean
  readonly changes: Record<string, unknown> | null
  readonly error: string | null
  readonly durationMs: number
}

export interface EventDetail extends LogEvent {
  /** Redacted bodies, while they are kept (LOG_BODY_RETENTION_HOURS); null once pruned or never kept. */
  readonly bodies: { readonly request: string | null; readonly response: string | null } | null
}

type EventQueryBuilder = SelectQueryBuilder<Database, 'events', object>

const REQUEST_ID = /^[\w.:-]{1,200}$/

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
  if (f.afterId !== undefined) q = q.where('events.id', '>', f.afterId)
  if (f.q) {
    const text = f.q.trim()
    q = q.where((eb) =>
      eb.or([
        ...(REQUEST_ID.test(text)
          ? [eb('events.request_id', '=', text), eb('events.resource_id', '=', text)]
          : []),
        ilike('events.resource_name', text),
      ]),
    )
  }
  if (f.user) {
    const id = f.user
    // Membership changes list member ids in `changes`; a user id is a UUID, so its text matches only itself.
    q = q.where((eb) =>
      eb.or([
        eb('events.resource_id', '=', id),
        eb.and([
          eb('events.resource_type', '=', 'Group'),
          sql<boolean>`cast(events.changes as text) like ${`%"${id.replace(/[\\%_"]/g, '')}"%`}`,
        ]),
      ]),
    )
  }
  return q
}

export async function listEvents(
  db: Kysely<Database>,
  platformId: string,
  query: EventQuery,
): Promise<{ total: number; events: LogEvent[]; names: Named[] }> {
  const base = filtered(db.selectFrom('events').where('events.platform_id', '=', platformId), query)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    withColumns(base, platformId)
      .orderBy('events.id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
  ])
  const events = rows.map(toEvent)
  return { total: Number(count.n), events, names: await namesIn(db, platformId, events) }
}

/**
 * The events of a filter, newest first, in keyset batches (each with the names it mentions), so an
 * export of the whole log holds one batch in memory.
 */
export async function* streamEvents(
  db: Kysely<Database>,
  platformId: string,
  query: Omit<EventQuery, 'limit' | 'offset'>,
  batchSize = 1000,
): AsyncGenerator<{ events: LogEvent[]; names: ReadonlyMap<string, Named> }> {
  let before: number | undefined
  for (;;) {
    let q = filtered(db.selectFrom('events').where('events.platform_id', '=', platformId), {
      ...query,
      limit: batchSize,
      offset: 0,
    })
    if (before !== undefined) q = q.where('events.id', '<', before)
    const rows = await withColumns(q, platformId).orderBy('events.id', 'desc').limit(batchSize).execute()
    if (rows.length === 0) return
    const events = rows.map(toEvent)
    const names = await namesIn(db, platformId, events)
    yield { events, names: new Map(names.map((n) => [n.id, n])) }
    if (rows.length < batchSize) return
    before = events[events.length - 1]!.id
  }
}

export async function getEvent(
  db: Kysely<Database>,
  platformId: string,
  id: number,
): Promise<{ event: EventDetail; names: Named[] } | undefined> {
  const base = db
    .selectFrom('events')
    .where('events.platform_id', '=', platformId)
    .where('events.id', '=', id)
  const row = await withColumns(base, platformId).executeTakeFirst()
  if (!row) return undefined
  const event = toEvent(row)
  const bodies = event.requestId ? await getEventBodies(db, platformId, event.requestId) : undefined
  return { event: { ...event, bodies: bodies ?? null }, names: await namesIn(db, platformId, [event]) }
}

/** The users an event's `changes` name by id (members added and removed, a member's role), as they are now. */
async function namesIn(
  db: Kysely<Database>,
  platformId: string,
  events: readonly LogEvent[],
): Promise<Named[]> {
  const ids = new Set<string>()
  for (const e of events) {
    const c = e.changes
    if (!c) continue
    for (const key of ['membersAdded', 'membersRemoved'])
      if (Array.isArray(c[key])) for (const id of c[key]) if (typeof id === 'string') ids.add(id)
    const role = c.memberRole as { userId?: unknown } | undefined
    if (typeof role?.userId === 'string') ids.add(role.userId)
  }
  if (ids.size === 0) return []
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('platform_id', '=', platformId)
    .where('id', 'in', [...ids])
    .execute()
  return rows.map((r) => ({ id: r.id, type: 'User', name: r.email, displayName: r.display_name }))
}

function withColumns(query: EventQueryBuilder, platformId: string) {
  return query
    .leftJoin('api_keys', (join) =>
      join.onRef('api_keys.id', '=', 'events.api_key_id').on('api_keys.platform_id', '=', platformId),
    )
    .leftJoin('users as actor', (join) =>
      join.onRef('actor.id', '=', 'events.actor_user_id').on('actor.platform_id', '=', platformId),
    )
    .leftJoin('users as subject_user', (join) =>
      join
        .onRef('subject_user.id', '=', 'events.resource_id')
        .on('subject_user.platform_id', '=', platformId)
        .on('events.resource_type', '=', 'User'),
    )
    .leftJoin('projects as subject_group', (join) =>
      join
        .onRef('subject_group.id', '=', 'events.resource_id')
        .on('subject_group.platform_id', '=', platformId)
        .on('events.resource_type', '=', 'Group'),
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
      'events.resource_name',
      'subject_user.email as current_user_name',
      'subject_group.display_name as current_group_name',
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
  resource_name: string | null
  current_user_name: string | null
  current_group_name: string | null
  changes: unknown
  error: string | null
  duration_ms: number
}): LogEvent {
  const current = r.current_user_name ?? r.current_group_name
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
    resourceName: r.resource_name ?? current,
    resourceExists: current !== null,
    changes: r.changes === null ? null : fromJson(r.changes),
    error: r.error,
    durationMs: Number(r.duration_ms),
  }
}
