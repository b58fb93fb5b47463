// Query counting for the server child (BENCH_TRACE_SQL=1): wraps the execution methods of
// better-sqlite3's statements (which the store prepares once and caches) and pg's Client.query to count
// statements by SQL text. `sqlCounts()` returns and resets the counts.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const counts = new Map<string, number>()
/** One run's values per full SQL text, for EXPLAIN (see sqlSamples). */
const samples = new Map<string, unknown[]>()
const count = (text: string, parameters?: unknown) => {
  const key = text.replace(/\s+/g, ' ').slice(0, 400)
  counts.set(key, (counts.get(key) ?? 0) + 1)
  if (!samples.has(text) && samples.size < 500) samples.set(text, Array.isArray(parameters) ? parameters : [])
}

export function installSqlTrace(): void {
  type Methods = Record<string, (...args: unknown[]) => unknown>
  const Sqlite = require('better-sqlite3') as { prototype: { prepare: (sql: string) => object } }
  const prepare = Sqlite.prototype.prepare
  let patched = false
  Sqlite.prototype.prepare = function (this: unknown, sql: string) {
    const statement = prepare.call(this, sql)
    if (!patched) {
      patched = true
      const methods = Object.getPrototypeOf(statement) as Methods
      for (const name of ['run', 'all', 'get', 'iterate']) {
        const original = methods[name] as (...args: unknown[]) => unknown
        methods[name] = function (this: { source: string }, ...args: unknown[]) {
          count(this.source, args[0])
          return original.apply(this, args)
        }
      }
    }
    return statement
  }
  const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } }
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; values?: unknown[] }
    if (typeof first === 'string') count(first, args[1])
    else count(first?.text ?? '?', first?.values)
    return query.apply(this, args)
  }
}

export function sqlCounts(): Record<string, number> {
  const result = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
  counts.clear()
  return result
}

/** Every statement text seen since start, with the values of one of its runs. */
export function sqlSamples(): { sql: string; parameters: unknown[] }[] {
  return [...samples].map(([sql, parameters]) => ({ sql, parameters }))
}
