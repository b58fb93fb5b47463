// Counts the SQL statements per request kind (server child run with BENCH_TRACE_SQL=1) and, on SQLite,
// prints each statement's query plan. Latencies here are barely warmed up: use users.ts / groups.ts.
//   npx tsx bench/queries.ts [--dialect=sqlite,postgres] [--users=100000] [--requests=100]
import * as http from 'node:http'
import { CompiledQuery } from 'kysely'
import { normalizeResource } from '../src/scim/resource.js'
import { insertProject } from '../src/store/projects.js'
import { numberArg } from './lib/args.js'
import { type RequestSpec, send } from './lib/load.js'
import {
  analyze,
  createBenchDatabase,
  dialectsFromArgs,
  entraUser,
  openBenchStore,
  seedMembers,
  seedPlatform,
  seedUsers,
  userName,
} from './lib/seed.js'
import { NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, median } from './lib/stats.js'

const USERS = numberArg('users', 100_000)
const REQUESTS = numberArg('requests', 100)
const SCIM = '/api/v1/scim/v2'

for (const dialect of dialectsFromArgs()) {
  const database = await createBenchDatabase(dialect)
  try {
    const store = await openBenchStore(database)
    const { platformId, secret } = await seedPlatform(store)
    const ids = await seedUsers(store, platformId, 'u', 0, USERS)
    const group = await insertProject(
      store.db,
      platformId,
      normalizeResource('Group', { displayName: 'Big Group' }),
    )
    await seedMembers(store, platformId, group.id, ids.slice(0, USERS - 2 * REQUESTS))
    await analyze(store)
    const server = await startServer('muster', {
      DATABASE_URL: database.url,
      BENCH_TRACE_SQL: '1',
      ...NO_RATE_LIMIT,
    })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const auth = { authorization: `Bearer ${secret}` }
    const kinds: Record<string, (i: number) => RequestSpec> = {
      'GET /Users?filter=userName eq (other case)': (i) => ({
        method: 'GET',
        path: `${SCIM}/Users?filter=${encodeURIComponent(`userName eq "${userName('u', i).toUpperCase()}"`)}`,
      }),
      'POST /Users': (i) => ({ method: 'POST', path: `${SCIM}/Users`, body: entraUser('q', i) }),
      'PATCH /Groups/{id} Add one member (group of ~100k)': (i) => ({
        method: 'PATCH',
        path: `${SCIM}/Groups/${group.id}`,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Add', path: 'members', value: [{ value: ids[USERS - 1 - i] }] }],
        },
      }),
      'GET /Groups?excludedAttributes=members&filter=displayName eq': () => ({
        method: 'GET',
        path: `${SCIM}/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "big group"')}`,
      }),
    }
    for (const [kind, request] of Object.entries(kinds)) {
      for (let i = 0; i < 20; i++) await send(agent, server.port, { ...request(REQUESTS + i), headers: auth })
      await server.sqlCounts()
      const times: number[] = []
      for (let i = 0; i < REQUESTS; i++) {
        const res = await send(agent, server.port, { ...request(i), headers: auth })
        if (res.status >= 300) throw new Error(`${kind}: ${res.status} ${res.body.slice(0, 300)}`)
        times.push(res.ms)
      }
      const counts = await server.sqlCounts()
      const total = Object.values(counts).reduce((a, b) => a + b, 0)
      process.stdout.write(
        `\n## ${dialect}: ${kind}: ${fmt(total / REQUESTS, 2)} statements per request ` +
          `(sequential median ${fmt(median(times), 2)} ms)\n`,
      )
      for (const [text, n] of Object.entries(counts)) {
        process.stdout.write(`${fmt(n / REQUESTS, 2)}x  ${text}\n`)
        if (dialect === 'sqlite' && /^\s*select/i.test(text)) {
          const params = Array.from({ length: (text.match(/\?/g) ?? []).length }, () => 1)
          const plan = await store.db.executeQuery(CompiledQuery.raw(`explain query plan ${text}`, params))
          for (const row of plan.rows as { detail: string }[])
            process.stdout.write(`        plan: ${row.detail}\n`)
        }
      }
    }
    agent.destroy()
    await server.stop()
    await store.close()
  } finally {
    await database.drop()
  }
}
process.exit(0)
