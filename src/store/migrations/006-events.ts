// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Provisioning events out (EVENTS.md): the streams a platform publishes to, the outbox of SETs still
 * owed to each stream (written in the transaction of the change it describes), and the keys that
 * sign them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('push','poll')`))
    .addColumn('url', 'text')
    // The event URIs the stream asked for (JSON array), and the operations they name as
    // ",create,patch," so that the outbox insert filters with one LIKE; null: every event.
    .addColumn('event_types', 'text')
    .addColumn('event_ops', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('enabled','paused','failed')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Delivery state: when the current run of failures began, when to try next, what went wrong.
    .addColumn('failing_since', 'text')
    .addColumn('retry_at', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_delivered_at', 'text')
    // The process that delivers this stream, until when (see src/events/worker.ts).
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .execute()
  await db.schema.createIndex('event_streams_platform').on('event_streams').columns(['platform_id']).execute()

  await db.schema
    .createTable('event_outbox')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => c.primaryKey().notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull().references('event_streams.id').onDelete('cascade'))
    .addColumn('platform_id', 'text', (c) => c.notNull())
    // One per committed change, shared by the SETs of every stream (rfc9967#section-2.2 "txn").
    .addColumn('txn', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    // The change as JSON (src/events/change.ts), signed into a SET when it is delivered.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','delivered','refused')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    // The key of the last signature, so that key stays published while this SET is unacknowledged.
    .addColumn('kid', 'text')
    .execute()
  // The delivery queue: pending rows only, in commit order per stream.
  await sql`create index event_outbox_pending on event_outbox (stream_id, id) where state = 'pending'`.execute(
    db,
  )

  await db.schema
    .createTable('event_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    // The private JWK sealed with the secret box (src/crypto/secret-box.ts).
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Published from created_at; signs from activates_at until a newer key activates.
    .addColumn('activates_at', 'text', (c) => c.notNull())
    // No longer published: nothing unacknowledged was signed with it.
    .addColumn('removed_at', 'text')
    .execute()
}
