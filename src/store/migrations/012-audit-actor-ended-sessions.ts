// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * - The audit trail names who acted without an account: `muster …` commands at the server's command
 *   line are recorded as "command line (user@host)" beside the admins of the console.
 * - A deleted user's sessions go with the user (by cascade); what the sign-in page needs to tell the
 *   person why is kept for a day in ended_sessions, keyed like sessions by the token's hash.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('actor_label', 'text').execute()
  await db.schema
    .createTable('ended_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('ended_at', 'text', (c) => c.notNull())
    .addColumn('ended_reason', 'text', (c) => c.notNull())
    .addColumn('ended_role', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('ended_sessions_ended').on('ended_sessions').column('ended_at').execute()
}
