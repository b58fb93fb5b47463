// createDb: one Kysely<Database> over SQLite (default, embedded) or PostgreSQL (DATABASE_URL=postgres://…).
// Dialect differences live in this folder only; this file holds the connection-level ones.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  type SqliteDatabase as SqliteDatabaseLike,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type Transaction,
} from 'kysely'
import pg from 'pg'
import { type Dialect, dialectOfUrl } from './dialect.js'
import { registerFold } from './fold.js'
import { type KeyCache, postgresKeyCache, sqliteKeyCache } from './key-cache.js'
import { type PlanGenerations, watchPlanGenerations } from './plan-generations.js'
import { statementName } from './prepared.js'
import type { Database } from './schema.js'
import { type Checkpointer, startCheckpointer } from './sqlite-checkpoint.js'
import { groupCommit } from './sqlite-group-commit.js'

export type { Dialect } from './dialect.js'

export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /**
   * Runs fn in one transaction that takes the write lock up front (see `begin immediate` below). On
   * SQLite, transactions that arrive together share one commit (see sqlite-group-commit.ts).
   */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>
  /**
   * Runs one read outside any transaction. On a SQLite file it runs synchronously, without queuing
   * behind the writer's transactions: on the writer's connection while no transaction is open there,
   * else on a second, query-only connection (a WAL reader sees every committed write and nothing
   * uncommitted). On PostgreSQL it runs on a pooled connection without Kysely's driver layers (see
   * readOnPool); on an in-memory or query-only SQLite store it is `db.executeQuery`.
   */
  read<R>(query: CompiledQuery<R>): Promise<R[]>
  close(): Promise<void>
  /** API keys resolved while none can have changed (see key-cache.ts). */
  readonly keys: KeyCache
  /** Connection pool state (PostgreSQL; SQLite has one connection and no pool). */
  poolStats?: () => { total: number; idle: number; waiting: number }
  /** PostgreSQL: the generations of its prepared statements' plans (plan-generations.ts). */
  readonly plans?: PlanGenerations
}

export interface DbOptions {
  readonly url: string
  readonly poolSize?: number
  /** PostgreSQL: connections are replaced after this long (see openPostgres). */
  readonly connectionLifetimeSeconds?: number
  /**
   * SQLite: bytes of the file mapped into memory (`PRAGMA mmap_size`), on the writer's and the
   * reader's connections (not the delivery thread's, which reads only the outbox). Reads of mapped
   * pages skip the system call and the copy into SQLite's page cache, which is what a request pays
   * once the file is far larger than that cache (many platforms); the mapped pages then count in the
   * process's RSS. 0 (the default): no mapping.
   */
  readonly sqliteMmapBytes?: number
  /** PostgreSQL: how often table sizes are compared for a new plan generation (plan-generations.ts); 0: never. */
  readonly planCheckMs?: number
  /**
   * For a second reader in the same process (the delivery thread): on SQLite one query-only
   * connection, without the checkpoint worker, hourly optimize and second connection that the
   * process's own store already runs.
   */
  readonly readOnly?: boolean
}

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError'
}

