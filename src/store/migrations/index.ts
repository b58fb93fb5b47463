// Forward-only migrations, registered statically so the built server needs no file-system scan.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { isPostgres } from '../dialect.js'
import * as m001 from './001-initial.js'
import * as m002 from './002-member-view-index.js'
import * as m003 from './003-event-actor.js'
import * as m006 from './006-events.js'

const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-member-view-index': m002,
  '003-event-actor': m003,
  '006-events': m006,
}

const provider: MigrationProvider = { getMigrations: async () => migrations }

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(db: Kysely<any>): Promise<string[]> {
  // Kysely looks for its own tables across all schemas unless told which one; name the current
  // schema so that databases in separate schemas of one PostgreSQL never see each other's.
  const schema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined
  const migrator = new Migrator({
    ...(schema ? { migrationTableSchema: schema } : {}),
    db,
    provider,
    migrationTableName: 'muster_migrations',
    migrationLockTableName: 'muster_migrations_lock',
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new MigrationError(`Migration ${failed} failed: ${(error as Error).message ?? String(error)}`)
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
