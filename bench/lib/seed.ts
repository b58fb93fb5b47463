// Benchmark databases and seed data. Seeding goes straight to the tables with multi-row inserts (rows
// built exactly as store/users.ts insertUser builds them), so 100,000 users take seconds.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { sql } from 'kysely'
import pg from 'pg'
import { normalizeResource } from '../../src/scim/resource.js'
import { createApiKey } from '../../src/store/api-keys.js'
import { userColumns } from '../../src/store/columns.js'
import { createStore, type Dialect, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { storedUserResource } from '../../src/store/users.js'

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface BenchDatabase {
  readonly dialect: Dialect
  readonly url: string
  drop(): Promise<void>
}

/** A fresh, empty database: a temp SQLite file (WAL), or a new schema in the PostgreSQL test database. */
export async function createBenchDatabase(dialect: Dialect): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-'))
    return {
      dialect,
      url: `file:${join(dir, 'bench.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`
  await adminQuery(`create schema ${schema}`)
  return {
    dialect,
    url: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    drop: async () => {
      await adminQuery(`drop schema if exists ${schema} cascade`)
    },
  }
}

/** One statement on the PostgreSQL test database itself (outside any bench schema); its rows. */
export async function adminQuery<R = Record<string, unknown>>(text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    return (await client.query(text)).rows as R[]
  } finally {
    await client.end()
  }
}

/** pg's connection settings for a PostgreSQL bench database: its schema first on the search path. */
export function postgresConfig(database: BenchDatabase): pg.ClientConfig {
  const schema = new URL(database.url).searchParams.get('schema')
  return { connectionString: POSTGRES_URL, options: `-c search_path=${schema}` }
}

/** Opens and migrates the database; returns the store the seeding uses (close it before measuring). */
export async function openBenchStore(database: BenchDatabase): Promise<Store> {
  const store = createStore({ url: database.url, poolSize: 4 })
  await migrate(store.db)
  return store
}

export async function seedPlatform(
  store: Store,
  name = 'Bench',
): Promise<{ platformId: string; secret: string }> {
  const platform = await createPlatform(store.db, name)
  const { secret } = await createApiKey(store.db, platform.id, 'bench')
  return { platformId: platform.id, secret }
}

/** A userName with mixed case, so that a lookup can change its case. */
export function userName(tag: string, i: number): string {
  return `Test_User_${tag}${String(i).padStart(6, '0')}@TestUser.com`
}

/** The Entra POST /Users body (ENTRA.md), unique by `tag` and `i`. */
export function entraUser(tag: string, i: number): Record<string, unknown> {
  return {
    schemas: [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ],
    externalId: randomUUID(),
    userName: userName(tag, i),
    active: true,
    displayName: `Joy Young ${tag}${i}`,
    emails: [{ primary: true, type: 'work', value: `jyoung.${tag}${i}@Contoso.com` }],
    meta: { resourceType: 'User' },
    name: { familyName: 'Young', givenName: `Joy${i}` },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      employeeNumber: String(700000 + i),
      department: 'Tour Operations',
    },
    roles: [],
  }
}

const USER_CHUNK = 1000

/**
 * normalizeResource costs tens of µs per user; seeding normalises the Entra body once and fills in the
 * per-user values, checking on a few users that the result is exactly what normalisation gives.
 */
function storedUsers(tag: string) {
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
  const template = storedUserResource(normalizeResource('User', entraUser(tag, 0)))
  const make = (i: number) => {
    const body = entraUser(tag, i)
    const stored = structuredClone(template) as Record<string, any>
    for (const key of ['externalId', 'userName', 'displayName', 'emails', 'name'] as const)
      stored[key] = body[key]
    stored[ENTERPRISE] = body[ENTERPRISE]
    return stored
  }
  for (const i of [1, 12345]) {
    const expected = storedUserResource(normalizeResource('User', { ...entraUser(tag, i), externalId: 'x' }))
    if (!isDeepStrictEqual({ ...make(i), externalId: 'x' }, expected))
      throw new Error(`seed template no longer matches normalizeResource: ${JSON.stringify(expected)}`)
  }
  return make
}

/** Inserts users i = from..to-1 (Entra bodies, stored as POST stores them); returns their ids in order. */
export async function seedUsers(
  store: Store,
  platformId: string,
  tag: string,
  from: number,
  to: number,
): Promise<string[]> {
  const ids: string[] = []
  const make = storedUsers(tag)
  const base = Date.now() - (to - from) - 60_000
  for (let start = from; start < to; start += USER_CHUNK) {
    const rows = []
    for (let i = start; i < Math.min(to, start + USER_CHUNK); i++) {
      const stored = make(i)
      const at = new Date(base + (i - from)).toISOString()
      const id = randomUUID()
      ids.push(id)
      rows.push({
        id,
        platform_id: platformId,
        ...userColumns(stored),
        password_hash: null,
        resource: JSON.stringify(stored),
        version: 1,
        created_at: at,
        updated_at: at,
      })
    }
    await store.db.insertInto('users').values(rows).execute()
  }
  return ids
}

const MEMBER_CHUNK = 5000

/** Membership rows as the Groups routes write them (role Editor). */
export async function seedMembers(
  store: Store,
  platformId: string,
  projectId: string,
  userIds: readonly string[],
): Promise<void> {
  const at = new Date().toISOString()
  for (let start = 0; start < userIds.length; start += MEMBER_CHUNK) {
    const rows = userIds.slice(start, start + MEMBER_CHUNK).map((userId) => ({
      project_id: projectId,
      user_id: userId,
      platform_id: platformId,
      role: 'Editor' as const,
      created_at: at,
    }))
    await store.db.insertInto('project_members').values(rows).execute()
  }
}

/**
 * After a bulk load: fresh planner statistics (and, on PostgreSQL, a visibility map so index-only scans
 * skip the heap), as autovacuum would give a long-running database.
 */
export async function analyze(store: Store): Promise<void> {
  await (store.dialect === 'postgres' ? sql`vacuum analyze` : sql`analyze`).execute(store.db)
}

export function dialectsFromArgs(): Dialect[] {
  const arg = process.argv.find((a) => a.startsWith('--dialect='))?.split('=')[1] ?? 'sqlite,postgres'
  return arg.split(',').map((d) => {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown dialect ${d}`)
    return d
  })
}