export function createStore({
  url,
  poolSize = 10,
  readOnly = false,
  connectionLifetimeSeconds = 60,
  planCheckMs = 2_000,
  sqliteMmapBytes = 0,
}: DbOptions): Store {
  const dialect = dialectOfUrl(url)
  if (dialect === 'sqlite') {
    const { db, read, checkpointer, keys } = readOnly
      ? openSqliteReader(url, sqliteMmapBytes)
      : openSqlite(url, sqliteMmapBytes)
    return {
      db,
      dialect,
      transaction: groupCommit(db),
      read,
      keys,
      close: async () => {
        await checkpointer?.stop()
        await db.destroy()
      },
    }
  }
  const { db, pool, connection, plans } = openPostgres(url, poolSize, connectionLifetimeSeconds, planCheckMs)
  const keys = postgresKeyCache(connection)
  return {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute(fn),
    read: (query) => readOnPool(pool, query),
    keys,
    close: async () => {
      plans.stop()
      await keys.close()
      await db.destroy()
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    plans,
  }
}

/**
 * SQLite: `file:path`, `file::memory:`, `:memory:` or a plain path. WAL lets readers run beside the
 * writer; foreign keys are off by default in SQLite and must be switched on per connection.
 */
function openSqlite(
  url: string,
  mmapBytes: number,
): Pick<Store, 'db' | 'read' | 'keys'> & { checkpointer?: Checkpointer } {
  const path = url.replace(/^file:/i, '')
  const memory = path === ':memory:' || path === ''
  let database: SqliteDatabase.Database
  try {
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true })
    database = new SqliteDatabase(memory ? ':memory:' : path)
    if (!memory) database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL')
    database.pragma('foreign_keys = ON')
    database.pragma('busy_timeout = 5000')
    if (!memory) mapFile(database, mmapBytes)
    // Gather planner statistics where they are missing or stale, bounded in cost, as SQLite advises
    // for long-lived connections (https://www.sqlite.org/pragma.html#pragma_optimize): without them
    // the planner ignores covering indexes such as users_member_view.
    database.pragma('analysis_limit = 1000')
    database.pragma('optimize = 0x10002')
    registerFold(database)
  } catch (error) {
    throw new DatabaseOpenError(`Cannot open SQLite database at ${path}: ${(error as Error).message}`)
  }
  // …and again every hour for a long-running process whose data has grown since it opened.
  const optimize = setInterval(() => {
    try {
      database.pragma('optimize')
    } catch {
      // A busy database skips this round; the next one tries again.
    }
  }, 3600_000)
  optimize.unref()
  const cached = withStatementCache(database)
  const keys = sqliteKeyCache(database)
  // An in-memory database exists only on its own connection: its reads go through Kysely's.
  const reader = memory ? undefined : openReader(path, mmapBytes)
  const checkpointer = memory ? undefined : startCheckpointer(database, path)
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({
      database: {
        prepare: (text) => cached.prepare(text),
        close: () => {
          clearInterval(optimize)
          reader?.close()
          cached.close()
        },
      },
    }),
  })
  if (!reader) return { db, keys, read: (query) => executeRead(db, query) }
  const readerStatements = withStatementCache(reader)
  return {
    db,
    keys,
    checkpointer,
    // A read runs on the writer's connection when no transaction is open there (nothing uncommitted to
    // see, and its page cache is warm), else on the reader's: any commit by another connection empties
    // a connection's page cache, so the reader's is cold while writes are frequent.
    read: <R>(query: CompiledQuery<R>) => {
      const statements = database.inTransaction ? readerStatements : cached
      try {
        return Promise.resolve(statements.prepare(query.sql).all(query.parameters as unknown[]) as R[])
      } catch (error) {
        return Promise.reject(error)
      }
    },
  }
}

/** A query-only SQLite store on one connection (see DbOptions.readOnly). */
function openSqliteReader(
  url: string,
  mmapBytes: number,
): Pick<Store, 'db' | 'read' | 'keys'> & { checkpointer?: Checkpointer } {
  const path = url.replace(/^file:/i, '')
  let reader: SqliteDatabase.Database
  try {
    reader = openReader(path, mmapBytes)
  } catch (error) {
    throw new DatabaseOpenError(`Cannot open SQLite database at ${path}: ${(error as Error).message}`)
  }
  const cached = withStatementCache(reader)
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({
      database: { prepare: (text) => cached.prepare(text), close: () => cached.close() },
    }),
  })
  return { db, keys: sqliteKeyCache(reader), read: (query) => executeRead(db, query) }
}

/**
 * The query-only connection. Every connection that runs queries registers muster_fold (store/fold.ts);
 * the checkpoint worker's connection (sqlite-checkpoint.ts) runs only wal_checkpoint and needs none.
 */
function openReader(path: string, mmapBytes: number): SqliteDatabase.Database {
  const reader = new SqliteDatabase(path)
  reader.pragma('query_only = ON')
  reader.pragma('busy_timeout = 5000')
  mapFile(reader, mmapBytes)
  registerFold(reader)
  return reader
}

