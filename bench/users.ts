// Issue 3: at 100,000 users in one platform, a case-changed `userName eq` filtered GET against a bare
// Fastify route (same run, same concurrency), and POST /Users throughput. Both dialects by default.
//   npx tsx bench/users.ts [--dialect=sqlite,postgres] [--users=100000] [--runs=5] [--run-seconds=3]
//                          [--concurrency=16] [--post-concurrency=16] [--only=get|post]
import type { Dialect } from '../src/store/database.js'
import { numberArg } from './lib/args.js'
import { type MeasuredRun, measured, runLoad } from './lib/load.js'
import {
  analyze,
  createBenchDatabase,
  dialectsFromArgs,
  entraUser,
  openBenchStore,
  seedPlatform,
  seedUsers,
  userName,
} from './lib/seed.js'
import { type BenchServer, NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, log, median, now, percentile } from './lib/stats.js'

const USERS = numberArg('users', 100_000)
const RUNS = numberArg('runs', 5)
const RUN_MS = numberArg('run-seconds', 3) * 1000
const WARMUP_MS = 2000
/** Issue 15's targets: filtered GET over the bare route in the same run, and POST /Users per second. */
const TARGETS = { sqlite: { ratio: 0.3, post: 2000 }, postgres: { ratio: 0.2, post: 1500 } } as const
const CONCURRENCY = numberArg('concurrency', 16)
const POST_CONCURRENCY = numberArg('post-concurrency', 16)
/** --only=get or --only=post measures one half (e.g. for a focused --cpu-prof). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1]
const SCIM = '/api/v1/scim/v2'

/** Swaps the case of every letter: an existing userName in another case. */
const otherCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))

interface Figures {
  dialect: Dialect
  seedSeconds: number
  ping: MeasuredRun[]
  get: MeasuredRun[]
  post: MeasuredRun[]
}

async function benchDialect(dialect: Dialect): Promise<Figures> {
  const database = await createBenchDatabase(dialect)
  const servers: BenchServer[] = []
  try {
    const seedStart = now()
    const store = await openBenchStore(database)
    const { platformId, secret } = await seedPlatform(store)
    await seedUsers(store, platformId, 'u', 0, USERS)
    await analyze(store)
    await store.close()
    const seedSeconds = (now() - seedStart) / 1000
    log(`${dialect}: seeded ${USERS} users in ${fmt(seedSeconds)} s`)

    const ping = await startServer('ping')
    const muster = await startServer('muster', { DATABASE_URL: database.url, ...NO_RATE_LIMIT })
    servers.push(ping, muster)
    const auth = { authorization: `Bearer ${secret}` }

    const pingLoad = (durationMs: number) =>
      measured(ping, () =>
        runLoad({
          port: ping.port,
          concurrency: CONCURRENCY,
          durationMs,
          expect: 200,
          request: () => ({ method: 'GET', path: '/ping' }),
        }),
      )
    // Random existing users, userName in swapped case; every 50th answer is checked to be that user.
    const picks: number[] = []
    const getLoad = (durationMs: number) =>
      measured(muster, () =>
        runLoad({
          port: muster.port,
          concurrency: CONCURRENCY,
          durationMs,
          expect: 200,
          request: (i) => {
            const n = Math.floor(Math.random() * USERS)
            picks[i] = n
            const filter = `userName eq "${otherCase(userName('u', n))}"`
            return {
              method: 'GET',
              path: `${SCIM}/Users?filter=${encodeURIComponent(filter)}`,
              headers: auth,
            }
          },
          verify: (i, body) => {
            if (i % 50 !== 0) return true
            const list = JSON.parse(body) as { totalResults: number; Resources: { userName: string }[] }
            return list.totalResults === 1 && list.Resources[0]?.userName === userName('u', picks[i]!)
          },
        }),
      )
    let posted = 0
    const postLoad = (durationMs: number) =>
      measured(muster, () =>
        runLoad({
          port: muster.port,
          concurrency: POST_CONCURRENCY,
          durationMs,
          expect: 201,
          request: () => ({
            method: 'POST',
            path: `${SCIM}/Users`,
            headers: auth,
            body: entraUser('p', posted++),
          }),
        }),
      )

    log(`${dialect}: warm-up`)
    if (ONLY !== 'post') {
      await pingLoad(WARMUP_MS)
      await getLoad(WARMUP_MS)
    }
    if (ONLY !== 'get') await postLoad(WARMUP_MS / 2)

    const figures: Figures = { dialect, seedSeconds, ping: [], get: [], post: [] }
    for (let run = 1; run <= RUNS && ONLY !== 'post'; run++) {
      // Interleaved, so drift on the shared machine hits both sides alike.
      const p = await pingLoad(RUN_MS)
      const g = await getLoad(RUN_MS)
      figures.ping.push(p)
      figures.get.push(g)
      log(
        `${dialect} run ${run}: ping ${fmt(p.okPerSecond, 0)}/s (${fmt(p.cpuUsPerOk, 0)} µs CPU), ` +
          `GET filter ${fmt(g.okPerSecond, 0)}/s (${fmt(g.cpuUsPerOk, 0)} µs CPU), ` +
          `ratio ${fmt(g.okPerSecond / p.okPerSecond, 2)}${g.firstFailure ? ` FAIL ${g.firstFailure}` : ''}`,
      )
    }
    for (let run = 1; run <= RUNS && ONLY !== 'get'; run++) {
      const r = await postLoad(RUN_MS)
      figures.post.push(r)
      log(
        `${dialect} run ${run}: POST ${fmt(r.okPerSecond, 0)} users/s (${fmt(r.cpuUsPerOk, 0)} µs CPU)` +
          `${r.firstFailure ? ` FAIL ${JSON.stringify(r.statuses)} ${r.firstFailure}` : ''}`,
      )
    }
    return figures
  } finally {
    for (const server of servers) await server.stop()
    await database.drop()
  }
}

