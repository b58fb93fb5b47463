// Drain rate of event delivery: a backlog of SETs (100,000 by default) is written to the outbox of one
// push stream, then a server starts and delivers it to a receiver process on 127.0.0.1 answering 202.
// Signing is included: every SET is signed (ES256) as it is sent.
//   npx tsx bench/events-drain.ts [--sets 100000] [--dialect sqlite,postgres] [--worker thread|inline]
import { randomUUID } from 'node:crypto'
import { toRecord } from '../src/events/record.js'
import { addStream } from '../src/events/streams.js'
import type { Dialect } from '../src/store/database.js'
import type { UserRow } from '../src/store/schema.js'
import { arg } from './lib/args.js'
import { startBenchReceiver } from './lib/receiver.js'
import { createBenchDatabase, openBenchStore, seedPlatform } from './lib/seed.js'
import { startServer } from './lib/spawn.js'
import { fmt, log, now } from './lib/stats.js'

const SETS = Number(arg('sets', '100000'))
const WORKER = arg('worker', 'thread')
const DIALECTS = arg('dialect', 'sqlite,postgres').split(',') as Dialect[]

/** A user as the Entra sync of bench/sync.ts creates it. */
function user(i: number, platformId: string): UserRow {
  const now = new Date().toISOString()
  return {
    id: randomUUID(),
    platform_id: platformId,
    email: `user${i}@bench.test`,
    email_key: `user${i}@bench.test`,
    external_id: randomUUID(),
    display_name: `Joy Young ${i}`,
    first_name: `Joy${i}`,
    last_name: 'Young',
    platform_role: 'MEMBER',
    status: 'ACTIVE',
    password_hash: null,
    resource: {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ],
      externalId: randomUUID(),
      userName: `user${i}@bench.test`,
      active: true,
      displayName: `Joy Young ${i}`,
      emails: [{ primary: true, type: 'work', value: `jyoung${i}@Contoso.com` }],
      name: { familyName: 'Young', givenName: `Joy${i}` },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        employeeNumber: String(700000 + i),
        department: 'Tour Operations',
      },
    },
    version: 1,
    created_at: now,
    updated_at: now,
  }
}

async function drain(dialect: Dialect): Promise<string> {
  const database = await createBenchDatabase(dialect)
  const receiver = await startBenchReceiver()
  try {
    const setup = await openBenchStore(database)
    const { platformId } = await seedPlatform(setup, 'Drain')
    const stream = await addStream(
      setup.db,
      { platformId, push: receiver.url },
      { allowLoopback: true, allowPrivate: false },
      'http://127.0.0.1',
    )
    log(`${dialect}: writing ${SETS} SETs to the outbox`)
    for (let i = 0; i < SETS; i += 500) {
      const rows = Array.from({ length: Math.min(500, SETS - i) }, (_, k) => {
        const after = user(i + k, platformId)
        const record = toRecord({ type: 'User', op: 'create', after })!
        return {
          stream_id: stream.id,
          platform_id: platformId,
          txn: randomUUID().replaceAll('-', ''),
          created_at: after.created_at,
          resource_type: 'User',
          resource_id: after.id,
          payload: JSON.stringify(record),
          state: 'pending' as const,
        }
      })
      await setup.db.insertInto('event_outbox').values(rows).execute()
    }
    await setup.close()
    const started = now()
    const server = await startServer('muster', {
      DATABASE_URL: database.url,
      EVENTS_ALLOW_LOOPBACK: '1',
      ENCRYPTION_KEY: '44'.repeat(32),
      EVENTS_WORKER: WORKER,
    })
    const cpuBefore = (await server.stats()).cpuMs
    const receiverBefore = (await receiver.stats()).cpuMs
    let last = 0
    const progress = setInterval(async () => {
      const count = await receiver.count()
      log(`${dialect}: ${count}/${SETS} (${fmt((count - last) / 5, 0)}/s)`)
      last = count
    }, 5000)
    const stats = await receiver.waitFor(SETS, 20 * 60_000)
    const ms = now() - started
    clearInterval(progress)
    const cpuMs = (await server.stats()).cpuMs - cpuBefore
    await server.stop()
    return (
      `| ${dialect} | ${WORKER} | ${SETS} | ${fmt(ms / 1000, 1)} | ${fmt((SETS * 1000) / ms, 0)} | ` +
      `${fmt((cpuMs * 1000) / SETS, 0)} | ${fmt(((stats.cpuMs - receiverBefore) * 1000) / SETS, 0)} | ${stats.outOfOrder} |`
    )
  } finally {
    await receiver.stop()
    await database.drop()
  }
}

const lines = [
  '| dialect | worker | SETs | wall s (from server start) | SETs/s | server CPU µs/SET | receiver CPU µs/SET | out of order |',
  '|---|---|---|---|---|---|---|---|',
]
for (const dialect of DIALECTS) {
  lines.push(await drain(dialect))
  process.stderr.write(`${lines.at(-1)}\n`)
}
process.stdout.write(`${lines.join('\n')}\n`)
process.exit(0)
