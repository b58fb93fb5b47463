// Many tenants in one database (issue 15, target 4). Two databases per dialect:
//   small: 10 platforms, each with 100 users, 10 groups (every user in one), 1 API key;
//   large: 10,000 such platforms plus one platform of 100,000 users.
// On each, the same requests go to random small platforms, each with its own key: a userName lookup,
// a group lookup (Entra's existence check), a non-key filter (`displayName co`), and a PATCH. A request
// to a small platform must cost the same (±10%) on both. Then, on the large database, every
// platform's key is used in turn (memory must not grow with the number of keys or platforms), the
// big platform is loaded while the small ones are measured again, and every statement the server ran
// is explained (each must reach its rows through an index that starts with the platform).
//   npx tsx bench/tenants.ts [--dialect=sqlite,postgres] [--platforms=10000] [--big=100000]
//                            [--runs=5] [--run-seconds=3] [--concurrency=16]
import { randomUUID } from 'node:crypto'
import { createApiKey } from '../src/store/api-keys.js'
import type { Dialect, Store } from '../src/store/database.js'
import { createPlatform } from '../src/store/platforms.js'
import { insertProject } from '../src/store/projects.js'
import { numberArg } from './lib/args.js'
import { explainAll } from './lib/explain.js'
import { type MeasuredRun, measured, type RequestSpec, runLoad } from './lib/load.js'
import {
  adminQuery,
  analyze,
  type BenchDatabase,
  createBenchDatabase,
  dialectsFromArgs,
  openBenchStore,
  seedMembers,
  seedUsers,
  userName,
} from './lib/seed.js'
import { type BenchServer, NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, log, median, now, percentile } from './lib/stats.js'

const PLATFORMS = numberArg('platforms', 10_000)
const BIG = numberArg('big', 100_000)
const USERS_PER = 100
const GROUPS_PER = 10
const RUNS = numberArg('runs', 5)
const RUN_MS = numberArg('run-seconds', 3) * 1000
const CONCURRENCY = numberArg('concurrency', 16)
const SEED_BATCH = 100
const SCIM = '/api/v1/scim/v2'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

interface Tenant {
  readonly secret: string
  readonly tag: string
  readonly userIds: string[]
}

const tagOf = (n: number) => `p${n}_`
const groupName = (n: number, g: number) => `Team ${g} of ${n}`
/** Swaps the case of every letter: an existing userName in another case. */
const otherCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))

/** Small platforms 0..count-1 (and a big one when `big` > 0); their keys and user ids. */
async function seed(store: Store, count: number, big: number) {
  const tenants: Tenant[] = []
  const started = now()
  // 100 platforms per transaction: seeding is not what is measured, and one commit per row would
  // take PostgreSQL (a WAL flush each) most of an hour for 10,000 platforms.
  for (let first = 0; first < count; first += SEED_BATCH) {
    await store.db.transaction().execute(async (trx) => {
      const batch = { ...store, db: trx } as Store
      for (let n = first; n < Math.min(count, first + SEED_BATCH); n++) {
        const platform = await createPlatform(trx, `Tenant ${n}`)
        const { secret } = await createApiKey(trx, platform.id, 'entra')
        const userIds = await seedUsers(batch, platform.id, tagOf(n), 0, USERS_PER)
        for (let g = 0; g < GROUPS_PER; g++) {
          const project = await insertProject(trx, platform.id, {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: groupName(n, g),
            externalId: randomUUID(),
          })
          const members = userIds.filter((_, i) => i % GROUPS_PER === g)
          await seedMembers(batch, platform.id, project.id, members)
        }
        tenants.push({ secret, tag: tagOf(n), userIds })
        if ((n + 1) % 1000 === 0) log(`  ${n + 1} platforms seeded in ${fmt((now() - started) / 1000)} s`)
      }
    })
  }
  let bigTenant: Tenant | undefined
  if (big > 0) {
    const platform = await createPlatform(store.db, 'Big')
    const { secret } = await createApiKey(store.db, platform.id, 'entra')
    const userIds = await seedUsers(store, platform.id, 'big_', 0, big)
    bigTenant = { secret, tag: 'big_', userIds }
  }
  await analyze(store)
  return { tenants, big: bigTenant }
}

