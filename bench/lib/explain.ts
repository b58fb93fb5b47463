// EXPLAIN of the statements a traced server child ran (BENCH_TRACE_SQL=1, see trace-sql.ts), on its
// own database: SQLite's query plan, PostgreSQL's plan (inside a transaction that is rolled back).
import Database from 'better-sqlite3'
import pg from 'pg'
import { registerFold } from '../../src/store/fold.js'
import { type BenchDatabase, postgresConfig } from './seed.js'
import type { BenchServer } from './spawn.js'

/** EXPLAIN of each statement the server ran (SELECT, UPDATE and DELETE; inserts have no access path). */
export async function explainAll(database: BenchDatabase, server: BenchServer) {
  const samples = (await server.sqlSamples()).filter(({ sql: text }) =>
    /^\s*(select|update|delete|with)/i.test(text),
  )
  const plans: { sql: string; plan: string }[] = []
  if (database.dialect === 'sqlite') {
    const db = new Database(database.url.replace(/^file:/, ''), { readonly: true })
    registerFold(db)
    for (const { sql: text, parameters } of samples) {
      const rows = db.prepare(`explain query plan ${text}`).all(...(parameters as never[])) as {
        detail: string
      }[]
      plans.push({ sql: text, plan: rows.map((r) => r.detail).join('\n') })
    }
    db.close()
  } else {
    const client = new pg.Client(postgresConfig(database))
    await client.connect()
    for (const { sql: text, parameters } of samples) {
      // Inside a transaction that is rolled back: EXPLAIN ANALYZE would run a write.
      await client.query('begin')
      const { rows } = await client.query(`explain ${text}`, parameters)
      await client.query('rollback')
      plans.push({ sql: text, plan: rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n') })
    }
    await client.end()
  }
  return plans
}
