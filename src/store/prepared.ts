// Queries on the hot paths of SCIM traffic (the API-key lookup, `userName eq` lookups, the writes of a
// POST or a member PATCH) have a fixed shape: only their values change. Building a Kysely query and
// compiling it costs more than running it, so each shape is built and compiled once per dialect and
// later runs only bind new values into the compiled SQL.
import { type Compilable, type CompiledQuery, createQueryId, type Insertable, type Kysely } from 'kysely'
import { dialectOf } from './dialect.js'
import type { Database } from './schema.js'

/** Stands in for a named value while the shape is compiled; found again in the compiled parameters. */
class Slot {
  constructor(readonly name: string) {}
}

interface Template<R> {
  readonly query: CompiledQuery<R>
  /** For each compiled parameter, the name of the value it takes, or undefined for a constant. */
  readonly slots: readonly (string | undefined)[]
}

export type Prepared<V extends object, R> = (db: Kysely<Database>, values: V) => CompiledQuery<R>

/**
 * `prepare((db, v: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', v.id))`
 * returns a function `(db, { id }) => CompiledQuery` for `db.executeQuery`, `trx.executeQuery` or
 * `store.read`. `build` must use the values only as values (bound parameters), never to choose the
 * query's shape: an array value, for instance, would fix the length of an `in` list.
 */
export function prepare<V extends object, R>(
  build: (db: Kysely<Database>, values: V) => Compilable<R>,
): Prepared<V, R> {
  const templates: { sqlite?: Template<R>; postgres?: Template<R> } = {}
  return (db, values) => {
    const dialect = dialectOf(db)
    const template = templates[dialect] ?? compileTemplate(db, build)
    templates[dialect] = template
    const parameters = template.query.parameters.map((constant, i) => {
      const slot = template.slots[i]
      return slot === undefined ? constant : values[slot as keyof V]
    })
    return { ...template.query, queryId: createQueryId(), parameters }
  }
}

function compileTemplate<V extends object, R>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, values: V) => Compilable<R>,
): Template<R> {
  const slots = new Proxy({} as V, { get: (_, name) => new Slot(String(name)) })
  const query = build(db, slots).compile()
  if (!statementNames.has(query.sql)) statementNames.set(query.sql, `muster_${statementNames.size + 1}`)
  return { query, slots: query.parameters.map((p) => (p instanceof Slot ? p.name : undefined)) }
}

/**
 * The SQL texts of prepared shapes, each with a statement name. PostgreSQL connections run these as
 * named prepared statements (see database.ts): parsed and planned once per connection, not per run.
 */
const statementNames = new Map<string, string>()

export function statementName(sql: string): string | undefined {
  return statementNames.get(sql)
}

/** A prepared insert of one row into `table`, naming every column it writes. */
export function prepareInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Insertable<Database[T]> & string)[],
): Prepared<Insertable<Database[T]>, unknown> {
  return prepare((db, row: Insertable<Database[T]>) =>
    // Kysely cannot type an insert over a table chosen by a type parameter.
    (db as Kysely<any>).insertInto(table).values(Object.fromEntries(columns.map((c) => [c, row[c]]))),
  )
}