/** The measured requests, each against a random small platform with that platform's key. */
function requests(tenants: readonly Tenant[]) {
  const pick = () => Math.floor(Math.random() * tenants.length)
  const auth = (t: Tenant) => ({ authorization: `Bearer ${t.secret}` })
  const query = (filter: string, extra = '') => `?filter=${encodeURIComponent(filter)}${extra}`
  return {
    'GET user by userName': (): RequestSpec => {
      const t = tenants[pick()]!
      const name = otherCase(userName(t.tag, Math.floor(Math.random() * USERS_PER)))
      return { method: 'GET', path: `${SCIM}/Users${query(`userName eq "${name}"`)}`, headers: auth(t) }
    },
    'GET group by displayName': (): RequestSpec => {
      const n = pick()
      const t = tenants[n]!
      const name = groupName(n, Math.floor(Math.random() * GROUPS_PER))
      const path = `${SCIM}/Groups${query(`displayName eq "${name}"`, '&excludedAttributes=members')}`
      return { method: 'GET', path, headers: auth(t) }
    },
    'GET users, displayName co': (): RequestSpec => {
      const t = tenants[pick()]!
      const path = `${SCIM}/Users${query(`displayName co "${Math.floor(Math.random() * 10)}"`, '&count=10')}`
      return { method: 'GET', path, headers: auth(t) }
    },
    'PATCH user': (): RequestSpec => {
      const t = tenants[pick()]!
      const id = t.userIds[Math.floor(Math.random() * USERS_PER)]!
      const body = {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'title', value: `Title ${Math.random()}` }],
      }
      return { method: 'PATCH', path: `${SCIM}/Users/${id}`, headers: auth(t), body }
    },
  } as const
}

type Kind = keyof ReturnType<typeof requests>
const EXPECT: Record<Kind, number> = {
  'GET user by userName': 200,
  'GET group by displayName': 200,
  'GET users, displayName co': 200,
  'PATCH user': 200,
}

/** One server with its platforms, as measure() drives it. */
interface Side {
  readonly dialect: Dialect
  readonly server: BenchServer
  readonly tenants: readonly Tenant[]
  readonly label: string
}

/** A run with, on PostgreSQL, the WAL it wrote per successful request (the cluster's; runs take turns). */
type Run = MeasuredRun & { readonly walBytesPerOk?: number }

/** The cluster's WAL position in bytes. */
async function walPosition(): Promise<number> {
  const [row] = await adminQuery<{ bytes: number }>(`select (pg_current_wal_lsn() - '0/0')::float8 as bytes`)
  return row!.bytes
}

/** `RUNS` runs of `kind` on each side, in turn, after a warm-up on each. */
async function runsOf(kind: Kind, sides: readonly Side[]): Promise<Run[][]> {
  const specs = sides.map((side) => requests(side.tenants))
  const load = (i: number, durationMs: number) =>
    runLoad({
      port: sides[i]!.server.port,
      concurrency: CONCURRENCY,
      durationMs,
      request: specs[i]![kind],
      expect: EXPECT[kind],
    })
  for (let i = 0; i < sides.length; i++) await load(i, 1000)
  const runs: Run[][] = sides.map(() => [])
  for (let r = 0; r < RUNS; r++) {
    // a b, b a, a b, …: a drift of the machine's speed within a round favours neither side.
    const order = sides.map((_, i) => i)
    if (r % 2 === 1) order.reverse()
    for (const i of order) {
      const wal = sides[i]!.dialect === 'postgres' ? await walPosition() : undefined
      const run = await measured(sides[i]!.server, () => load(i, RUN_MS))
      runs[i]!.push(
        wal === undefined
          ? run
          : { ...run, walBytesPerOk: ((await walPosition()) - wal) / Math.max(1, run.ok) },
      )
    }
  }
  for (let i = 0; i < sides.length; i++) {
    const cpu = median(runs[i]!.map((run) => run.cpuUsPerOk))
    const wal = runs[i]!.every((run) => run.walBytesPerOk !== undefined)
      ? `, WAL ${fmt(median(runs[i]!.map((run) => run.walBytesPerOk!)) / 1024)} KB/request`
      : ''
    log(
      `${sides[i]!.label}: ${kind}: ${fmt(median(runs[i]!.map((run) => run.okPerSecond)), 0)}/s, ${fmt(cpu, 0)} µs CPU${wal}, failures ${runs[i]!.reduce((sum, run) => sum + run.failed, 0)}`,
    )
  }
  return runs
}

