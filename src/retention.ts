// Background pruning of old provisioning and sign-in events (EVENT_RETENTION_DAYS), request bodies
// (LOG_BODY_RETENTION_HOURS) and spent SSO state. Runs in small batches with a pause between them so
// requests are never held up; every process may run it, deletes are idempotent.
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import type { Metrics } from './metrics.js'
import { pruneAudit } from './store/audit.js'
import type { Store } from './store/database.js'
import { pruneEventBodies } from './store/event-bodies.js'
import { pruneEvents } from './store/events.js'
import { pruneEndedSessions } from './store/sessions.js'
import { pruneSignIns } from './store/sign-in-events.js'
import { pruneSso } from './store/sso-requests.js'

const DAY_MS = 24 * 3600 * 1000

export interface Retention {
  /** Prunes everything due now; resolves when done (used by the timer and by tests). */
  runOnce(): Promise<number>
  stop(): void
}

export function startRetention(
  store: Store,
  config: Config,
  {
    metrics,
    log,
    intervalMs = 3600_000,
    pauseMs = 50,
  }: { metrics: Metrics; log: FastifyBaseLogger; intervalMs?: number; pauseMs?: number },
): Retention {
  let stopped = false
  let running: Promise<number> | undefined

  async function prune(): Promise<number> {
    // Used SSO requests, expired assertion ids and old test results are dropped whatever the setting.
    await pruneSso(store.db)
    await pruneEndedSessions(store.db)
    // Request bodies go after LOG_BODY_RETENTION_HOURS (0 keeps none, so there are none to prune).
    const bodiesBefore = new Date(Date.now() - config.LOG_BODY_RETENTION_HOURS * 3600_000).toISOString()
    while (!stopped && (await pruneEventBodies(store.db, bodiesBefore)) > 0)
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    if (config.EVENT_RETENTION_DAYS === 0) return 0
    const before = new Date(Date.now() - config.EVENT_RETENTION_DAYS * DAY_MS).toISOString()
    let total = 0
    while (!stopped) {
      const deleted = await pruneEvents(store.db, before)
      total += deleted
      metrics.eventsPruned.inc(deleted)
      if (deleted === 0) break
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
    if (total > 0) log.info({ deleted: total, before }, 'pruned provisioning events')
    // The sign-in log follows the same retention as the provisioning log.
    while (!stopped && (await pruneSignIns(store.db, before)) > 0)
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    // So does the audit trail of admin actions.
    while (!stopped && (await pruneAudit(store.db, before)) > 0)
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    return total
  }

  const runOnce = () => {
    running ??= prune().finally(() => {
      running = undefined
    })
    return running
  }
  const tick = () => runOnce().catch((error) => log.error({ err: error }, 'event retention failed'))
  const first = setTimeout(tick, 5_000)
  const timer = setInterval(tick, intervalMs)
  first.unref()
  timer.unref()
  return {
    runOnce,
    stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(timer)
    },
  }
}
