// The push delivery worker. The IdP never waits for it: SCIM requests only write outbox rows, and
// this loop delivers them in the background.
//
// Order: a round takes a stream's oldest pending rows and groups them by resource; one resource's
// rows go one after another, different resources' in parallel (EVENTS_CONCURRENCY). A row that must
// be tried again stops its resource's chain, so no later change of a resource is delivered before an
// earlier one; the next round starts again from the oldest pending row.
//
// Several processes: a stream is delivered by the process that holds its lease (a conditional
// update of event_streams, the same on SQLite and PostgreSQL), renewed each round and kept well
// above the longest round, so two processes never deliver one stream at once.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Config } from '../config.js'
import type { Store } from '../store/database.js'
import { type Outcome, pendingRows } from '../store/event-outbox.js'
import { dueStreams } from '../store/event-streams.js'
import type { EventStreamRow, OutboxRow } from '../store/schema.js'
import { backoffMs } from './backoff.js'
import type { KeyRing } from './keys.js'
import type { EventMetrics } from './metrics.js'
import type { Pusher } from './push.js'
import { type Issuer, signRow } from './sign-row.js'
import type { Writes } from './writes.js'

/** Rows per round: small enough that a SET written during a round waits little for the next. */
const BATCH = 200
/**
 * After a round that emptied the queue, the wait before looking again. SETs written meanwhile then go
 * in one round (one read, one outcome write) instead of several small ones: during a PostgreSQL sync,
 * 50 ms against 10 took the delivery thread's CPU down by about 15% (30 µs a SET) and put delivery lag
 * p99 at 120 to 140 ms instead of 45 to 60 (bench/REPORT.md, Events out).
 */
const ROUND_GAP_MS = 50
/** How often last_delivered_at is written while a stream delivers steadily. */
const SUCCESS_EVERY_MS = 1000

