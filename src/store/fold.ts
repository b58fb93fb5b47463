// Case folding for every case-insensitive comparison (attributes with caseExact false, RFC 7643 §2.2):
// filters, sortBy, the console's search, and the key columns (email_key, display_key). One fold, the
// same on both dialects: JavaScript's toLowerCase (Unicode's default full case mapping, as ICU does it).
//
// SQL cannot use lower() for this: SQLite's folds ASCII only ("ÉL" would not find "élodie"), and
// PostgreSQL's follows the database's LC_CTYPE (ASCII only under C or POSIX; under a libc UTF-8 locale
// "İ" and a final "Σ" fold otherwise than in JavaScript). So the SQL calls muster_fold(text): on SQLite
// a deterministic function registered on every connection that runs queries (registerFold), on
// PostgreSQL a SQL function created by migration 007 as lower(x collate "und-x-icu"), which the planner
// inlines.
import type SqliteDatabase from 'better-sqlite3'
import { type Expression, sql } from 'kysely'

/** The fold of a text in JavaScript: what the key columns hold and what muster_fold computes. */
export function foldText(text: string): string {
  return text.toLowerCase()
}

/** `muster_fold(value)`: the SQL fold of a text expression (NULL stays NULL). */
export function fold(value: Expression<unknown>) {
  return sql<string | null>`muster_fold(${value})`
}

/**
 * Registers muster_fold on a SQLite connection. Deterministic, so SQLite evaluates it once for a
 * constant argument and may use it where only deterministic functions are allowed. Numbers (from JSON)
 * fold to their text, as lower() would give it.
 */
export function registerFold(database: SqliteDatabase.Database): void {
  database.function('muster_fold', { deterministic: true }, (value: unknown) =>
    value === null || value === undefined ? null : foldText(String(value)),
  )
}
