// Which SQL dialect: the one place that knows, from a database URL before connecting, or from a
// Kysely instance (or transaction) afterwards. Code asks here rather than testing URLs or adapters.
import { type Kysely, PostgresAdapter } from 'kysely'

export type Dialect = 'sqlite' | 'postgres'

/** `postgres://` or `postgresql://` is PostgreSQL; anything else is a SQLite file (or `:memory:`). */
export function dialectOfUrl(url: string): Dialect {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite'
}

/** Dialect of a Kysely instance or transaction. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** For the few places where SQL differs. */
export function isPostgres(db: Kysely<any>): boolean {
  return dialectOf(db) === 'postgres'
}
