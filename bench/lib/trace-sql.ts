// Query counting for the server child (BENCH_TRACE_SQL=1): wraps better-sqlite3's prepare and pg's
// Client.query to count statements by SQL text. `sqlCounts()` returns and resets the counts.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const counts = new Map<string, number>()
const count = (text: string) => {
  const key = text.replace(/\s+/g, ' ').slice(0, 400)
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

export function installSqlTrace(): void {
  const Sqlite = require('better-sqlite3') as { prototype: { prepare: (sql: string) => unknown } }
  const prepare = Sqlite.prototype.prepare
  Sqlite.prototype.prepare = function (this: unknown, sql: string) {
    count(sql)
    return prepare.call(this, sql)
  }
  const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } }
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string }
    count(typeof first === 'string' ? first : (first?.text ?? '?'))
    return query.apply(this, args)
  }
}

export function sqlCounts(): Record<string, number> {
  const result = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
  counts.clear()
  return result
}
