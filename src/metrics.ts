// Prometheus metrics (prom-client). One registry per app, so several apps in one process (tests) do
// not share counters.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

export interface Metrics {
  readonly registry: Registry
  readonly requests: Counter<'method' | 'route' | 'status'>
  readonly duration: Histogram<'method' | 'route' | 'status'>
  readonly scimOperations: Counter<'resource' | 'operation' | 'outcome'>
  readonly rateLimited: Counter<'reason'>
  readonly eventsPruned: Counter
}

export function createMetrics(pool?: () => { total: number; idle: number; waiting: number }): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const metrics: Metrics = {
    registry,
    requests: new Counter({
      name: 'muster_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'muster_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    scimOperations: new Counter({
      name: 'muster_scim_operations_total',
      help: 'SCIM operations by resource, operation and outcome (success, client_error, server_error).',
      labelNames: ['resource', 'operation', 'outcome'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'muster_rate_limited_total',
      help: 'Requests answered 429, by reason (api_key, auth_failures).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    eventsPruned: new Counter({
      name: 'muster_events_pruned_total',
      help: 'Provisioning events deleted by retention.',
      registers: [registry],
    }),
  }
  if (pool) {
    for (const [name, pick] of [
      ['total', (p: ReturnType<typeof pool>) => p.total],
      ['idle', (p: ReturnType<typeof pool>) => p.idle],
      ['waiting', (p: ReturnType<typeof pool>) => p.waiting],
    ] as const) {
      new Gauge({
        name: `muster_db_pool_${name}_connections`,
        help: `Database pool: ${name} connections${name === 'waiting' ? ' (queued requests)' : ''}.`,
        registers: [registry],
        collect() {
          this.set(pick(pool()))
        },
      })
    }
  }
  return metrics
}