function summary(all: Figures[]): string {
  const rate = (rs: MeasuredRun[]) => median(rs.map((r) => r.okPerSecond))
  const cpu = (rs: MeasuredRun[]) => fmt(median(rs.map((r) => r.cpuUsPerOk)), 0)
  const lat = (rs: MeasuredRun[]) => {
    const all = rs.flatMap((r) => r.latencies)
    return `${fmt(percentile(all, 50), 1)}/${fmt(percentile(all, 99), 1)}`
  }
  const failures = (rs: MeasuredRun[]) => rs.reduce((n, r) => n + r.failed, 0)
  const lines = [
    `users=${USERS}, ${RUNS} runs x ${RUN_MS / 1000} s, concurrency GET ${CONCURRENCY} / POST ${POST_CONCURRENCY}; ` +
      'medians over runs; CPU = server-process CPU per successful request',
    '',
    '| dialect | /ping req/s | GET filter req/s | GET/ping (target) | GET p50/p99 ms | CPU µs ping / GET | POST users/s (target) | POST p50/p99 ms | POST CPU µs | failures |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const f of all) {
    const ratio = rate(f.get) / rate(f.ping)
    const post = rate(f.post)
    const target = TARGETS[f.dialect]
    lines.push(
      `| ${f.dialect} | ${fmt(rate(f.ping), 0)} | ${fmt(rate(f.get), 0)} | ` +
        `${fmt(ratio, 2)} (≥ ${target.ratio}) ${ratio >= target.ratio ? 'met' : 'MISSED'} | ${lat(f.get)} | ` +
        `${cpu(f.ping)} / ${cpu(f.get)} | ` +
        `${fmt(post, 0)} (≥ ${target.post}) ${post >= target.post ? 'met' : 'MISSED'} | ${lat(f.post)} | ${cpu(f.post)} | ` +
        `${failures(f.get)} + ${failures(f.post)} |`,
    )
  }
  lines.push('', all.map((f) => `${f.dialect}: seeded ${USERS} users in ${fmt(f.seedSeconds)} s`).join('; '))
  return lines.join('\n')
}

const results: Figures[] = []
for (const dialect of dialectsFromArgs()) results.push(await benchDialect(dialect))
process.stdout.write(`${summary(results)}\n`)
process.exit(0)
