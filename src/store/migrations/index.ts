// Forward-only migrations, registered statically so the built server needs no file-system scan.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { isPostgres } from '../dialect.js'
import * as m001 from './001-initial.js'
import * as m002 from './002-member-view-index.js'
import * as m003 from './003-event-actor.js'
import * as m004 from './004-sso.js'
import * as m006 from './006-events.js'
import * as m007 from './007-case-fold.js'
import * as m009 from './009-users.js'
import * as m010 from './010-session-end.js'
import * as m011 from './011-console-log.js'
import * as m012 from './012-audit-actor-ended-sessions.js'
import * as m013 from './013-groups-of-user-index.js'
import * as m014 from './014-users-fillfactor.js'
import * as m015 from './015-users-list-index.js'

// Names sort in the order they run: Kysely refuses a new migration that sorts before an applied one.
const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-member-view-index': m002,
  '003-event-actor': m003,
  '004-sso': m004,
  '006-events': m006,
  '007-case-fold': m007,
  '009-users': m009,
  '010-session-end': m010,
  '011-console-log': m011,
  '012-audit-actor-ended-sessions': m012,
  '013-groups-of-user-index': m013,
  '014-users-fillfactor': m014,
  '015-users-list-index': m015,
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
  for (let attempt = 1; ; attempt++) {
    const { error, results = [] } = await migrator.migrateToLatest()
    if (error && attempt < 5 && isOtherSchemaDropped(error, schema)) continue
    if (error) {
      const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
      throw new MigrationError(`Migration ${failed} failed: ${(error as Error).message ?? String(error)}`)
    }
    return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
  }
}

/**
 * Before it migrates, Kysely's migrator lists the tables of every schema it may use (PostgreSQL:
 * has_schema_privilege on each schema's name). A schema that another client drops during that listing
 * fails it with 3F000 invalid_schema_name, naming that schema; nothing has run yet (the lock and the
 * migrations come after), so the attempt is repeated. Seen with tests that each use a schema of one
 * database and drop it when done.
 */
function isOtherSchemaDropped(error: unknown, schema: string | undefined): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown }
  return code === '3F000' && typeof message === 'string' && (!schema || !message.includes(`"${schema}"`))
}
