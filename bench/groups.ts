// Issue 4: member-add PATCH latency on a 100,000-member vs a 10-member group, GET of the big group
// (time and server memory), and Entra's existence check against big and small group names.
//   npx tsx bench/groups.ts [--dialect=sqlite,postgres] [--members=100000] [--samples=400] [--warmup=200]
//                           [--gets=5]
import * as http from 'node:http'
import { normalizeResource } from '../src/scim/resource.js'
import type { Dialect } from '../src/store/database.js'
import { insertProject } from '../src/store/projects.js'
import { numberArg } from './lib/args.js'
import { type RequestSpec, type Response, send } from './lib/load.js'
import {
  analyze,
  createBenchDatabase,
  dialectsFromArgs,
  openBenchStore,
  seedMembers,
  seedPlatform,
  seedUsers,
} from './lib/seed.js'
import { type BenchServer, NO_RATE_LIMIT, startServer } from './lib/spawn.js'
import { fmt, log, median, now, percentile } from './lib/stats.js'

const MEMBERS = numberArg('members', 100_000)
const SAMPLES = numberArg('samples', 400)
const WARMUP = numberArg('warmup', 200)
const GETS = numberArg('gets', 5)
const SCIM = '/api/v1/scim/v2'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

const entraGroup = (displayName: string) =>
  normalizeResource('Group', {
    schemas: [
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
    ],
    externalId: `ext-${displayName}`,
    displayName,
    meta: { resourceType: 'Group' },
  })

interface Figures {
  dialect: Dialect
  seedSeconds: number
  patchBig: number[]
  patchSmall: number[]
  getBig: { ms: number; cpuMs: number; rssGrowthMb: number; heapGrowthMb: number; members: number }[]
  getSmallMs: number[]
  getBigNoMembersMs: number[]
  existsBig: number[]
  existsSmall: number[]
  failures: string[]
}

async function benchDialect(dialect: Dialect): Promise<Figures> {
  const database = await createBenchDatabase(dialect)
  let server: BenchServer | undefined
  try {
    const seedStart = now()
    const store = await openBenchStore(database)
    const { platformId, secret } = await seedPlatform(store)
    // Users beyond the big group's members are the ones the PATCHes add.
    const userIds = await seedUsers(store, platformId, 'u', 0, MEMBERS + WARMUP + SAMPLES)
    const big = await insertProject(store.db, platformId, entraGroup('Big Group'))
    const small = await insertProject(store.db, platformId, entraGroup('Small Group'))
    await seedMembers(store, platformId, big.id, userIds.slice(0, MEMBERS))
    await seedMembers(store, platformId, small.id, userIds.slice(0, 10))
    await analyze(store)
    await store.close()
    const seedSeconds = (now() - seedStart) / 1000
    log(`${dialect}: seeded ${userIds.length} users, groups of ${MEMBERS} and 10 in ${fmt(seedSeconds)} s`)

    server = await startServer('muster', { DATABASE_URL: database.url, ...NO_RATE_LIMIT })
    const port = server.port
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const auth = { authorization: `Bearer ${secret}` }
    const failures: string[] = []
    const call = async (spec: RequestSpec, expect: number): Promise<Response> => {
      const res = await send(agent, port, { ...spec, headers: auth })
      if (res.status !== expect && failures.length < 5)
        failures.push(`${spec.method} ${spec.path}: ${res.status} ${res.body.slice(0, 200)}`)
      return res
    }
    const addMember = (groupId: string, userId: string) =>
      call(
        {
          method: 'PATCH',
          path: `${SCIM}/Groups/${groupId}`,
          body: {
            schemas: [PATCH_OP],
            Operations: [{ op: 'Add', path: 'members', value: [{ value: userId }] }],
          },
        },
        204,
      )
    const exists = (name: string) =>
      call(
        {
          method: 'GET',
          path: `${SCIM}/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`,
        },
        200,
      )

    const figures: Figures = {
      dialect,
      seedSeconds,
      patchBig: [],
      patchSmall: [],
      getBig: [],
      getSmallMs: [],
      getBigNoMembersMs: [],
      existsBig: [],
      existsSmall: [],
      failures,
    }

    // PATCH Add of one new member, sequential, alternating groups (and which goes first).
    log(`${dialect}: PATCH add, ${WARMUP} warm-up + ${SAMPLES} samples per group`)
    for (let k = 0; k < WARMUP + SAMPLES; k++) {
      const userId = userIds[MEMBERS + k]!
      const order = k % 2 === 0 ? [big, small] : [small, big]
      for (const group of order) {
        const res = await addMember(group.id, userId)
        if (k >= WARMUP) (group === big ? figures.patchBig : figures.patchSmall).push(res.ms)
      }
    }

    // Existence check by displayName (members excluded), alternating.
    log(`${dialect}: existence check`)
    for (let k = 0; k < WARMUP + SAMPLES; k++) {
      const order = k % 2 === 0 ? ['Big Group', 'Small Group'] : ['Small Group', 'Big Group']
      for (const name of order) {
        const res = await exists(name)
        if (k === 0) {
          const list = JSON.parse(res.body) as { totalResults: number; Resources: Record<string, unknown>[] }
          if (list.totalResults !== 1 || 'members' in (list.Resources[0] ?? {}))
            failures.push(`existence check for ${name}: ${res.body.slice(0, 200)}`)
        }
        if (k >= WARMUP) (name === 'Big Group' ? figures.existsBig : figures.existsSmall).push(res.ms)
      }
    }

    // GET of the big group: wall time, and the server's RSS sampled every 20 ms while it runs.
    log(`${dialect}: GET /Groups/{id} x ${GETS}`)
    for (let k = 0; k < GETS; k++) {
      const before = await server.stats()
      let peakRss = before.rss
      let peakHeap = before.heapUsed
      let polling = true
      const poller = (async () => {
        while (polling) {
          const s = await server!.stats()
          peakRss = Math.max(peakRss, s.rss)
          peakHeap = Math.max(peakHeap, s.heapUsed)
          await new Promise((r) => setTimeout(r, 20))
        }
      })()
      const res = await call({ method: 'GET', path: `${SCIM}/Groups/${big.id}` }, 200)
      polling = false
      await poller
      const after = await server.stats()
      peakRss = Math.max(peakRss, after.rss)
      peakHeap = Math.max(peakHeap, after.heapUsed)
      const group = JSON.parse(res.body) as { members?: unknown[] }
      figures.getBig.push({
        ms: res.ms,
        cpuMs: after.cpuMs - before.cpuMs,
        rssGrowthMb: (peakRss - before.rss) / 2 ** 20,
        heapGrowthMb: (peakHeap - before.heapUsed) / 2 ** 20,
        members: group.members?.length ?? 0,
      })
      const bigNoMembers = await call(
        { method: 'GET', path: `${SCIM}/Groups/${big.id}?excludedAttributes=members` },
        200,
      )
      figures.getBigNoMembersMs.push(bigNoMembers.ms)
      figures.getSmallMs.push((await call({ method: 'GET', path: `${SCIM}/Groups/${small.id}` }, 200)).ms)
    }
    agent.destroy()
    return figures
  } finally {
    await server?.stop()
    await database.drop()
  }
}

