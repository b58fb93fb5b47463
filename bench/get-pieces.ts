// The stages of a filtered GET /Users (and of a POST), timed one by one in-process on SQLite (CPU µs per call, after a
// warm-up): what each costs next to the raw database lookup.
//   npx tsx bench/get-pieces.ts [--users=100000] [--n=5000]
import SqliteDatabase from 'better-sqlite3'
import { toUserResource } from '../src/domain/resources.js'
import { parseFilter } from '../src/scim/filter.js'
import { listResponse } from '../src/scim/list.js'
import { projectResource } from '../src/scim/project.js'
import { normalizeResource } from '../src/scim/resource.js'
import { authenticateKey } from '../src/store/api-keys.js'
import { recordEvent } from '../src/store/events.js'
import { userFilter } from '../src/store/filter-sql.js'
import { groupsOfUsers } from '../src/store/members.js'
import { getUserByEmail, insertUser, listUsers } from '../src/store/users.js'
import { numberArg } from './lib/args.js'
import {
  analyze,
  createBenchDatabase,
  entraUser,
  openBenchStore,
  seedPlatform,
  seedUsers,
  userName,
} from './lib/seed.js'
import { fmt, log } from './lib/stats.js'

const USERS = numberArg('users', 100_000)
const N = numberArg('n', 5000)

const database = await createBenchDatabase('sqlite')
const store = await openBenchStore(database)
const { platformId, secret } = await seedPlatform(store)
const ids = await seedUsers(store, platformId, 'u', 0, USERS)
await analyze(store)
log(`seeded ${USERS} users`)

const pick = (i: number) => (i * 7919) % USERS
const filterText = (i: number) => `userName eq "${userName('u', pick(i)).toUpperCase()}"`
// The lookup as the store runs it (store/page.ts, a unique key), and as it ran before fdda59d: with a
// bound LIMIT, which makes SQLite prepare the statement again on every run.
const SQL = 'select * from "users" where "platform_id" = ? and "users"."email_key" = ?'
const SQL_BOUND_LIMIT =
  'select * from "users" where "platform_id" = ? and "users"."email_key" = ? order by "created_at" asc, "id" asc limit ? offset ?'

async function time(label: string, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < 2000; i++) await fn(i)
  const cpu = process.cpuUsage()
  for (let i = 0; i < N; i++) await fn(i)
  const used = process.cpuUsage(cpu)
  process.stdout.write(`| ${label} | ${fmt((used.user + used.system) / N, 1)} |\n`)
}

const raw = new SqliteDatabase(database.url.replace(/^file:/, ''), { readonly: true })
const cached = raw.prepare(SQL)
const boundLimit = raw.prepare(SQL_BOUND_LIMIT)
const row = (await getUserByEmail(store.db, platformId, userName('u', 1)))!
const node = parseFilter(filterText(1))
process.stdout.write('| stage (SQLite, in-process) | CPU µs per call |\n|---|---|\n')
await time('better-sqlite3 lookup by email_key, cached statement', (i) =>
  cached.all(platformId, userName('u', pick(i)).toLowerCase()),
)
await time('better-sqlite3 same, prepared on every call', (i) =>
  raw.prepare(SQL).all(platformId, userName('u', pick(i)).toLowerCase()),
)
await time('better-sqlite3 same with ORDER BY and a bound LIMIT/OFFSET, cached', (i) =>
  boundLimit.all(platformId, userName('u', pick(i)).toLowerCase(), 100, 0),
)
await time('Kysely getUserByEmail (build + compile + prepare + run)', (i) =>
  getUserByEmail(store.db, platformId, userName('u', pick(i))),
)
await time('authenticateKey (SHA-256 + Kysely query)', () => authenticateKey(store, secret))
await time('parseFilter', (i) => parseFilter(filterText(i)))
await time('userFilter (filter AST → Kysely expression)', () => userFilter(node, 'sqlite'))
await time('listUsers with the compiled filter (readPage)', (i) =>
  listUsers(store, platformId, {
    where: userFilter(parseFilter(filterText(i)), 'sqlite'),
    offset: 0,
    limit: 100,
  }),
)
await time('groupsOfUsers (one user)', (i) => groupsOfUsers(store, platformId, [ids[pick(i)]!]))
await time('toUserResource + projectResource', () =>
  projectResource('User', toUserResource(row, 'http://127.0.0.1/api/v1/scim/v2', []), {}),
)
await time('JSON.stringify of the ListResponse', () =>
  JSON.stringify(listResponse([toUserResource(row, 'http://x/api/v1/scim/v2', [])], 1, 1)),
)
await time('POST: normalizeResource of the Entra body', (i) => normalizeResource('User', entraUser('n', i)))
let next = 0
await time('POST: transaction(insertUser + recordEvent) via Kysely', () =>
  store.transaction(async (trx) => {
    const user = await insertUser(trx, platformId, normalizeResource('User', entraUser('t', next++)))
    await recordEvent(trx, {
      platformId,
      method: 'POST',
      path: '/Users',
      status: 201,
      resourceId: user.id,
      durationMs: 1,
    })
  }),
)
raw.close()
await store.close()
await database.drop()
