// The SCIM 2.0 scope at /api/v1/scim/v2: JSON body parsing for any content type, bearer auth,
// one error renderer, SCIM-typed responses, and the resource routes.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.js'
import type { Metrics } from '../../metrics.js'
import { invalidSyntax, notFound } from '../../scim/errors.js'
import { isStorableText } from '../../scim/text.js'
import type { Store } from '../../store/database.js'
import { bearerAuth } from './auth.js'
import { bodyRecorder } from './bodies.js'
import { discoveryRoutes } from './discovery.js'
import { SCIM_CONTENT_TYPE, sendScimError } from './errors.js'
import { recordRejectedWrites } from './events.js'
import { groupRoutes } from './groups.js'
import { authFailureLimit, keyRateLimit } from './rate-limit.js'
import { searchRoutes } from './search.js'
import { userRoutes } from './users.js'

export interface ScimOptions {
  readonly store: Store
  readonly config: Config
  readonly metrics: Metrics
}

export async function scimPlugin(
  app: FastifyInstance,
  { store, config, metrics }: ScimOptions,
): Promise<void> {
  // Bodies arrive as application/scim+json or application/json with any charset; clients never get
  // 406 or 415, so every content type is read as JSON (rfc7644#section-3.1).
  // JSON.parse via Fastify's secure parser, which drops `__proto__` and `constructor.prototype` keys.
  app.removeAllContentTypeParsers()
  const parseJson = app.getDefaultJsonParser('remove', 'remove')
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    // No resource at the path: the answer is 404 whatever the body, so it is not parsed.
    if (request.is404 || String(body).trim() === '') return done(null, undefined)
    parseJson(request, String(body), (error, value) =>
      error
        ? done(invalidSyntax(`The request body is not valid JSON: ${error.message}`), undefined)
        : done(null, value),
    )
  })

  // Every request: its key, its key's rate limit, and its path ids, in one hook (each hook costs a
  // little on every request, and this scope serves thousands a second during a sync).
  const authenticate = bearerAuth(store, await authFailureLimit(app, config, metrics))
  app.addHook('onClose', async () => authenticate.flush().catch(() => {}))
  const limit = await keyRateLimit(app, config, metrics)
  app.addHook('onRequest', async (request, reply) => {
    await authenticate(request, reply)
    if (limit) await limit(request, reply)
    // An id that no database could hold names no resource: 404 before any query.
    const params = request.params as Record<string, string> | undefined
    for (const key in params) {
      if (!isStorableText(params[key] as string)) throw notFound('No resource has that id.')
    }
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode !== 204 && reply.statusCode !== 304) reply.type(SCIM_CONTENT_TYPE)
    done(null, payload)
  })
  app.setErrorHandler((error, request, reply) => sendScimError(error, request, reply))
  app.setNotFoundHandler((request, reply) =>
    sendScimError(
      notFound(`No SCIM endpoint at ${request.method} ${request.url.split('?')[0]}.`),
      request,
      reply,
    ),
  )

  app.addHook('onResponse', recordRejectedWrites(store))
  if (config.LOG_BODY_RETENTION_HOURS > 0) {
    const bodies = bodyRecorder(store, app.log)
    app.addHook('onSend', bodies.onSend)
    app.addHook('onClose', async () => bodies.flush())
  }

  await app.register(discoveryRoutes, { config })
  await app.register(userRoutes, { store, config })
  await app.register(groupRoutes, { store, config })
  await app.register(searchRoutes, { store, config })
}
