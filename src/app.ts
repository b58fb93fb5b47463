// buildApp: the whole HTTP server without listen(), so tests drive it through app.inject.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify'
import { type Config, publicOrigin } from './config.js'
import { secretBoxFor } from './crypto/secret-box.js'
import { type Events, startEvents } from './events/service.js'
import { adminRoutes } from './http/admin/index.js'
import { authnRoutes } from './http/authn/index.js'
import { clientErrorHandler, isScimPath } from './http/client-errors.js'
import { eventsHttp } from './http/events/index.js'
import { healthRoutes } from './http/health.js'
import { observe } from './http/observability.js'
import { sendScimError } from './http/scim/errors.js'
import { scimPlugin } from './http/scim/index.js'
import { DEFAULT_WEB_ROOT, webRoutes } from './http/web.js'
import { createMetrics } from './metrics.js'
import { type Retention, startRetention } from './retention.js'
import { SCIM_BASE } from './scim/base-path.js'
import { notFound } from './scim/errors.js'
import { AUTHN_BASE } from './sso/addresses.js'
import type { Store } from './store/database.js'

export interface AppOptions {
  readonly config: Config
  readonly store: Store
  /** A pino destination for tests that inspect the log. */
  readonly logStream?: NodeJS.WritableStream
  /** The built console; null serves none (default: dist/web when it exists). */
  readonly webRoot?: string | null
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Background pruning of old provisioning events. */
    retention: Retention
    /** Events out: signing keys, the push worker, upkeep. */
    events: Events
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

export async function buildApp({ config, store, logStream, webRoot }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      ...(logStream ? { stream: logStream } : {}),
      // Secrets never reach the log: the request serializer keeps only method, url and ids.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: config.BODY_LIMIT,
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      caseSensitive: false,
      maxParamLength: 1000,
    },
    // A URL the router cannot decode (bad %-escape) or a path parameter over maxParamLength fails
    // before any route's error handler: answer those as SCIM errors under the SCIM base too.
    frameworkErrors: (error, request, reply) => {
      if (isScimPath(request.url)) {
        return sendScimError(notFound('No resource at that path.'), request, reply)
      }
      return (reply as FastifyReply)
        .code(error.statusCode ?? 400)
        .send({ error: error.code, message: error.message })
    },
    // Errors of the HTTP parser (431, 400, 408) come before any route: SCIM errors under the SCIM base.
    clientErrorHandler,
    // A client-sent X-Request-Id is kept (when sane) so a request can be traced across systems.
    genReqId: (request) => {
      const sent = request.headers['x-request-id']
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID()
    },
    // One line per request, written by observe() with the route, platform and key.
    logController: new LogController({ disableRequestLogging: true }),
    // Entra gives up after 60 s; answer or fail well before that.
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    done(null, payload)
  })
  const metrics = createMetrics(store.poolStats)
  observe(app, { config, metrics })
  const retention = startRetention(store, config, { metrics, log: app.log })
  app.decorate('retention', retention)
  app.addHook('onClose', async () => retention.stop())
  const box = secretBoxFor(config)
  const events = await startEvents(store, config, publicOrigin(config), { metrics, log: app.log, box })
  app.decorate('events', events)
  // Before the store closes (the server closes the app first): the worker's last writes need it.
  app.addHook('onClose', async () => events.stop())

  await app.register(healthRoutes, { store })
  await app.register(scimPlugin, { prefix: SCIM_BASE, store, config, metrics })
  await app.register(authnRoutes, { prefix: AUTHN_BASE, store, config, box })
  await app.register(adminRoutes, { prefix: '/api/v1', store, config, box, events })
  await app.register(eventsHttp, { store, config, events })
  await app.register(webRoutes, { root: webRoot === undefined ? DEFAULT_WEB_ROOT : webRoot })
  return app
}
