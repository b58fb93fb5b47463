// Shared pieces of the reliability suite: server processes, fixtures, a seeded random source, bounded
// concurrency, database snapshots and integrity checks. Everything talks to 127.0.0.1 only.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import Sqlite from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { createApiKey } from '../../src/store/api-keys.js'
import { createStore, type Dialect, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { SCIM } from '../helpers/app.js'
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../helpers/db.js'

export { SCIM }
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
const ROOT = resolve(import.meta.dirname, '../..')
const SERVER = 'test/helpers/server-process.ts'

/** The seed of this run: RELIABILITY_SEED when set (to replay a failure), else the clock. Printed. */
export function runSeed(name: string): number {
  const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31)
  console.log(`[reliability] ${name}: seed ${seed} (replay with RELIABILITY_SEED=${seed})`)
  return seed
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export { pooled } from '../helpers/processes.js'

// ---------------------------------------------------------------------------------------------
// Fixtures: a migrated database (SQLite: a file in a temporary directory) with a platform and a key.

export interface Fixture {
  readonly dialect: Dialect
  readonly url: string
  readonly dir: string
  readonly platformId: string
  readonly secret: string
  readonly database: TestDatabase
}

export async function createFixture(dialect: Dialect, name: string): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), `muster-${name}-`))
  const database = await createTestDatabase(dialect, join(dir, 'muster.db'))
  const store = createStore({ url: database.url, poolSize: 2 })
  try {
    await migrate(store.db)
    const platform = await createPlatform(store.db, name)
    const { secret } = await createApiKey(store.db, platform.id, 'idp')
    return { dialect, url: database.url, dir, platformId: platform.id, secret, database }
  } finally {
    await store.close()
  }
}

export async function dropFixture(f: Fixture | undefined): Promise<void> {
  if (!f) return
  await f.database.drop().catch(() => {})
  rmSync(f.dir, { recursive: true, force: true })
}

/** A short-lived store on the fixture's database (closed by the caller). */
export function openStore(f: Fixture): Store {
  return createStore({ url: f.url, poolSize: 2 })
}

export async function withStore<T>(f: Fixture, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(f)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Server processes (test/helpers/server-process.ts): stdin is a pipe, so a dying test run takes them along.

export interface Server {
  readonly process: ChildProcessWithoutNullStreams
  readonly port: number
  readonly output: string[]
  readonly exited: Promise<void>
}

const children = new Set<ChildProcessWithoutNullStreams>()

export function startServer(
  url: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      LOG_LEVEL: 'error',
      DATABASE_POOL_SIZE: '8',
      // Load tests measure correctness, not the per-key limit (tested in auth.test.ts).
      RATE_LIMIT_PER_SECOND: '0',
      SERVER_PROCESS_TTL_MS: '600000',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.add(child)
  const output: string[] = []
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      children.delete(child)
      done()
    }),
  )
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server process gave no port within ${timeoutMs} ms:\n${output.join('')}`))
    }, timeoutMs)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const match = /^PORT=(\d+)$/.exec(line)
      if (!match) return void output.push(`${line}\n`)
      clearTimeout(timer)
      resolvePort({ process: child, port: Number(match[1]), output, exited })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server process exited (${code ?? signal}) before listening:\n${output.join('')}`))
    })
  })
}

export async function killServer(server: Server, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill(signal)
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 5000)
  await server.exited
  clearTimeout(timer)
}

/** Kills every server process this file started (afterAll, also after a failure). */
export async function killAllServers(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          child.once('exit', () => done())
          child.kill('SIGKILL')
        }),
    ),
  )
}

// ---------------------------------------------------------------------------------------------
// HTTP over fetch (undici keeps connections alive per origin).

export interface HttpResult {
  readonly status: number
  readonly text: string
  readonly headers: Headers
}

