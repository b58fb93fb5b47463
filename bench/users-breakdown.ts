// Where a filtered GET /Users spends its time: the same load (closed loop, same concurrency) against a
// ladder of endpoints that each add one layer, reporting req/s and the server's CPU per request.
//   npx tsx bench/users-breakdown.ts [--dialect=sqlite] [--users=100000] [--runs=3] [--run-seconds=2]
import { numberArg } from './lib/args.js'
import { type MeasuredRun, measured, runLoad } from './lib/load.js'
import {
  analyze,
  createBenchDatabase,
  dialectsFromArgs,
  openBenchStore,
  seedPlatform,
  seedUsers,
  userName,
} from './lib/seed.js'
import { NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, log, median } from './lib/stats.js'

const USERS = numberArg('users', 100_000)
const RUNS = numberArg('runs', 3)
const RUN_MS = numberArg('run-seconds', 2) * 1000
const CONCURRENCY = numberArg('concurrency', 16)
const SCIM = '/api/v1/scim/v2'

for (const dialect of dialectsFromArgs()) {
  const database = await createBenchDatabase(dialect)
  try {
    const store = await openBenchStore(database)
    const { platformId, secret } = await seedPlatform(store)
    await seedUsers(store, platformId, 'u', 0, USERS)
    await analyze(store)
    await store.close()
    log(`${dialect}: seeded ${USERS} users`)
    const ping = await startServer('ping')
    const muster = await startServer('muster', { DATABASE_URL: database.url, ...NO_RATE_LIMIT })
    const auth = { authorization: `Bearer ${secret}` }
    const filter = () =>
      encodeURIComponent(`userName eq "${userName('u', Math.floor(Math.random() * USERS)).toUpperCase()}"`)
    const ladder = [
      { name: 'bare Fastify GET /ping', server: ping, path: () => '/ping' },
      { name: 'Muster GET /healthz (app-wide hooks, metrics)', server: muster, path: () => '/healthz' },
      {
        name: 'GET /ServiceProviderConfig (+ bearer auth query, rate limiter)',
        server: muster,
        path: () => `${SCIM}/ServiceProviderConfig`,
      },
      {
        name: 'GET /Users?filter…&excludedAttributes=groups (+ filter, user query, projection)',
        server: muster,
        path: () => `${SCIM}/Users?filter=${filter()}&excludedAttributes=groups`,
      },
      {
        name: 'GET /Users?filter… (+ groups query)',
        server: muster,
        path: () => `${SCIM}/Users?filter=${filter()}`,
      },
    ]
    const results = new Map<string, MeasuredRun[]>(ladder.map((l) => [l.name, []]))
    for (let run = 0; run <= RUNS; run++) {
      for (const step of ladder) {
        const result = await measured(step.server, () =>
          runLoad({
            port: step.server.port,
            concurrency: CONCURRENCY,
            durationMs: run === 0 ? 1000 : RUN_MS,
            expect: 200,
            request: () => ({ method: 'GET', path: step.path(), headers: auth }),
          }),
        )
        if (result.failed > 0) throw new Error(`${step.name}: ${result.firstFailure}`)
        if (run > 0) results.get(step.name)!.push(result) // run 0 is the warm-up
      }
    }
    process.stdout.write(
      `\n${dialect}, ${USERS} users, concurrency ${CONCURRENCY}, median of ${RUNS} x ${RUN_MS / 1000} s\n\n`,
    )
    process.stdout.write('| endpoint | req/s | server CPU µs/request |\n|---|---|---|\n')
    for (const [name, runs] of results) {
      process.stdout.write(
        `| ${name} | ${fmt(median(runs.map((r) => r.okPerSecond)), 0)} | ${fmt(median(runs.map((r) => r.cpuUsPerOk)), 0)} |\n`,
      )
    }
    await ping.stop()
    await muster.stop()
  } finally {
    await database.drop()
  }
}
process.exit(0)
