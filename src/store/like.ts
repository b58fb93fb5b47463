// Case-insensitive substring search that behaves the same on SQLite and PostgreSQL.
import { type Expression, type SqlBool, sql } from 'kysely'
import { fold } from './fold.js'

/** `%text%` with LIKE's wildcards escaped, so a search for `a_b` or `50%` means those characters. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * muster_fold(column) like muster_fold(pattern) escape '\'. SQLite has no default LIKE escape
 * character and PostgreSQL's LIKE is case-sensitive, so both the escape and the fold (store/fold.ts,
 * Unicode on both dialects) are spelled out.
 */
export function ilike(column: string, text: string): Expression<SqlBool> {
  return sql<SqlBool>`${fold(sql.ref(column))} like ${fold(sql`${containsPattern(text)}`)} escape '\\'`
}