export async function http(
  port: number,
  secret: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<HttpResult> {
  const res = await fetch(`http://127.0.0.1:${port}${SCIM}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${secret}`,
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

export const patchOp = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations })

// ---------------------------------------------------------------------------------------------
// Database checks.

/** Rows of the provisioned data (not the event log), ordered, as one comparable string. */
export async function snapshot(store: Store): Promise<string> {
  const users = await store.db.selectFrom('users').selectAll().orderBy('id').execute()
  const projects = await store.db.selectFrom('projects').selectAll().orderBy('id').execute()
  const members = await store.db
    .selectFrom('project_members')
    .selectAll()
    .orderBy('project_id')
    .orderBy('user_id')
    .execute()
  const keys = await store.db.selectFrom('api_keys').selectAll().orderBy('id').execute()
  const platforms = await store.db.selectFrom('platforms').selectAll().orderBy('id').execute()
  // last_used_at and last_user_agent are touched by any authenticated request (written within a
  // second, in batches): they are not provisioned data.
  const stableKeys = keys.map(({ last_used_at: _l, last_user_agent: _a, ...k }) => k)
  return JSON.stringify({ users, projects, members, keys: stableKeys, platforms })
}

/**
 * Problems with the database's integrity: SQLite's own checks, then constraint checks that hold on
 * both dialects (no orphans, unique keys unique, memberships inside one platform). Empty = healthy.
 */
export async function integrityProblems(f: Fixture): Promise<string[]> {
  const problems: string[] = []
  if (f.dialect === 'sqlite') {
    const db = new Sqlite(f.url.replace(/^file:/, ''))
    try {
      const integrity = db.pragma('integrity_check') as { integrity_check: string }[]
      if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok')
        problems.push(`integrity_check: ${JSON.stringify(integrity)}`)
      const fk = db.pragma('foreign_key_check') as unknown[]
      if (fk.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 10))}`)
    } finally {
      db.close()
    }
  }
  await withStore(f, async (store) => {
    const checks: [string, string][] = [
      [
        'memberships without a user',
        'select m.project_id, m.user_id from project_members m left join users u on u.id = m.user_id where u.id is null',
      ],
      [
        'memberships without a project',
        'select m.project_id, m.user_id from project_members m left join projects p on p.id = m.project_id where p.id is null',
      ],
      [
        'memberships across platforms',
        `select m.project_id, m.user_id from project_members m join users u on u.id = m.user_id
           join projects p on p.id = m.project_id
          where u.platform_id <> m.platform_id or p.platform_id <> m.platform_id`,
      ],
      [
        'duplicate userName keys',
        'select platform_id, email_key, count(*) as n from users group by platform_id, email_key having count(*) > 1',
      ],
      [
        'duplicate displayName keys',
        'select platform_id, display_key, count(*) as n from projects group by platform_id, display_key having count(*) > 1',
      ],
      [
        'duplicate memberships',
        'select project_id, user_id, count(*) as n from project_members group by project_id, user_id having count(*) > 1',
      ],
      [
        'users without a platform',
        'select u.id from users u left join platforms p on p.id = u.platform_id where p.id is null',
      ],
      [
        'projects without a platform',
        'select x.id from projects x left join platforms p on p.id = x.platform_id where p.id is null',
      ],
      [
        'non-positive versions',
        'select id from users where version < 1 union all select id from projects where version < 1',
      ],
    ]
    for (const [name, query] of checks) {
      const { rows } = await sql.raw(query).execute(store.db)
      if (rows.length > 0) problems.push(`${name}: ${JSON.stringify(rows.slice(0, 10))}`)
    }
  })
  if (f.dialect === 'postgres') problems.push(...(await postgresIndexProblems(f)))
  return problems
}

/** amcheck's B-tree verification of every index of the fixture's schema, when the extension is there. */
async function postgresIndexProblems(f: Fixture): Promise<string[]> {
  const schema = new URL(f.url).searchParams.get('schema')
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    try {
      await client.query('create extension if not exists amcheck')
    } catch {
      return [] // not available in this PostgreSQL build: the constraint checks above still ran
    }
    const { rows } = await client.query<{ oid: string; name: string }>(
      `select c.oid, c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
         join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam
        where n.nspname = $1 and a.amname = 'btree'`,
      [schema],
    )
    const problems: string[] = []
    for (const row of rows) {
      try {
        await client.query('select bt_index_check($1::regclass, true)', [row.oid])
      } catch (error) {
        problems.push(`index ${row.name}: ${(error as Error).message}`)
      }
    }
    return problems
  } finally {
    await client.end()
  }
}