/** The few log calls the worker makes (pino's signature), so a worker thread can forward them. */
export interface WorkerLog {
  info(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

export interface WorkerDeps {
  /** Reads (due streams, pending rows, keys). */
  readonly store: Store
  /** Writes (leases, outcomes, stream state): see writes.ts. */
  readonly writes: Writes
  readonly config: Config
  readonly keys: KeyRing
  readonly pusher: Pusher
  readonly issuer: Issuer
  readonly metrics: EventMetrics
  readonly log: WorkerLog
}

export interface Worker {
  /** Looks at the outbox now instead of at the next interval. */
  nudge(): void
  /** Stops taking work, waits for the rounds in flight, gives the leases back. */
  stop(): Promise<void>
}

export function startWorker(deps: WorkerDeps): Worker {
  const { store, config, log, writes } = deps
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  // Renewed when half has run out, so a round starts with at least timeout + 5 s left; new tries stop
  // 2 s + one timeout before the lease ends, so the last try ends inside it.
  const leaseMs = 2 * config.EVENTS_TIMEOUT_MS + 10_000
  const running = new Map<string, Promise<void>>()
  /** Streams whose lease this process holds, and until when. */
  const held = new Map<string, number>()
  const successAt = new Map<string, number>()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let ticking: Promise<void> | undefined

  const schedule = (ms: number) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(() => void tick(), ms)
    timer.unref()
  }

  async function tick(): Promise<void> {
    if (ticking) return
    ticking = (async () => {
      try {
        for (const stream of await dueStreams(store.db, new Date().toISOString())) {
          if (stopped || running.has(stream.id)) continue
          const run = runStream(stream)
            .catch((error) => log.error({ err: error, streamId: stream.id }, 'event delivery failed'))
            .finally(() => running.delete(stream.id))
          running.set(stream.id, run)
        }
      } catch (error) {
        if (!stopped) log.warn({ err: error }, 'event worker: could not read the streams')
      }
    })()
    await ticking
    ticking = undefined
    schedule(config.EVENTS_POLL_INTERVAL_MS)
  }

  /** Rounds on one stream while it has a full batch pending and delivers without failure. */
  async function runStream(stream: EventStreamRow): Promise<void> {
    let current = stream
    // Nothing owed: no lease to take (no write at all while a stream is idle), unless a failure
    // run must be cleared.
    const waiting = await pendingRows(store.db, stream.id, 1)
    if (waiting.length === 0) {
      if (stream.failures > 0) await writes.recordSuccess(stream.id, new Date().toISOString())
      return
    }
    for (;;) {
      if (stopped) return
      const now = Date.now()
      // Renewed once half of it has run out: one write per ~lease/2, not one per round.
      if ((held.get(current.id) ?? 0) - now < leaseMs / 2) {
        const leased = await writes.takeLease(
          current.id,
          owner,
          new Date(now + leaseMs).toISOString(),
          new Date(now).toISOString(),
        )
        if (!leased) {
          held.delete(current.id)
          return
        }
        held.set(current.id, now + leaseMs)
      }
      // New tries stop early enough that the last one ends before the lease does.
      const { more, failed } = await round(
        current,
        (held.get(current.id) ?? now) - config.EVENTS_TIMEOUT_MS - 2000,
      )
      if (failed) return
      // More may have been written meanwhile: look again soon (ROUND_GAP_MS) rather than at the next interval.
      if (!more) return schedule(ROUND_GAP_MS)
      current = { ...current, failing_since: null, failures: 0 }
    }
  }

  async function round(
    stream: EventStreamRow,
    deadline: number,
  ): Promise<{ more: boolean; failed: boolean }> {
    const rows = await pendingRows(store.db, stream.id, BATCH)
    if (rows.length === 0) {
      if (stream.failures > 0) await writes.recordSuccess(stream.id, new Date().toISOString())
      return { more: false, failed: false }
    }
    const signer = await deps.keys.signer()
    const chains = new Map<string, OutboxRow[]>()
    for (const row of rows) {
      const key = `${row.resource_type}/${row.resource_id}`
      const chain = chains.get(key)
      if (chain) chain.push(row)
      else chains.set(key, [row])
    }
    const outcomes: Outcome[] = []
    let failure: string | undefined
    const queue = [...chains.values()]
    const deliverChain = async (chain: OutboxRow[]) => {
      for (const row of chain) {
        if (stopped || failure !== undefined || Date.now() > deadline) return
        const jwt = await signRow(row, stream, signer, deps.issuer)
        if (jwt === undefined) {
          // The stream's filter wants none of this change's events: nothing to send.
          outcomes.push({ id: row.id, state: 'delivered', kid: signer.kid })
          continue
        }
        const result = await deps.pusher.push(stream.url ?? '', jwt, config.EVENTS_TIMEOUT_MS)
        deps.metrics.deliveries.inc({ outcome: result.outcome })
        if (result.outcome === 'delivered') {
          deps.metrics.lag.observe((Date.now() - Date.parse(row.created_at)) / 1000)
          outcomes.push({ id: row.id, state: 'delivered', status: result.status, kid: signer.kid })
          continue
        }
        if (result.outcome === 'refused') {
          // rfc8935#section-2.3: the recipient will never accept this SET; record it and go on.
          outcomes.push({
            id: row.id,
            state: 'refused',
            status: result.status,
            error: result.error,
            kid: signer.kid,
          })
          continue
        }
        outcomes.push({
          id: row.id,
          state: 'pending',
          status: result.status,
          error: result.error,
          kid: signer.kid,
        })
        failure ??= result.error
        return
      }
    }
    const lanes = Array.from({ length: Math.min(config.EVENTS_CONCURRENCY, queue.length) }, async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) await deliverChain(chain)
    })
    await Promise.all(lanes)
    if (outcomes.length > 0) await writes.recordOutcomes(stream.id, outcomes)
    const now = new Date()
    if (failure !== undefined) {
      const since = stream.failing_since ? Date.parse(stream.failing_since) : now.getTime()
      const failed = now.getTime() - since >= config.EVENTS_RETRY_CEILING_SECONDS * 1000
      const retryAt = new Date(now.getTime() + backoffMs(stream.failures, config.EVENTS_BACKOFF_MAX_SECONDS))
      await writes.recordFailure(stream, {
        error: failure,
        retryAt: retryAt.toISOString(),
        now: now.toISOString(),
        failed,
      })
      if (failed) log.error({ streamId: stream.id, error: failure }, 'event stream marked failed')
      return { more: false, failed: true }
    }
    const delivered = outcomes.some((o) => o.state === 'delivered')
    if (
      stream.failures > 0 ||
      (delivered && now.getTime() - (successAt.get(stream.id) ?? 0) >= SUCCESS_EVERY_MS)
    ) {
      await writes.recordSuccess(stream.id, now.toISOString())
      successAt.set(stream.id, now.getTime())
    }
    return { more: rows.length === BATCH || outcomes.length < rows.length, failed: false }
  }

  schedule(0)
  return {
    nudge: () => schedule(0),
    async stop() {
      stopped = true
      clearTimeout(timer)
      await ticking
      await Promise.allSettled(running.values())
      await Promise.allSettled([...held.keys()].map((id) => writes.releaseLease(id, owner)))
    },
  }
}
