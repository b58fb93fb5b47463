// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * The audit trail names who acted without an account: `muster …` commands at the server's command
 * line are recorded as "command line (user@host)" beside the admins of the console.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('actor_label', 'text').execute()
}