/**
 * Every kind of request on every side, the sides' runs interleaved so that the machine's drift
 * (its speed moves by tens of percent within an hour) falls on both alike.
 */
async function measure(sides: readonly Side[]): Promise<Map<Kind, Run[]>[]> {
  const out = sides.map(() => new Map<Kind, Run[]>())
  for (const kind of Object.keys(EXPECT) as Kind[]) {
    const runs = await runsOf(kind, sides)
    for (let i = 0; i < sides.length; i++) out[i]!.set(kind, runs[i]!)
  }
  return out
}

/**
 * `total` requests cycling through the platforms' keys in turn, twice over: server heap and RSS
 * (after a full GC) as keys accumulate. With 10,000 platforms every key is used; with 10, the same
 * number of requests reuses 10 keys.
 */
async function touchAllKeys(server: BenchServer, tenants: readonly Tenant[], total: number) {
  const points: { requests: number; keys: number; heapMb: number; rssMb: number }[] = []
  const sample = async (requests: number) => {
    const s = await server.statsAfterGc()
    const keys = Math.min(requests, tenants.length)
    points.push({ requests, keys, heapMb: s.heapUsed / 2 ** 20, rssMb: s.rss / 2 ** 20 })
  }
  await sample(0)
  const step = Math.max(1, Math.floor(total / 5))
  for (let from = 0; from < 2 * total; from += step) {
    await runLoad({
      port: server.port,
      concurrency: CONCURRENCY,
      durationMs: 600_000,
      maxRequests: step,
      request: (i) => {
        const t = tenants[(from + i) % tenants.length]!
        return {
          method: 'GET',
          path: `${SCIM}/Users?filter=${encodeURIComponent(`userName eq "${userName(t.tag, 0)}"`)}`,
          headers: { authorization: `Bearer ${t.secret}` },
        }
      },
      expect: 200,
    })
    await sample(from + step)
  }
  return points
}

/** Medians and tails of one side's runs per kind, as the report shows them. */
function summary(figures: Map<Kind, Run[]>) {
  return Object.fromEntries(
    [...figures].map(([kind, runs]) => {
      const latencies = runs.flatMap((r) => r.latencies)
      return [
        kind,
        {
          perSecond: median(runs.map((r) => r.okPerSecond)),
          cpuUs: median(runs.map((r) => r.cpuUsPerOk)),
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          failures: runs.reduce((a, r) => a + r.failed, 0),
          cpuUsRuns: runs.map((r) => r.cpuUsPerOk),
          walKb: runs.every((r) => r.walBytesPerOk !== undefined)
            ? median(runs.map((r) => r.walBytesPerOk!)) / 1024
            : undefined,
        },
      ]
    }),
  )
}

