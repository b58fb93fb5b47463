// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * 1. events.resource_name: the user's userName or the group's displayName when the event was
 *    written, so the log names what a deleted resource was.
 * 2. event_bodies: the request and response bodies of a logged SCIM write (redacted), kept for
 *    LOG_BODY_RETENTION_HOURS and joined to the log by request id; UNLOGGED on PostgreSQL.
 * 3. audit_log: what admins did in the console and through the admin API: who, when, what, from where.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const json = isPostgres(db) ? 'jsonb' : 'text'
  await db.schema.alterTable('events').addColumn('resource_name', 'text').execute()
  await db.schema.createIndex('events_request').on('events').columns(['platform_id', 'request_id']).execute()

  // PostgreSQL: UNLOGGED, so bodies cost no WAL (during a sync they were a third of it, and WAL volume
  // is what slows a sync down once a checkpoint starts); a crash empties the table, which only loses
  // diagnostics, and replicas do not get them.
  let bodies = db.schema.createTable('event_bodies')
  if (isPostgres(db)) bodies = bodies.modifyFront(sql`unlogged`)
  await bodies
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => c.primaryKey().notNull())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('request_body', 'text')
    .addColumn('response_body', 'text')
    .execute()
  await db.schema
    .createIndex('event_bodies_request')
    .on('event_bodies')
    .columns(['platform_id', 'request_id'])
    .execute()
  await db.schema.createIndex('event_bodies_created').on('event_bodies').columns(['created_at']).execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => c.primaryKey().notNull())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('target_name', 'text')
    .addColumn('details', json)
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .execute()
  await db.schema.createIndex('audit_log_platform').on('audit_log').columns(['platform_id', 'id']).execute()
  await db.schema.createIndex('audit_log_created').on('audit_log').columns(['created_at']).execute()
}
