// Sync at scale: replays an Entra-style initial sync against a server child on a fresh database.
// (1) users: per user GET ?filter=userName eq "…" (0 results) then POST /Users; (2) groups: per group
// GET ?excludedAttributes=members&filter=displayName eq "…" then POST /Groups; (3) memberships: one
// single-member Add PATCH per user, user k into group k mod groups, in a shuffled order. Every phase has
// `concurrency` slots in flight (a slot runs one user's GET then POST in sequence).
//   npx tsx bench/sync.ts [--users 100000] [--dialect sqlite,postgres] [--concurrency 8] [--phase-minutes 15]
//   [--processes 2]: several servers on one database, requests in turn, Redis for the shared rate
//   limit; PostgreSQL connections sampled.
//   [--stream push]: one push event stream to a receiver process on 127.0.0.1 that answers 202; the
//   report adds the SETs received, their lag (arrival − commit time) and any out-of-order resource.
//   With EVENTS_WORKER=off in the environment the server writes the outbox rows but delivers none.
// BENCH_CPU_PROF=<dir> writes a CPU profile of the server child (see bench/profile-top.ts);
// BENCH_TRACE_SQL=1 prints the statements the server ran per task of each phase.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { addStream } from '../src/events/streams.js'
import type { Dialect } from '../src/store/database.js'
import { createStore } from '../src/store/database.js'
import { type ReceiverStats, startBenchReceiver } from './lib/receiver.js'
import { createBenchDatabase, openBenchStore, POSTGRES_URL, seedPlatform } from './lib/seed.js'
import { type BenchServer, NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, log, now } from './lib/stats.js'
import {
  client,
  type Kind,
  memory,
  type PhaseResult,
  Recorder,
  rssSampler,
  runPhase,
  type Summary,
  shuffled,
  summarise,
} from './lib/sync-phase.js'

function arg(name: string, fallback: string): string {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return fallback
  const a = process.argv[i]!
  const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : process.argv[i + 1]
  if (value === undefined) throw new Error(`--${name} needs a value`)
  return value
}
const positive = (name: string, fallback: number) => {
  const value = Number(arg(name, String(fallback)))
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`)
  return value
}

const USERS = positive('users', 100_000)
const GROUPS = Math.max(1, Math.floor(USERS / 100))
const CONCURRENCY = positive('concurrency', 8)
const PHASE_LIMIT_MS = positive('phase-minutes', 15) * 60_000
const DIALECTS = arg('dialect', 'sqlite,postgres')
  .split(',')
  .map((d) => {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown dialect ${d}`)
    return d as Dialect
  })

const PROCESSES = positive('processes', 1)
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const STREAM = arg('stream', 'none')
if (STREAM !== 'none' && STREAM !== 'push') throw new Error('--stream must be push or none')
/** Same settings with and without a stream: only the stream differs between the two runs. */
const EVENTS_ENV = { EVENTS_ALLOW_LOOPBACK: '1', ENCRYPTION_KEY: '33'.repeat(32) }

