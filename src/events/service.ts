// Events out, as one object per server process: the signing keys, the push worker, the background
// upkeep (pruning delivered SETs, retiring old keys), and what the routes and the CLI ask of them.

import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Config } from '../config.js'
import type { SecretBox } from '../crypto/secret-box.js'
import type { Metrics } from '../metrics.js'
import type { Store } from '../store/database.js'
import { pruneOutbox, vacuumOutboxIfDue } from '../store/event-outbox.js'
import type { Database } from '../store/schema.js'
import { type KeyRing, keyRingFor } from './keys.js'
import { eventMetrics } from './metrics.js'
import { createPusher, type Pusher } from './push.js'
import type { EventRecord } from './record.js'
import { type Issuer, issuerFor } from './sign-row.js'
import { startThreadWorker } from './thread-host.js'
import { startWorker, type Worker } from './worker.js'
import { storeWrites } from './writes.js'

export interface Events {
  /** Where this process delivers push streams (EVENTS_WORKER, inline for an in-memory database). */
  readonly mode: 'thread' | 'inline' | 'off'
  readonly keys: KeyRing
  readonly issuer: Issuer
  readonly pusher: Pusher
  /** Looks at the outbox now (after a test event, a resume, a redelivery). */
  nudge(): void
  /** Prunes delivered SETs past the retention and retires unused keys; returns rows pruned. */
  upkeep(): Promise<number>
  stop(): Promise<void>
}

export async function startEvents(
  store: Store,
  config: Config,
  origin: string,
  { metrics, log, box }: { metrics: Metrics; log: FastifyBaseLogger; box: SecretBox },
): Promise<Events> {
  const keys = keyRingFor(store, config, box)
  await keys.ensure()
  const issuer = issuerFor(origin)
  const pusher = createPusher({
    allowLoopback: config.EVENTS_ALLOW_LOOPBACK,
    allowPrivate: config.EVENTS_ALLOW_PRIVATE,
  })
  const deliveryMetrics = eventMetrics(metrics.registry, store)
  // An in-memory SQLite database exists on its own connection only: no thread can read it.
  const memory = /^(file:)?(:memory:)?$/i.test(config.DATABASE_URL)
  const mode = config.EVENTS_WORKER === 'thread' && memory ? 'inline' : config.EVENTS_WORKER
  const writes = storeWrites(store)
  const worker: Worker | undefined =
    mode === 'thread'
      ? startThreadWorker(writes, config, origin, deliveryMetrics, log)
      : mode === 'inline'
        ? startWorker({ store, writes, config, keys, pusher, issuer, metrics: deliveryMetrics, log })
        : undefined
  let stopped = false
  const upkeep = async () => {
    const before = new Date(Date.now() - config.EVENTS_RETENTION_HOURS * 3600_000).toISOString()
    let total = 0
    for (;;) {
      const pruned = await pruneOutbox(store.db, before)
      total += pruned
      if (pruned === 0 || stopped) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const retired = await keys.retire()
    if (retired.length) log.info({ kids: retired }, 'event signing keys no longer published')
    return total
  }
  const timer = setInterval(() => {
    upkeep().catch((error) => log.warn({ err: error }, 'event upkeep failed'))
  }, 60_000)
  timer.unref()
  // PostgreSQL: the delivery queue's settled rows are vacuumed at the pace they are settled
  // (vacuumOutboxIfDue); a look costs one read of the table's statistics. SQLite needs none.
  let vacuuming = false
  const vacuumTimer =
    store.dialect === 'postgres'
      ? setInterval(() => {
          if (vacuuming || stopped) return
          vacuuming = true
          vacuumOutboxIfDue(store.db)
            .catch((error) => log.warn({ err: error }, 'event outbox vacuum failed'))
            .finally(() => {
              vacuuming = false
            })
        }, 2000)
      : undefined
  vacuumTimer?.unref()
  return {
    mode,
    keys,
    issuer,
    pusher,
    nudge: () => worker?.nudge(),
    upkeep,
    async stop() {
      stopped = true
      clearInterval(timer)
      clearInterval(vacuumTimer)
      await worker?.stop()
      pusher.close()
    },
  }
}

/** Writes a test event for one stream through the outbox, like any change. Returns its row id. */
export async function writeTestEvent(db: Kysely<Database>, stream: { id: string; platform_id: string }) {
  const record: EventRecord = {
    type: 'Stream',
    id: stream.id,
    ops: [],
    attributes: [],
    test: { state: randomUUID() },
  }
  const row = await db
    .insertInto('event_outbox')
    .values({
      stream_id: stream.id,
      platform_id: stream.platform_id,
      txn: randomUUID().replaceAll('-', ''),
      created_at: new Date().toISOString(),
      resource_type: 'Stream',
      resource_id: stream.id,
      payload: JSON.stringify(record),
      state: 'pending',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(row.id)
}
