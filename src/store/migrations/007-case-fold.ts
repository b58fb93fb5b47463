// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * muster_fold(text) on PostgreSQL, the fold of every case-insensitive comparison (see store/fold.ts).
 * With ICU (PostgreSQL builds have it almost everywhere, and the collation "und-x-icu" exists from
 * initdb), lower() under the ICU root locale folds exactly as JavaScript's toLowerCase does, whatever
 * the database's LC_CTYPE. Without ICU it is the database's own lower(), which folds Unicode only
 * under a UTF-8 LC_CTYPE. A one-statement SQL function declared immutable is inlined by the planner:
 * the call costs nothing over writing the expression out. SQLite registers its muster_fold on each
 * connection instead (store/database.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return
  const { rows } = await sql<{ icu: boolean }>`
    select exists (select 1 from pg_collation where collname = 'und-x-icu' and collprovider = 'i')
      and getdatabaseencoding() <> 'SQL_ASCII' as icu`.execute(db)
  const body = rows[0]?.icu ? 'select lower($1 collate "und-x-icu")' : 'select lower($1)'
  await sql`create or replace function muster_fold(text) returns text
    language sql immutable parallel safe as ${sql.lit(body)}`.execute(db)
}
