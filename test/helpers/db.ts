// Each test file gets its own database: a fresh SQLite file in a temp directory (a file, as in
// production, so reads take the second connection), or a fresh schema in the PostgreSQL named by
// TEST_POSTGRES_URL (default: the local trust-auth server); either is removed afterwards.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createStore, type Dialect, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Dialects the store tests loop over. Both by default; TEST_DIALECTS=sqlite narrows it locally. */
export const dialects: readonly Dialect[] = (process.env.TEST_DIALECTS?.split(',') as
  | Dialect[]
  | undefined) ?? ['sqlite', 'postgres']

export interface TestDatabase {
  readonly url: string
  drop(): Promise<void>
}

/** A database URL for a fresh, empty database of the dialect. */
export async function createTestDatabase(dialect: Dialect, file?: string): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    if (file) return { url: `file:${file}`, drop: async () => {} }
    const dir = mkdtempSync(join(tmpdir(), 'muster-test-'))
    return {
      url: `file:${join(dir, 'muster.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  await adminQuery(`create schema ${schema}`)
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`
  return { url, drop: () => adminQuery(`drop schema if exists ${schema} cascade`) }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A migrated store on a fresh database; `close` also drops the database. */
export async function createTestStore(dialect: Dialect): Promise<Store & { url: string }> {
  const database = await createTestDatabase(dialect)
  const store = createStore({ url: database.url, poolSize: 5 })
  await migrate(store.db)
  return {
    ...store,
    url: database.url,
    close: async () => {
      await store.close()
      await database.drop()
    },
  }
}
