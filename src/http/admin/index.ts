// The console's JSON API under /api/v1: public routes (setup link, sign-in, API description) and the
// routes behind a console session, each scoped to the signed-in admin's platform.
import cookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import type { Events } from '../../events/service.js'
import { isStorableText } from '../../scim/text.js'
import { accountRoutes } from './account.js'
import { apiKeyRoutes } from './api-keys.js'
import { auditRoutes } from './audit.js'
import { authRoutes } from './auth.js'
import { InputError, sendAdminError } from './errors.js'
import { eventRoutes } from './events.js'
import { openApiRoutes } from './openapi.js'
import type { AdminOptions } from './options.js'
import { projectRoutes } from './projects.js'
import { scimConnectionRoutes } from './scim-connection.js'
import { crossOriginGuard, requireAdmin } from './session.js'
import { settingsRoutes } from './settings.js'
import { setupRoutes } from './setup.js'
import { ssoRoutes } from './sso.js'
import { streamRoutes } from './streams.js'
import { userRoutes } from './users.js'

export async function adminRoutes(
  app: FastifyInstance,
  { store, config, box, events }: AdminOptions & { events: Events },
): Promise<void> {
  // Not the options object itself: it carries this scope's prefix, which children would add again.
  const options = { store, config, box }
  await app.register(cookie)
  // JSON only: a cross-site HTML form can send text/plain without a CORS preflight, so it is not parsed.
  app.removeContentTypeParser('text/plain')
  app.addHook('onRequest', crossOriginGuard(config))
  // Answers hold account data: no shared or browser cache keeps them.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store')
    return payload
  })
  app.setErrorHandler(sendAdminError)
  // Text no database can hold (NUL, unpaired surrogates) is refused before it reaches a query.
  app.addHook('preValidation', async (request) => {
    const bad =
      unstorableField({ ...(request.params as object), ...(request.query as object) }) ??
      unstorableField(request.body)
    if (bad !== undefined)
      throw new InputError({ [bad || '_']: 'Contains a character that cannot be stored.' })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `No API endpoint at ${request.method} ${request.url.split('?')[0]}.`,
    }),
  )

  await app.register(openApiRoutes)
  await app.register(setupRoutes, options)
  await app.register(authRoutes, options)
  await app.register(accountRoutes, options)
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(store))
    await scope.register(apiKeyRoutes, options)
    await scope.register(scimConnectionRoutes, options)
    await scope.register(userRoutes, options)
    await scope.register(projectRoutes, options)
    await scope.register(settingsRoutes, options)
    await scope.register(eventRoutes, options)
    await scope.register(auditRoutes, options)
    await scope.register(ssoRoutes, options)
    await scope.register(streamRoutes, { ...options, events })
  })
}

/** The path of the first string (key or value) in `value` that cannot be stored, or undefined. */
function unstorableField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key
    if (!isStorableText(key)) return at
    const found = unstorableField(inner, at)
    if (found !== undefined) return found
  }
  return undefined
}
