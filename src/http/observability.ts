// One log line and the metrics of every request, and GET /metrics. Called on the root instance (not
// registered as a plugin) so its hooks see every route.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Counter, Histogram } from 'prom-client'

type Label = 'method' | 'route' | 'status'

import type { Config } from '../config.js'
import type { Metrics } from '../metrics.js'
import { SCIM_BASE } from '../scim/base-path.js'

export function observe(
  app: FastifyInstance,
  { config, metrics }: { config: Config; metrics: Metrics },
): void {
  // prom-client hashes the labels on every inc/observe; the children of one label set are kept instead.
  const children = new Map<string, { requests: Counter.Internal; duration: Histogram.Internal<Label> }>()
  const childrenOf = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`
    let child = children.get(key)
    if (!child) {
      const labels = { method, route, status: String(status) }
      child = { requests: metrics.requests.labels(labels), duration: metrics.duration.labels(labels) }
      children.set(key, child)
    }
    return child
  }
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request)
    const status = reply.statusCode
    const child = childrenOf(request.method, route, status)
    child.requests.inc()
    child.duration.observe(reply.elapsedTime / 1000)
    const operation = scimOperation(request.method, route)
    if (operation) {
      const outcome = status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'success'
      metrics.scimOperations.inc({ ...operation, outcome })
    }
    request.log.info(
      {
        method: request.method,
        route,
        // The path only: query strings can carry personal data, and routes with tokens log their pattern.
        path: route.includes(':token') ? route : request.url.split('?')[0],
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        platformId: request.scim?.platformId,
        keyId: request.scim?.keyId,
      },
      'request completed',
    )
    done()
  })

  app.get('/metrics', async (request: FastifyRequest, reply: FastifyReply) => {
    if (config.METRICS_TOKEN && !bearerMatches(request.headers.authorization, config.METRICS_TOKEN)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' })
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

/** The route pattern (bounded label values), or a fixed label for requests that matched none. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(no route)'
}

const OPERATIONS: Record<string, string> = {
  'GET /Users': 'list',
  'GET /Users/:id': 'get',
  'POST /Users': 'create',
  'POST /Users/.search': 'search',
  'PUT /Users/:id': 'replace',
  'PATCH /Users/:id': 'patch',
  'DELETE /Users/:id': 'delete',
  'GET /Groups': 'list',
  'GET /Groups/:id': 'get',
  'POST /Groups': 'create',
  'POST /Groups/.search': 'search',
  'PUT /Groups/:id': 'replace',
  'PATCH /Groups/:id': 'patch',
  'DELETE /Groups/:id': 'delete',
  'POST /.search': 'search',
}

function scimOperation(method: string, route: string): { resource: string; operation: string } | undefined {
  if (!route.startsWith(SCIM_BASE)) return undefined
  const path = route.slice(SCIM_BASE.length)
  const operation = OPERATIONS[`${method} ${path}`]
  if (!operation) return undefined
  const resource = path.startsWith('/Users') ? 'User' : path.startsWith('/Groups') ? 'Group' : 'Any'
  return { resource, operation }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '')
  const expected = Buffer.from(token)
  return sent.length === expected.length && timingSafeEqual(sent, expected)
}
