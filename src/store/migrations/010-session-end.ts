// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'

/**
 * - A session that a role change or deactivation ends is kept, marked with why, so the sign-in page
 *   can tell the person instead of a silent redirect (store/sessions.ts).
 * - Each API key remembers the User-Agent of its last request, so the API keys page can say which
 *   identity provider uses which key.
 * - Refused and failed requests of the last day are counted from a partial index on the log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('ended_at', 'text').execute()
  await db.schema.alterTable('sessions').addColumn('ended_reason', 'text').execute()
  await db.schema.alterTable('sessions').addColumn('ended_role', 'text').execute()
  await db.schema.alterTable('sessions').addColumn('ended_by', 'text').execute()
  await db.schema.alterTable('api_keys').addColumn('last_user_agent', 'text').execute()
  await db.schema
    .createIndex('events_platform_errors')
    .on('events')
    .columns(['platform_id', 'created_at'])
    .where(sql.ref('status'), '>=', 400)
    .execute()
}