const SCIM = '/api/v1/scim/v2'
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`

const userName = (i: number) => `user${i}@bench.test`

/** The Entra POST /Users body of ENTRA.md. */
const entraUser = (i: number) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  externalId: randomUUID(),
  userName: userName(i),
  active: true,
  displayName: `Joy Young ${i}`,
  emails: [{ primary: true, type: 'work', value: `jyoung${i}@Contoso.com` }],
  meta: { resourceType: 'User' },
  name: { familyName: 'Young', givenName: `Joy${i}` },
  [ENTERPRISE]: { employeeNumber: String(700000 + i), department: 'Tour Operations' },
  roles: [],
})

interface Figures {
  readonly dialect: Dialect
  readonly phases: (PhaseResult & { summary: Summary; kinds: string[]; peakRssMb: number; cpuMs: number })[]
  readonly kinds: Map<string, Summary>
  readonly overall: Summary
  readonly peakRssMb: number
  readonly failures: string[]
  readonly rows: { users: number; groups: number; members: number }
  /** CPU time of this (load generator) process during the phases, ms. */
  readonly clientCpuMs: number
  readonly events?: { received: ReceiverStats; drainMs: number; expected: number }
  /** PostgreSQL: the most connections the servers held at once (pool and listener). */
  readonly peakConnections: number | undefined
}

/** Marks the servers' PostgreSQL connections so that they can be counted in pg_stat_activity. */
const APP_NAME = 'muster-bench'
const appNamed = (url: string) =>
  url.startsWith('postgres') ? `${url}${url.includes('?') ? '&' : '?'}application_name=${APP_NAME}` : url

/** Samples the servers' PostgreSQL connections every 500 ms; stop() gives the most seen at once. */
function connectionSampler() {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 })
  let peak = 0
  const timer = setInterval(() => {
    pool
      .query('select count(*)::int as n from pg_stat_activity where application_name = $1', [APP_NAME])
      .then(({ rows }) => {
        peak = Math.max(peak, rows[0].n)
      })
      .catch(() => {})
  }, 500)
  return {
    stop: async () => {
      clearInterval(timer)
      await pool.end()
      return peak
    },
  }
}

/** Several servers seen as one: CPU summed, stopped together. */
function serversAsOne(servers: readonly BenchServer[]) {
  return {
    stats: async () => {
      const all = await Promise.all(servers.map((s) => s.stats()))
      return { cpuMs: all.reduce((n, s) => n + s.cpuMs, 0) }
    },
    sqlCounts: () => servers[0]!.sqlCounts(),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()))
    },
  }
}

async function sync(dialect: Dialect): Promise<Figures> {
  const database = await createBenchDatabase(dialect)
  try {
    const setup = await openBenchStore(database)
    const { platformId, secret } = await seedPlatform(setup, 'Sync')
    const receiver = STREAM === 'push' ? await startBenchReceiver() : undefined
    if (receiver) {
      await addStream(
        setup.db,
        { platformId, push: receiver.url },
        { allowLoopback: true, allowPrivate: false },
        'http://127.0.0.1',
      )
    }
    await setup.close()
    // Several processes share the rate limit through Redis, as the README says to run them; one runs
    // without a limit, as before.
    const env = {
      DATABASE_URL: appNamed(database.url),
      ...(PROCESSES > 1 ? { ...NO_RATE_LIMIT, REDIS_URL } : { RATE_LIMIT_PER_SECOND: '0' }),
      ...EVENTS_ENV,
    }
    const servers: BenchServer[] = []
    for (let p = 0; p < PROCESSES; p++) servers.push(await startServer('muster', env))
    const server = serversAsOne(servers)
    const sampler = rssSampler(servers[0]!.pid)
    const connections = dialect === 'postgres' ? connectionSampler() : undefined
    const rec = new Recorder()
    const http = client(
      servers.map((s) => s.port),
      { authorization: `Bearer ${secret}` },
      CONCURRENCY,
      rec,
    )
    const phases: Figures['phases'] = []
    const clientCpu = process.cpuUsage()
    const userIds: string[] = new Array(USERS)
    const groupIds: string[] = new Array(GROUPS)
    const mismatch = (name: string, i: number, body: unknown) =>
      rec.fail(rec.kind(name), `#${i} unexpected body ${JSON.stringify(body)}`)
    const phase = async (name: string, count: number, task: (i: number) => Promise<void>) => {
      log(`${dialect}: ${name} (${count} x, ${CONCURRENCY} in flight)`)
      const before = new Set(rec.kinds.keys())
      const cpuBefore = (await server.stats()).cpuMs
      const started = now()
      const step = Math.max(1, Math.round(count / 10))
      const result = await runPhase(name, count, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
        await task(i)
        if ((i + 1) % step === 0)
          log(`${dialect}: ${name} ${i + 1}/${count} at ${fmt((now() - started) / 1000)} s`)
      })
      if (process.env.BENCH_TRACE_SQL) traceSql(name, result.done, await server.sqlCounts())
      // Each request kind belongs to one phase: the phase's kinds are those it added.
      const kinds = [...rec.kinds.values()].filter((k) => !before.has(k.name))
      const peakRssMb = sampler.peak() / 2 ** 20
      const cpuMs = (await server.stats()).cpuMs - cpuBefore
      phases.push({ ...result, summary: merged(kinds), kinds: kinds.map((k) => k.name), peakRssMb, cpuMs })
      log(
        `${dialect}: ${name} ${result.done}/${count} in ${fmt(result.ms / 1000)} s` +
          `${result.aborted ? ' ABORTED (phase limit)' : ''}, peak RSS ${fmt(peakRssMb, 0)} MB, failures ${rec.failures.length}`,
      )
      return !result.aborted
    }
    const complete =
      (await phase('users', USERS, async (i) => {
        const found = await http.call(
          'GET /Users?filter',
          { method: 'GET', path: `${SCIM}/Users?${filterQuery(`userName eq "${userName(i)}"`)}` },
          200,
        )
        if (found && found.totalResults !== 0) mismatch('GET /Users?filter', i, found)
        const user = await http.call(
          'POST /Users',
          { method: 'POST', path: `${SCIM}/Users`, body: entraUser(i) },
          201,
        )
        if (user && (typeof user.id !== 'string' || user.userName !== userName(i)))
          mismatch('POST /Users', i, user)
        userIds[i] = user?.id
      })) &&
      (await phase('groups', GROUPS, async (j) => {
        const displayName = `group${j}`
        const found = await http.call(
          'GET /Groups?filter',
          {
            method: 'GET',
            path: `${SCIM}/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${displayName}"`)}`,
          },
          200,
        )
        if (found && found.totalResults !== 0) mismatch('GET /Groups?filter', j, found)
        const body = {
          schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
          externalId: randomUUID(),
          displayName,
          members: [],
          meta: { resourceType: 'Group' },
        }
        const group = await http.call('POST /Groups', { method: 'POST', path: `${SCIM}/Groups`, body }, 201)
        if (group && (typeof group.id !== 'string' || group.displayName !== displayName))
          mismatch('POST /Groups', j, group)
        groupIds[j] = group?.id
      }))
    if (complete) {
      const order = shuffled(USERS)
      await phase('memberships', USERS, async (n) => {
        const k = order[n]!
        const userId = userIds[k]
        const groupId = groupIds[k % GROUPS]
        if (!userId || !groupId)
          return rec.fail(rec.kind('PATCH /Groups/{id}'), `#${k}: user or group missing`)
        const body = {
          schemas: [PATCH_OP],
          Operations: [{ op: 'Add', path: 'members', value: [{ value: userId }] }],
        }
        await http.call(
          'PATCH /Groups/{id}',
          { method: 'PATCH', path: `${SCIM}/Groups/${groupId}`, body },
          204,
        )
      })
    }
    http.close()
    // Every change is a SET: wait until the receiver has them all (the drain after the last request).
    // With EVENTS_WORKER=off the rows are written and never delivered: the cost of the outbox alone.
    let events: Figures['events']
    if (receiver && process.env.EVENTS_WORKER === 'off') {
      log(`${dialect}: EVENTS_WORKER=off, outbox rows written, nothing delivered`)
      await receiver.stop()
    } else if (receiver) {
      const expected = USERS + GROUPS + (complete ? USERS : 0)
      const drainStart = now()
      const received = await receiver.waitFor(expected, 10 * 60_000).catch(async (error) => {
        rec.failures.push(String(error))
        return receiver.stats()
      })
      events = { received, drainMs: now() - drainStart, expected }
      log(`${dialect}: ${received.count}/${expected} SETs received, lag p99 ${fmt(received.lagP99, 0)} ms`)
      if (received.outOfOrder > 0) rec.failures.push(`${received.outOfOrder} SETs arrived out of order`)
      await receiver.stop()
    }
    sampler.stop()
    const { user, system } = process.cpuUsage(clientCpu)
    const peakConnections = await connections?.stop()
    const peakRssMb = Math.max(...servers.map((s) => memory(s.pid).hwm)) / 2 ** 20
    await server.stop()

    // What the database holds afterwards: nothing may be lost.
    const check = createStore({ url: database.url, poolSize: 1 })
    const count = async (table: 'users' | 'projects' | 'project_members') =>
      Number(
        (
          await check.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('platform_id', '=', platformId)
            .executeTakeFirstOrThrow()
        ).n,
      )
    const rows = {
      users: await count('users'),
      groups: await count('projects'),
      members: await count('project_members'),
    }
    await check.close()
    const expected = { users: USERS, groups: GROUPS, members: complete ? USERS : rows.members }
    if (JSON.stringify(rows) !== JSON.stringify(expected))
      rec.failures.push(`database holds ${JSON.stringify(rows)}, expected ${JSON.stringify(expected)}`)

    const all = [...rec.kinds.values()]
    return {
      dialect,
      phases,
      kinds: new Map(all.map((k) => [k.name, summarise(k)])),
      overall: merged(all),
      peakRssMb,
      failures: rec.failures,
      rows,
      clientCpuMs: (user + system) / 1000,
      peakConnections,
      ...(events ? { events } : {}),
    }
  } finally {
    await database.drop()
  }
}

