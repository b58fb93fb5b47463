// Prometheus metrics of event delivery: backlog and lag read from the outbox at scrape time,
// deliveries counted by outcome, and the time from commit to a receiver's 202.
import { sql } from 'kysely'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Store } from '../store/database.js'

/** What the delivery worker reports; a worker thread forwards it to the main thread's registry. */
export interface EventMetrics {
  readonly deliveries: { inc(labels: { outcome: string }, value?: number): void }
  readonly lag: { observe(seconds: number): void }
}

export function eventMetrics(registry: Registry, store: Store): EventMetrics {
  const pending = async () => {
    const { rows } = await sql<{ n: number | string; oldest: string | null }>`
      select count(*) as n, min(created_at) as oldest from event_outbox where state = 'pending'`.execute(
      store.db,
    )
    return rows[0] ?? { n: 0, oldest: null }
  }
  new Gauge({
    name: 'muster_events_backlog',
    help: 'SETs written to the outbox and not yet delivered or acknowledged, all streams.',
    registers: [registry],
    async collect() {
      this.set(Number((await pending()).n))
    },
  })
  new Gauge({
    name: 'muster_events_lag_seconds',
    help: 'Age of the oldest SET not yet delivered or acknowledged (0 when none).',
    registers: [registry],
    async collect() {
      const { oldest } = await pending()
      this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0)
    },
  })
  new Gauge({
    name: 'muster_events_streams',
    help: 'Event streams by status (enabled, paused, failed): alert on failed.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ status: string; n: number | string }>`
        select status, count(*) as n from event_streams group by status`.execute(store.db)
      this.reset()
      for (const status of ['enabled', 'paused', 'failed']) this.set({ status }, 0)
      for (const row of rows) this.set({ status: row.status }, Number(row.n))
    },
  })
  return {
    deliveries: new Counter({
      name: 'muster_events_deliveries_total',
      help: 'Push deliveries by outcome: delivered (202), refused (400 per RFC 8935), retry (anything else).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'muster_events_delivery_lag_seconds',
      help: 'Time from the commit of a change to the 202 of its SET.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
  }
}