async function runDialect(dialect: Dialect) {
  const results: Record<string, unknown> = { dialect }
  const opened: { database: BenchDatabase; server?: BenchServer }[] = []
  try {
    // Both databases seeded and served at once, so that their runs can alternate.
    const sides: (Side & {
      database: BenchDatabase
      big?: Tenant
      memory: Awaited<ReturnType<typeof touchAllKeys>>
    })[] = []
    for (const [label, count, big] of [
      ['10 platforms', 10, 0],
      [`${PLATFORMS} platforms + 1 of ${BIG} users`, PLATFORMS, BIG],
    ] as const) {
      const database = await createBenchDatabase(dialect)
      const side: (typeof opened)[number] = { database }
      opened.push(side)
      log(`${dialect}: seeding ${label}`)
      const started = now()
      const store = await openBenchStore(database)
      const { tenants, big: bigTenant } = await seed(store, count, big)
      await store.close()
      log(`${dialect}: seeded ${label} in ${fmt((now() - started) / 1000)} s`)
      side.server = await startServer('muster', {
        DATABASE_URL: database.url,
        ...NO_RATE_LIMIT,
        BENCH_TRACE_SQL: '1',
      })
      // Every platform's key once (memory as keys accumulate), so that what follows is measured warm,
      // as an IdP that calls its platform again and again sees it.
      const memory = await touchAllKeys(side.server, tenants, PLATFORMS)
      log(
        `${dialect} ${label}: memory ${memory.map((p) => `${p.keys}:${fmt(p.heapMb)}/${fmt(p.rssMb, 0)}`).join(' ')}`,
      )
      sides.push({
        dialect,
        server: side.server,
        database,
        tenants,
        label: `${dialect} ${label}`,
        big: bigTenant,
        memory,
      })
    }
    const figures = await measure(sides)
    for (let i = 0; i < sides.length; i++) {
      const side = sides[i]!
      const entry: Record<string, unknown> = { requests: summary(figures[i]!), memory: side.memory }
      const bigTenant = side.big
      if (bigTenant) {
        // The big platform under load (its own key) while the small ones are measured again; then, as
        // the control, one small platform at the same rate. The load takes its share of the two
        // cores either way; what the big platform costs the others beyond that share is the difference.
        const busyWith = async (tenant: Tenant, users: number, label: string, perSecond?: number) => {
          const load = runLoad({
            port: side.server.port,
            concurrency: 4,
            ...(perSecond ? { perSecond } : {}),
            durationMs: RUNS * RUN_MS * 4 + 8000,
            request: () => ({
              method: 'GET',
              path: `${SCIM}/Users?filter=${encodeURIComponent(`userName eq "${userName(tenant.tag, Math.floor(Math.random() * users))}"`)}`,
              headers: { authorization: `Bearer ${tenant.secret}` },
            }),
            expect: 200,
          })
          const [busy] = await measure([{ ...side, label: `${side.label} with ${label} busy` }])
          const result = await load
          return {
            requests: summary(busy!),
            load: { perSecond: result.okPerSecond, failures: result.failed },
          }
        }
        const big = await busyWith(bigTenant, BIG, 'the big platform')
        entry.withBigBusy = big.requests
        entry.bigLoad = big.load
        // At the rate the big platform was served, so that both loads take the same share of the CPU.
        const small = await busyWith(side.tenants[0]!, USERS_PER, 'one small platform', big.load.perSecond)
        entry.withSmallBusy = small.requests
        entry.smallLoad = small.load
        entry.plans = await explainAll(side.database, side.server)
      }
      results[side.label.slice(dialect.length + 1)] = entry
    }
  } finally {
    for (const { server, database } of opened) {
      await server?.stop()
      await database.drop()
    }
  }
  return results
}

type Entry = {
  requests: Record<
    string,
    {
      perSecond: number
      cpuUs: number
      p50: number
      p99: number
      failures: number
      cpuUsRuns: number[]
      walKb?: number
    }
  >
  memory: { requests: number; keys: number; heapMb: number; rssMb: number }[]
  withBigBusy?: Record<string, { p50: number; p99: number }>
  bigLoad?: { perSecond: number; failures: number }
  withSmallBusy?: Record<string, { p50: number; p99: number }>
  smallLoad?: { perSecond: number; failures: number }
  plans?: { sql: string; plan: string }[]
}

