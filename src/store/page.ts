// Paged reads shared by users and projects: one page plus the number of all matches.
import type { Expression, Kysely, SqlBool } from 'kysely'
import { fromJson } from './json.js'
import type { Database } from './schema.js'

export interface ListOptions {
  /** A compiled filter (see filter-sql.ts). */
  readonly where?: Expression<SqlBool> | undefined
  /** A sort expression; ties (and no sortBy) fall back to creation order, then id. */
  readonly orderBy?: Expression<unknown> | undefined
  readonly descending?: boolean
  readonly offset: number
  /** 0 counts only. */
  readonly limit: number
}

export interface Page<T> {
  readonly total: number
  readonly rows: T[]
}

/**
 * The page is read first: when it is the first page and not full, its length is the total and the
 * count query is skipped (the common case of an IdP's `userName eq "…"` lookup).
 */
export async function readPage<Row extends { resource: unknown }>(
  db: Kysely<Database>,
  table: 'users' | 'projects',
  platformId: string,
  options: ListOptions,
): Promise<Page<Row>> {
  // The two tables share the columns used here; Kysely cannot type a query over either, hence `any`.
  const base = (db as Kysely<any>)
    .selectFrom(table)
    .where('platform_id', '=', platformId)
    .$if(options.where !== undefined, (q) => q.where(options.where!))
  let rows: Row[] = []
  if (options.limit > 0) {
    const direction = options.descending ? 'desc' : 'asc'
    const found = (await base
      .selectAll()
      .$if(options.orderBy !== undefined, (q) => q.orderBy(options.orderBy!, direction))
      .orderBy('created_at', direction)
      .orderBy('id', direction)
      .limit(options.limit)
      .offset(options.offset)
      .execute()) as Row[]
    rows = found.map((row) => ({ ...row, resource: fromJson(row.resource) }))
    if (options.offset === 0 && rows.length < options.limit) return { total: rows.length, rows }
  }
  const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return { total: Number(n), rows }
}
