// The audit trail: what admins did in the console and through the admin API (issue 13). Written in
// the transaction of the change it records, read newest first for the console, streamed for export,
// pruned with the provisioning log (EVENT_RETENTION_DAYS).
import type { Kysely, SelectQueryBuilder } from 'kysely'
import { fromJson, toJson } from './json.js'
import { ilike } from './like.js'
import type { Database } from './schema.js'

export interface NewAuditEntry {
  readonly platformId: string
  /**
   * An admin (their email is read when the row is written, so it outlives the account), or a label
   * for who acted without an account: "command line (user@host)".
   */
  readonly actor: { readonly userId: string } | { readonly label: string }
  readonly action: string
  readonly targetType?: string | undefined
  readonly targetId?: string | undefined
  readonly targetName?: string | undefined
  /** { field: { from, to } } or other facts; never a secret. */
  readonly details?: Record<string, unknown> | undefined
  readonly ip?: string | undefined
  readonly requestId?: string | undefined
}

export interface AuditEntry {
  readonly id: number
  readonly createdAt: string
  readonly actorUserId: string | null
  readonly actorEmail: string | null
  /** Who acted without an account ("command line (user@host)"); null for an admin. */
  readonly actorLabel: string | null
  readonly action: string
  readonly targetType: string | null
  readonly targetId: string | null
  readonly targetName: string | null
  /** Whether the target (a user or project) still exists, so the console links to it. */
  readonly targetExists: boolean
  readonly details: Record<string, unknown> | null
  readonly ip: string | null
  readonly requestId: string | null
}

export interface AuditFilter {
  readonly action?: string | undefined
  /** ISO-8601 bounds on created_at: from inclusive, to exclusive. */
  readonly from?: string | undefined
  readonly to?: string | undefined
  /** Text in the admin's email or the target's name. */
  readonly q?: string | undefined
}

export async function recordAudit(db: Kysely<Database>, entry: NewAuditEntry): Promise<void> {
  const { actor } = entry
  await db
    .insertInto('audit_log')
    .values((eb) => ({
      platform_id: entry.platformId,
      created_at: new Date().toISOString(),
      ...('userId' in actor
        ? {
            actor_user_id: actor.userId,
            actor_email: eb
              .selectFrom('users')
              .select('email')
              .where('users.id', '=', actor.userId)
              .where('users.platform_id', '=', entry.platformId),
          }
        : { actor_label: actor.label }),
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      target_name: entry.targetName ?? null,
      details: entry.details ? toJson(entry.details) : null,
      ip: entry.ip ?? null,
      request_id: entry.requestId ?? null,
    }))
    .execute()
}

type AuditQuery = SelectQueryBuilder<Database, 'audit_log', object>

function filtered(db: Kysely<Database>, platformId: string, f: AuditFilter): AuditQuery {
  let q = db.selectFrom('audit_log').where('audit_log.platform_id', '=', platformId)
  if (f.action) q = q.where('audit_log.action', '=', f.action)
  if (f.from) q = q.where('audit_log.created_at', '>=', f.from)
  if (f.to) q = q.where('audit_log.created_at', '<', f.to)
  if (f.q) {
    const text = f.q
    q = q.where((eb) =>
      eb.or([
        ilike('audit_log.actor_email', text),
        ilike('audit_log.actor_label', text),
        ilike('audit_log.target_name', text),
      ]),
    )
  }
  return q
}

function withColumns(query: AuditQuery, platformId: string) {
  return query
    .leftJoin('users as tu', (join) =>
      join
        .onRef('tu.id', '=', 'audit_log.target_id')
        .on('tu.platform_id', '=', platformId)
        .on('audit_log.target_type', '=', 'user'),
    )
    .leftJoin('projects as tp', (join) =>
      join
        .onRef('tp.id', '=', 'audit_log.target_id')
        .on('tp.platform_id', '=', platformId)
        .on('audit_log.target_type', '=', 'project'),
    )
    .select([
      'audit_log.id',
      'audit_log.created_at',
      'audit_log.actor_user_id',
      'audit_log.actor_email',
      'audit_log.actor_label',
      'audit_log.action',
      'audit_log.target_type',
      'audit_log.target_id',
      'audit_log.target_name',
      'audit_log.details',
      'audit_log.ip',
      'audit_log.request_id',
      'tu.id as target_user',
      'tp.id as target_project',
    ])
}

type Row = Awaited<ReturnType<ReturnType<typeof withColumns>['executeTakeFirstOrThrow']>>

function toEntry(r: Row): AuditEntry {
  return {
    id: Number(r.id),
    createdAt: r.created_at,
    actorUserId: r.actor_user_id,
    actorEmail: r.actor_email,
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    targetName: r.target_name,
    targetExists: r.target_user !== null || r.target_project !== null,
    details: r.details === null ? null : fromJson(r.details),
    ip: r.ip,
    requestId: r.request_id,
  }
}

export async function listAudit(
  db: Kysely<Database>,
  platformId: string,
  query: AuditFilter & { readonly limit: number; readonly offset: number },
): Promise<{ total: number; entries: AuditEntry[] }> {
  const base = filtered(db, platformId, query)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    withColumns(base, platformId)
      .orderBy('audit_log.id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
  ])
  return { total: Number(count.n), entries: rows.map(toEntry) }
}

/** The entries matching `filter`, newest first, `batchSize` at a time (keyset on id), for the CSV export. */
export async function* streamAudit(
  db: Kysely<Database>,
  platformId: string,
  filter: AuditFilter,
  batchSize = 1000,
): AsyncGenerator<AuditEntry[]> {
  let before: number | undefined
  for (;;) {
    let query = filtered(db, platformId, filter)
    if (before !== undefined) query = query.where('audit_log.id', '<', before)
    const rows = await withColumns(query, platformId)
      .orderBy('audit_log.id', 'desc')
      .limit(batchSize)
      .execute()
    if (rows.length === 0) return
    yield rows.map(toEntry)
    if (rows.length < batchSize) return
    before = Number(rows[rows.length - 1]!.id)
  }
}

/** Deletes up to `batch` entries older than `before`; returns how many (0: done). */
export async function pruneAudit(db: Kysely<Database>, before: string, batch = 1000): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where('id', 'in', (eb) =>
      eb.selectFrom('audit_log').select('id').where('created_at', '<', before).limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
