// What one PostgreSQL read costs in Node: CPU per statement through pg's pool, 16 in flight, for a
// trivial statement and for the `userName eq` lookup as Muster runs it (named, groups folded in).
//   npx tsx bench/pg-read.ts [--users=100000] [--n=30000]
import pg from 'pg'
import { numberArg } from './lib/args.js'
import {
  analyze,
  createBenchDatabase,
  openBenchStore,
  postgresConfig,
  seedPlatform,
  seedUsers,
  userName,
} from './lib/seed.js'
import { fmt, log } from './lib/stats.js'

const USERS = numberArg('users', 100_000)
const N = numberArg('n', 30_000)
const IN_FLIGHT = 16

const database = await createBenchDatabase('postgres')
try {
  const store = await openBenchStore(database)
  const { platformId } = await seedPlatform(store)
  await seedUsers(store, platformId, 'u', 0, USERS)
  await analyze(store)
  await store.close()
  const pool = new pg.Pool({ ...postgresConfig(database), max: 10 })
  const lookup = `select *, (select coalesce(json_agg(json_build_object('value', p.id, 'display', p.display_name)
      order by p.display_key, p.id), '[]'::json) from project_members m join projects p on p.id = m.project_id
      where m.user_id = users.id and m.platform_id = users.platform_id) as "groups"
    from users where platform_id = $1 and email_key = $2`
  const key = (i: number) => userName('u', (i * 7919) % USERS).toLowerCase()
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ['select 1', () => pool.query('select 1')],
    [
      'userName eq with groups (named)',
      (i) => pool.query({ name: 'lookup', text: lookup, values: [platformId, key(i)] }),
    ],
    [
      'the same lookup, id only (named)',
      (i) =>
        pool.query({
          name: 'lookup_id',
          text: 'select id from users where platform_id = $1 and email_key = $2',
          values: [platformId, key(i)],
        }),
    ],
  ]
  for (const [label, read] of cases) {
    const figures: string[] = []
    for (let run = 0; run < 3; run++) {
      let i = 0
      const started = process.cpuUsage()
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (i < N) await read(i++)
        }),
      )
      const { user, system } = process.cpuUsage(started)
      figures.push(`${fmt((user + system) / N)} (kernel ${fmt(system / N)})`)
    }
    log(`${label}: µs of CPU per read, three runs: ${figures.join(', ')}`)
  }
  await pool.end()
} finally {
  await database.drop()
}