/** See DbOptions.sqliteMmapBytes. SQLite caps the value at its compile-time maximum. */
function mapFile(connection: SqliteDatabase.Database, bytes: number): void {
  if (bytes > 0) connection.pragma(`mmap_size = ${Math.floor(bytes)}`)
}

async function executeRead<R>(db: Kysely<Database>, query: CompiledQuery<R>): Promise<R[]> {
  return (await db.executeQuery(query)).rows
}

/**
 * A PostgreSQL read as Kysely's driver runs it (take a connection, query, give it back) without the
 * driver's layers of promises around it: 5 to 20 µs less of Node's CPU per read, and 4 to 10% less
 * server CPU per filtered GET (bench/REPORT.md, Users). The connection is the pool's, so
 * named statements (useNamedStatements) apply, and a connection that broke is dropped by the pool.
 */
async function readOnPool<R>(pool: pg.Pool, query: CompiledQuery<R>): Promise<R[]> {
  const client = await pool.connect()
  try {
    return (await client.query(query.sql, query.parameters as unknown[])).rows as R[]
  } finally {
    client.release()
  }
}

/**
 * Kysely prepares every statement it runs; preparing costs SQLite as much as running a simple indexed
 * lookup. The SQL text of a query shape is stable (values are parameters), so prepared statements are
 * kept and reused, least recently used out first.
 */
function withStatementCache(database: SqliteDatabase.Database, size = 500): SqliteDatabaseLike {
  const statements = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => database.close(),
    prepare(text) {
      let statement = statements.get(text)
      if (statement) {
        statements.delete(text)
      } else {
        statement = database.prepare(text)
        if (statements.size >= size) statements.delete(statements.keys().next().value!)
      }
      statements.set(text, statement)
      return statement
    },
  }
}

/**
 * A deferred SQLite transaction that reads and then writes can fail with SQLITE_BUSY when another
 * process holds the write lock (the busy handler is not consulted for a lock upgrade). Taking the
 * write lock at `begin immediate` makes concurrent writers queue behind busy_timeout instead.
 * https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/** PostgreSQL; an optional `?schema=name` puts every table in that schema (used by tests). */
function openPostgres(
  url: string,
  poolSize: number,
  lifetimeSeconds: number,
  planCheckMs: number,
): { db: Kysely<Database>; pool: pg.Pool; connection: pg.ClientConfig; plans: PlanGenerations } {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema')
  parsed.searchParams.delete('schema')
  if (schema && !/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new DatabaseOpenError(`Invalid schema name ${schema}`)
  const connection: pg.ClientConfig = {
    connectionString: parsed.toString(),
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  }
  // Connections are replaced after a minute (when next released), which frees the statements of
  // earlier plan generations (below) that they still hold on the server.
  const pool = new pg.Pool({ ...connection, max: poolSize, maxLifetimeSeconds: lifetimeSeconds })
  // An idle client that loses its connection emits 'error' on the pool; without a listener the
  // process would crash. The next query gets a fresh connection.
  pool.on('error', () => {})
  const plans = watchPlanGenerations(pool, planCheckMs)
  pool.on('connect', (client) => useNamedStatements(client, plans))
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool, connection, plans }
}

/**
 * Runs the SQL of prepared shapes (prepared.ts) as named prepared statements on this connection:
 * PostgreSQL parses and plans each once per connection instead of on every run, and the driver then
 * sends only Bind and Execute. Kysely calls `client.query(text, values)`; other calls pass through.
 * The name carries the plan generation, so that a statement is prepared and planned again once the
 * tables have grown (plan-generations.ts).
 */
function useNamedStatements(client: pg.PoolClient, plans: PlanGenerations): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  ;(client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? statementName(text) : undefined
    if (!name) return query(text, ...rest)
    const generation = plans.current()
    return query(
      { name: generation ? `${name}_${generation}` : name, text, values: rest[0] },
      ...rest.slice(1),
    )
  }
}

/** Fails with DatabaseOpenError when the database does not answer. */
export async function ping(store: Store): Promise<void> {
  try {
    await store.db.executeQuery(CompiledQuery.raw('select 1'))
  } catch (error) {
    throw new DatabaseOpenError(`Database does not answer: ${(error as Error).message}`)
  }
}