/** With BENCH_TRACE_SQL=1: the statements the server ran per task of the phase, by SQL text. */
function traceSql(phase: string, tasks: number, counts: Record<string, number>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  log(`${phase}: ${fmt(total / tasks, 2)} statements per task`)
  for (const [text, n] of Object.entries(counts)) log(`  ${fmt(n / tasks, 2)}  ${text.slice(0, 160)}`)
}

const merged = (kinds: Kind[]) =>
  summarise({
    latencies: kinds.flatMap((k) => k.latencies),
    ok: kinds.reduce((n, k) => n + k.ok, 0),
    failed: kinds.reduce((n, k) => n + k.failed, 0),
  })

function report(f: Figures): string {
  const totalMs = f.phases.reduce((n, p) => n + p.ms, 0)
  const ms = (v: number) => fmt(v, 1)
  const row = (name: string, s: Summary, wallMs: number, rss = '', cpuMs?: number) =>
    `| ${name} | ${s.requests} | ${fmt(wallMs / 1000)} | ${fmt((s.requests * 1000) / wallMs, 0)} | ` +
    `${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.failed} | ${rss} | ` +
    `${cpuMs === undefined ? '' : fmt((cpuMs * 1000) / Math.max(1, s.requests), 0)} |`
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const lines = [
    `### ${f.dialect}: ${USERS} users, ${GROUPS} groups, ${CONCURRENCY} in flight, ${STREAM === 'push' ? 'one push event stream' : 'no event stream'}` +
      (PROCESSES > 1 ? `, ${PROCESSES} server processes (requests in turn, rate limit in Redis)` : ''),
    '',
    '| phase / request | requests | wall s | req/s | p50 ms | p95 ms | p99 ms | max ms | failures | peak RSS MB | server CPU µs/req |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const p of f.phases) {
    const name = `**${p.name}**${p.aborted ? ' (ABORTED at the phase limit)' : ''}`
    lines.push(row(name, p.summary, p.ms, fmt(p.peakRssMb, 0), p.cpuMs))
    for (const kind of p.kinds) lines.push(row(`&nbsp;&nbsp;${kind}`, f.kinds.get(kind)!, p.ms))
  }
  const cpuMs = f.phases.reduce((n, p) => n + p.cpuMs, 0)
  lines.push(row('**whole sync**', f.overall, totalMs, fmt(f.peakRssMb, 0), cpuMs))
  lines.push(
    '',
    `Total ${fmt(totalMs / 1000)} s (target < 180 s: ${verdict(totalMs < 180_000)}); ` +
      `p99 ${ms(f.overall.p99)} ms (target < 100 ms: ${verdict(f.overall.p99 < 100)}); ` +
      `server peak RSS (VmHWM) ${fmt(f.peakRssMb, 0)} MB (target < 300 MB: ${verdict(f.peakRssMb < 300)}). ` +
      `CPU over ${fmt(totalMs / 1000)} s wall: server ${fmt(cpuMs / 1000)} s, load generator ` +
      `${fmt(f.clientCpuMs / 1000)} s. Database afterwards: ${f.rows.users} users, ${f.rows.groups} groups, ${f.rows.members} memberships.` +
      (f.peakConnections === undefined
        ? ''
        : ` PostgreSQL connections held by the servers: at most ${f.peakConnections}.`),
  )
  if (f.events) {
    const e = f.events
    lines.push(
      '',
      `Events: ${e.received.count} of ${e.expected} SETs received (${e.received.resources} resources, ` +
        `${e.received.outOfOrder} out of order); lag (commit → receiver) p50 ${fmt(e.received.lagP50, 0)} ms, ` +
        `p99 ${fmt(e.received.lagP99, 0)} ms, max ${fmt(e.received.lagMax, 0)} ms; ` +
        `the last SET arrived ${fmt(e.drainMs / 1000, 1)} s after the last request; ` +
        `the receiver used ${fmt(e.received.cpuMs / 1000, 1)} s of CPU.`,
    )
  }
  for (const failure of f.failures) lines.push(`- FAILURE: ${failure}`)
  return lines.join('\n')
}

const reports: string[] = []
for (const dialect of DIALECTS) {
  const figures = await sync(dialect)
  reports.push(report(figures))
  process.stderr.write(`${reports.at(-1)}\n\n`)
}
process.stdout.write(`${reports.join('\n\n')}\n`)
process.exit(0)
