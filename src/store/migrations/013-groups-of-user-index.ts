// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely'

/**
 * A user's groups (the `groups` of every User read) from two covering indexes, without the
 * membership row or the project row: project_members_user gains platform_id (the query checks it),
 * and projects_group_view holds what a group is shown and sorted by. In a database of many platforms
 * the rows a request needs are spread over a file far larger than SQLite's page cache, and each table
 * page read costs a system call; on SQLite this took the groups query from about 31 to 21 µs at
 * 10,000 platforms (bench/REPORT.md, Many tenants). PostgreSQL can answer it by index-only scans.
 * Repeatable after a failure half-way (Kysely runs SQLite's migrations outside a transaction).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('project_members_user').ifExists().execute()
  await db.schema
    .createIndex('project_members_user')
    .on('project_members')
    .columns(['user_id', 'project_id', 'platform_id'])
    .execute()
  await db.schema
    .createIndex('projects_group_view')
    .ifNotExists()
    .on('projects')
    .columns(['id', 'display_key', 'display_name'])
    .execute()
}
