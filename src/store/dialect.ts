import { type Kysely, PostgresAdapter } from 'kysely'

/** Dialect of a Kysely instance or transaction, for the few places where SQL differs. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