function report(results: Record<string, unknown>[]) {
  const lines: string[] = []
  for (const result of results) {
    const [small, large] = Object.values(result).filter((v) => typeof v === 'object') as Entry[]
    if (!small || !large) continue
    lines.push(`### ${result.dialect}`, '')
    lines.push(
      // With the big platform busy the server's CPU is shared with its load: latency tells there.
      '| request (random small platform) | 10 platforms: req/s, CPU µs, p50 ms | 10,000 + big: req/s, CPU µs, p50 ms | CPU ratio (±10%): median of the pairs (range) | with the big platform busy: p50 / p99 ms | with one small platform as busy: p50 / p99 ms | failures |',
    )
    lines.push('|---|---|---|---|---|---|---|')
    for (const kind of Object.keys(small.requests)) {
      const a = small.requests[kind]!
      const b = large.requests[kind]!
      const busy = large.withBigBusy?.[kind]
      const control = large.withSmallBusy?.[kind]
      // Run r on the large database ran next to run r on the small one.
      const ratios = b.cpuUsRuns.map((cpu, r) => cpu / (a.cpuUsRuns[r] ?? Number.NaN))
      lines.push(
        `| ${kind} | ${fmt(a.perSecond, 0)}, ${fmt(a.cpuUs, 0)}, ${fmt(a.p50)} | ${fmt(b.perSecond, 0)}, ${fmt(b.cpuUs, 0)}, ${fmt(b.p50)} | ${fmt(median(ratios), 2)} (${fmt(Math.min(...ratios), 2)} to ${fmt(Math.max(...ratios), 2)}) | ${busy ? `${fmt(busy.p50)} / ${fmt(busy.p99)}` : ''} | ${control ? `${fmt(control.p50)} / ${fmt(control.p99)}` : ''} | ${a.failures + b.failures} |`,
      )
    }
    const wal = Object.keys(small.requests)
      .filter((kind) => small.requests[kind]!.walKb !== undefined)
      .map(
        (kind) =>
          `${kind} ${fmt(small.requests[kind]!.walKb!)} / ${fmt(large.requests[kind]!.walKb ?? Number.NaN)}`,
      )
    lines.push(
      '',
      `Big platform load meanwhile: ${fmt(large.bigLoad?.perSecond ?? 0, 0)} req/s, ${large.bigLoad?.failures ?? 0} failures; the small platform's as the control: ${fmt(large.smallLoad?.perSecond ?? 0, 0)} req/s, ${large.smallLoad?.failures ?? 0} failures.`,
      ...(wal.length
        ? ['', `WAL written per request, KB (10 / 10,000 platforms, median of the runs): ${wal.join('; ')}.`]
        : []),
      '',
    )
    lines.push(
      '| distinct keys used | 10 platforms: heap / RSS MB (after GC) | 10,000 platforms: heap / RSS MB |',
      '|---|---|---|',
    )
    for (let i = 0; i < large.memory.length; i++) {
      const b = large.memory[i]!
      const a = small.memory[Math.min(i, small.memory.length - 1)]!
      lines.push(
        `| ${b.keys} | ${fmt(a.heapMb)} / ${fmt(a.rssMb, 0)} | ${fmt(b.heapMb)} / ${fmt(b.rssMb, 0)} |`,
      )
    }
    lines.push('', 'Plans of every statement the server ran (large database):', '')
    for (const { sql: text, plan } of large.plans ?? []) {
      lines.push('```', text.replace(/\s+/g, ' ').trim(), '--', plan, '```')
    }
    lines.push('')
  }
  return lines.join('\n')
}

const all = []
for (const dialect of dialectsFromArgs()) all.push(await runDialect(dialect))
process.stdout.write(`${report(all)}\n`)
