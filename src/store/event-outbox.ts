// The event outbox (EVENTS.md "Nothing is lost"): one row per change and stream, written in the
// change's transaction (outbox-writes.ts), read by the delivery worker and the poll endpoint, pruned
// once delivered and older than the retention.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from './dialect.js'
import { prepare } from './prepared.js'
import type { Database, OutboxRow } from './schema.js'

const pendingOf = prepare((db, v: { stream_id: string; after: number; limit: number }) =>
  db
    .selectFrom('event_outbox')
    .selectAll()
    .where('stream_id', '=', v.stream_id)
    .where('state', '=', 'pending')
    .where('id', '>', v.after)
    .orderBy('id')
    .limit(v.limit),
)

/** The oldest pending rows of a stream, in commit order per resource (see worker.ts). */
export async function pendingRows(
  db: Kysely<Database>,
  streamId: string,
  limit: number,
  after = 0,
): Promise<OutboxRow[]> {
  const { rows } = await db.executeQuery(pendingOf(db, { stream_id: streamId, after, limit }))
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

export interface Outcome {
  readonly id: number
  readonly state: 'pending' | 'delivered' | 'refused'
  readonly status?: number | undefined
  readonly error?: string | undefined
  readonly kid?: string | undefined
}

/** Records the outcome of a round of deliveries: a few statements whatever the number of rows. */
export async function recordOutcomes(db: Kysely<Database>, streamId: string, outcomes: readonly Outcome[]) {
  const now = new Date().toISOString()
  const delivered = outcomes.filter((o) => o.state === 'delivered')
  for (let i = 0; i < delivered.length; i += 500) {
    const part = delivered.slice(i, i + 500)
    await db
      .updateTable('event_outbox')
      .set((eb) => ({
        state: 'delivered',
        attempts: eb('attempts', '+', 1),
        last_attempt_at: now,
        delivered_at: now,
        last_status: part[0]?.status ?? null,
        last_error: null,
        kid: part[0]?.kid ?? null,
      }))
      .where('stream_id', '=', streamId)
      .where(
        'id',
        'in',
        part.map((o) => o.id),
      )
      .execute()
  }
  for (const o of outcomes.filter((o) => o.state !== 'delivered')) {
    await db
      .updateTable('event_outbox')
      .set((eb) => ({
        state: o.state,
        attempts: eb('attempts', '+', 1),
        last_attempt_at: now,
        last_status: o.status ?? null,
        last_error: o.error?.slice(0, 1000) ?? null,
        kid: o.kid ?? null,
      }))
      .where('stream_id', '=', streamId)
      .where('id', '=', o.id)
      .execute()
  }
}

/** Marks rows as delivered by their ids (poll acknowledgements); ids of other streams are ignored. */
export async function acknowledge(db: Kysely<Database>, streamId: string, ids: readonly number[]) {
  if (ids.length === 0) return
  await recordOutcomes(
    db,
    streamId,
    ids.map((id) => ({ id, state: 'delivered' as const })),
  )
}

export async function refuse(db: Kysely<Database>, streamId: string, id: number, error: string) {
  await recordOutcomes(db, streamId, [{ id, state: 'refused', error }])
}

/** Marks every row of the stream created at or after `from` for delivery again. */
export async function redeliverFrom(db: Kysely<Database>, streamId: string, from: string): Promise<number> {
  const result = await db
    .updateTable('event_outbox')
    .set({ state: 'pending' })
    .where('stream_id', '=', streamId)
    .where('created_at', '>=', from)
    .where('state', '<>', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface Backlog {
  readonly pending: number
  readonly oldest: string | null
}

export async function backlogOf(db: Kysely<Database>, streamId: string): Promise<Backlog> {
  const row = await db
    .selectFrom('event_outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('stream_id', '=', streamId)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow()
  return { pending: Number(row.n), oldest: (row.oldest as string | null) ?? null }
}

/** The latest attempted rows of a stream, newest first. */
export async function recentDeliveries(db: Kysely<Database>, streamId: string, limit = 20) {
  const rows = await db
    .selectFrom('event_outbox')
    .select([
      'id',
      'txn',
      'created_at',
      'resource_type',
      'resource_id',
      'state',
      'attempts',
      'last_attempt_at',
      'last_status',
      'last_error',
      'delivered_at',
    ])
    .where('stream_id', '=', streamId)
    .where('last_attempt_at', 'is not', null)
    .orderBy('last_attempt_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

/**
 * Deletes delivered or refused rows created before `before`, at most `batch` at a time. Pending rows
 * stay whatever their age: they are owed.
 */
export async function pruneOutbox(db: Kysely<Database>, before: string, batch = 1000): Promise<number> {
  const result = await db
    .deleteFrom('event_outbox')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('event_outbox')
        .select('id')
        .where('state', '<>', 'pending')
        .where('created_at', '<', before)
        .orderBy('id')
        .limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * PostgreSQL: vacuums the outbox once `minDead` settled rows wait for it, and says whether it did.
 * Settling a row (delivered, acknowledged, refused) leaves its pending version behind, with its entry
 * in event_outbox_pending; at autovacuum's default pace (a look a minute, after 20% of the table)
 * they pile up at the head of the queue, and every read of pending rows walks through them: 5 ms a
 * read at 50,000, growing with the sync. SQLite updates rows in place: nothing to do.
 */
export async function vacuumOutboxIfDue(db: Kysely<Database>, minDead = 5000): Promise<boolean> {
  if (!isPostgres(db)) return false
  const { rows } = await sql<{ dead: string | number }>`
    select n_dead_tup as dead from pg_stat_user_tables where relid = 'event_outbox'::regclass`.execute(db)
  if (Number(rows[0]?.dead ?? 0) < minDead) return false
  // Not in a transaction (VACUUM refuses one); skip_locked: another process's vacuum is enough.
  await sql`vacuum (skip_locked) event_outbox`.execute(db)
  return true
}

/** Whether any pending row of any stream was signed with `kid` (see keys.ts: a key stays published). */
export async function kidInUse(db: Kysely<Database>, kid: string): Promise<boolean> {
  const row = await db
    .selectFrom('event_outbox')
    .select('id')
    .where('state', '=', 'pending')
    .where('kid', '=', kid)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** Poll: rows returned to the receiver, not yet acknowledged; the key that signed them stays published. */
export async function markReturned(
  db: Kysely<Database>,
  streamId: string,
  ids: readonly number[],
  kid: string,
) {
  const now = new Date().toISOString()
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .updateTable('event_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_attempt_at: now, kid }))
      .where('stream_id', '=', streamId)
      .where('state', '=', 'pending')
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
  }
}
