// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * The provisioning log records changes made in the console too, so each event names its actor:
 * 'scim' (an API key, as every event before this migration), 'console' (an admin) or 'sso'.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('actor_type', 'text', (c) => c.notNull().defaultTo('scim'))
    .execute()
  await db.schema.alterTable('events').addColumn('actor_user_id', 'text').execute()
}
