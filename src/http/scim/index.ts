// The SCIM 2.0 scope at /api/v1/scim/v2: JSON body parsing for any content type, bearer auth,
// one error renderer, SCIM-typed responses, and the resource routes.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.js'
import { invalidSyntax, notFound } from '../../scim/errors.js'
import type { Store } from '../../store/database.js'
import { bearerAuth } from './auth.js'
import { discoveryRoutes } from './discovery.js'
import { SCIM_CONTENT_TYPE, sendScimError } from './errors.js'

export interface ScimOptions {
  readonly store: Store
  readonly config: Config
}

export async function scimPlugin(app: FastifyInstance, { store, config }: ScimOptions): Promise<void> {
  // Bodies arrive as application/scim+json or application/json with any charset; clients never get
  // 406 or 415, so every content type is read as JSON (rfc7644#section-3.1).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      done(invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}`), undefined)
    }
  })

  app.addHook('onRequest', bearerAuth(store))
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode !== 204 && reply.statusCode !== 304) reply.type(SCIM_CONTENT_TYPE)
    return payload
  })
  app.setErrorHandler((error, request, reply) => sendScimError(error, request, reply))
  app.setNotFoundHandler((request, reply) =>
    sendScimError(
      notFound(`No SCIM endpoint at ${request.method} ${request.url.split('?')[0]}.`),
      request,
      reply,
    ),
  )

  await app.register(discoveryRoutes, { config })
}