function summary(all: Figures[]): string {
  const ms = (v: number[]) => `${fmt(median(v), 2)} (p90 ${fmt(percentile(v, 90), 2)})`
  const lines = [
    `members=${MEMBERS}; PATCH and existence check: ${SAMPLES} sequential samples per group after ${WARMUP} ` +
      `warm-up, alternating; GET: ${GETS} sequential runs. Times are client wall ms, median (p90).`,
    '',
    '| dialect | PATCH add, big group | PATCH add, 10 group | ratio (≤ 1.25) | GET big group ms (< 1000) | server CPU ms | members read | peak RSS growth MB (< 50) | GET big, excludedAttributes=members | GET small group | exists, big name | exists, small name | ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const f of all) {
    const patchRatio = median(f.patchBig) / median(f.patchSmall)
    const getMs = median(f.getBig.map((g) => g.ms))
    const rss = f.getBig.map((g) => g.rssGrowthMb)
    const existsRatio = median(f.existsBig) / median(f.existsSmall)
    lines.push(
      `| ${f.dialect} | ${ms(f.patchBig)} | ${ms(f.patchSmall)} | ${fmt(patchRatio, 2)} ${patchRatio <= 1.25 ? 'met' : 'MISSED'} | ` +
        `${fmt(getMs, 0)} ${getMs < 1000 ? 'met' : 'MISSED'} | ${fmt(median(f.getBig.map((g) => g.cpuMs)), 0)} | ` +
        `${f.getBig.map((g) => g.members).join(',')} | ` +
        `max ${fmt(Math.max(...rss), 1)}, median ${fmt(median(rss), 1)} ${Math.max(...rss) < 50 ? 'met' : 'MISSED'} ` +
        `(heap ${fmt(Math.max(...f.getBig.map((g) => g.heapGrowthMb)), 1)}) | ${ms(f.getBigNoMembersMs)} | ` +
        `${ms(f.getSmallMs)} | ${ms(f.existsBig)} | ${ms(f.existsSmall)} | ${fmt(existsRatio, 2)} |`,
    )
  }
  lines.push('', all.map((f) => `${f.dialect}: seeded in ${fmt(f.seedSeconds)} s`).join('; '))
  for (const f of all) for (const failure of f.failures) lines.push(`FAILURE ${f.dialect}: ${failure}`)
  return lines.join('\n')
}

const results: Figures[] = []
for (const dialect of dialectsFromArgs()) results.push(await benchDialect(dialect))
process.stdout.write(`${summary(results)}\n`)
process.exit(0)
