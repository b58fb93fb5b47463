// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * A list of a platform's users in creation order (every filter that is not a key lookup, and the
 * count beside it) reads users_created; with display_name in the index, a filter on displayName is
 * tested on the index entry: the count reads no table row (PostgreSQL by an index-only scan), and on
 * SQLite the page reads only the rows that match (the seek is deferred until a column outside the
 * index is needed). In a database far larger than the page cache each table page costs a system
 * call: a `displayName co` list of 10 from a platform of 100 read all 100 rows for its count
 * (bench/REPORT.md, Many tenants).
 * An entry of this index is rewritten when a user's displayName changes, as users_member_view's is.
 * Repeatable after a failure half-way (Kysely runs SQLite's migrations outside a transaction).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_created').ifExists().execute()
  await db.schema
    .createIndex('users_created')
    .on('users')
    .columns(['platform_id', 'created_at', 'id', 'display_name'])
    .execute()
}
