// Paged reads shared by users and projects: one page plus the number of all matches.
import { type AliasedRawBuilder, type Expression, type Kysely, type SqlBool, sql } from 'kysely'
import { type KeyColumn, UNIQUE_KEY_COLUMNS } from './columns.js'
import type { Dialect, Store } from './database.js'
import { dialectOf } from './dialect.js'
import { fromJson } from './json.js'
import { type Prepared, prepare } from './prepared.js'
import type { Database } from './schema.js'

export interface KeyMatch {
  readonly column: KeyColumn
  readonly value: string
}

export interface ListOptions {
  /** A compiled filter (see filter-sql.ts). */
  readonly where?: Expression<SqlBool> | undefined
  /**
   * Instead of `where`, a filter that is one equality on a key column (`userName eq "x"`, which IdPs
   * send before every create), read by a prepared statement. Never with `orderBy`.
   */
  readonly key?: KeyMatch | undefined
  /** A sort expression; ties (and no sortBy) fall back to creation order, then id. */
  readonly orderBy?: Expression<unknown> | undefined
  readonly descending?: boolean
  readonly offset: number
  /** 0 counts only. */
  readonly limit: number
}

/** A column computed per row beside `selectAll()`, e.g. a user's groups (see users.ts). */
export interface ExtraColumn {
  /** Names the shape in the prepared-query cache. */
  readonly name: string
  readonly select: (dialect: Dialect) => AliasedRawBuilder<unknown, string>
}

export interface Page<T> {
  readonly total: number
  readonly rows: T[]
}

type Table = 'users' | 'projects'

/**
 * The page is read first: when it is the first page and not full, its length is the total and the
 * count query is skipped (the common case of an IdP's `userName eq "…"` lookup).
 */
export async function readPage<Row extends { resource: unknown }>(
  store: Pick<Store, 'db' | 'read'>,
  table: Table,
  platformId: string,
  options: ListOptions,
  extra?: ExtraColumn,
): Promise<Page<Row>> {
  const { key } = options
  const queries = key ? keyQueries(table, key.column, extra) : undefined
  if (key && queries?.unique) {
    // At most one row: read it without ORDER BY, LIMIT or OFFSET and page in JavaScript; the total is
    // known without a count. (SQLite prepares a statement with a bound LIMIT again on every run, which
    // tripled the cost of this lookup.)
    const rows = parsed<Row>(await store.read(queries.unique(store.db, { platformId, value: key.value })))
    return { total: rows.length, rows: rows.slice(options.offset, options.offset + options.limit) }
  }
  // The two tables share the columns used here; Kysely cannot type a query over either, hence `any`.
  const base = () =>
    (store.db as Kysely<any>)
      .selectFrom(table)
      .where('platform_id', '=', platformId)
      .$if(options.where !== undefined, (q) => q.where(options.where!))
  let rows: Row[] = []
  if (options.limit > 0) {
    const direction = options.descending ? 'desc' : 'asc'
    const page = queries
      ? queries.page(store.db, {
          platformId,
          value: key!.value,
          limit: options.limit,
          offset: options.offset,
        })
      : base()
          .selectAll()
          .$if(extra !== undefined, (q) => q.select(extra!.select(dialectOf(store.db))))
          .$if(options.orderBy !== undefined, (q) => q.orderBy(options.orderBy!, direction))
          .orderBy('created_at', direction)
          .orderBy('id', direction)
          // Written into the SQL: SQLite prepares a statement with a bound LIMIT or OFFSET again on every
          // run (its plan may depend on the value), which costs as much as the query.
          .limit(integer(options.limit))
          .offset(integer(options.offset))
          .compile()
    rows = parsed<Row>(await store.read(page))
    if (options.offset === 0 && rows.length < options.limit) return { total: rows.length, rows }
  }
  const count = queries
    ? queries.count(store.db, { platformId, value: key!.value })
    : base()
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .compile()
  const [result] = await store.read(count)
  return { total: Number(result?.n ?? 0), rows }
}

/** Rows with their resource JSON parsed. */
function parsed<Row extends { resource: unknown }>(found: unknown[]): Row[] {
  return (found as Row[]).map((row) => ({ ...row, resource: fromJson(row.resource) }))
}

/** An integer literal for LIMIT and OFFSET (the SCIM parser makes them integers; this keeps it so). */
function integer(n: number) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a row count: ${n}`)
  return sql.lit(n)
}

interface KeyValues {
  readonly platformId: string
  readonly value: string
}

interface KeyQueries {
  readonly page: Prepared<KeyValues & { readonly limit: number; readonly offset: number }, unknown>
  readonly count: Prepared<KeyValues, { n: number | string | bigint }>
  /** For a column unique per platform: the one row, if any. */
  readonly unique?: Prepared<KeyValues, unknown>
}

const keyQueryCache = new Map<string, KeyQueries>()

/** The page and count queries of one key column, in the order a filtered readPage uses. */
function keyQueries(table: Table, column: KeyColumn, extra: ExtraColumn | undefined): KeyQueries {
  const name = `${table}.${column}`
  const shape = extra ? `${name}+${extra.name}` : name
  let queries = keyQueryCache.get(shape)
  if (!queries) {
    const where = (db: Kysely<Database>, v: KeyValues) =>
      (db as Kysely<any>).selectFrom(table).where('platform_id', '=', v.platformId).where(name, '=', v.value)
    queries = {
      page: prepare((db, v: KeyValues & { limit: number; offset: number }) =>
        where(db, v)
          .selectAll()
          .$if(extra !== undefined, (q) => q.select(extra!.select(dialectOf(db))))
          .orderBy('created_at', 'asc')
          .orderBy('id', 'asc')
          .limit(v.limit)
          .offset(v.offset),
      ),
      count: prepare((db, v: KeyValues) =>
        where(db, v).select((eb) => eb.fn.countAll<number | string | bigint>().as('n')),
      ),
      ...(UNIQUE_KEY_COLUMNS.has(column)
        ? {
            unique: prepare((db, v: KeyValues) =>
              where(db, v)
                .selectAll()
                .$if(extra !== undefined, (q) => q.select(extra!.select(dialectOf(db)))),
            ),
          }
        : {}),
    }
    keyQueryCache.set(shape, queries)
  }
  return queries
}
