// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * Streaming a group's members joins each membership to its user for `display`. With this covering
 * index the join reads one index entry per member instead of an index entry and then the table row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('users_member_view')
    .on('users')
    .columns(['id', 'display_name', 'email'])
    .execute()
}
