// A console change's context for src/domain: the signed-in admin is its actor.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuditBy } from '../../domain/audit.js'
import type { WriteContext } from '../../domain/context.js'
import type { AdminOptions } from './options.js'

export function writeContext(
  request: FastifyRequest,
  reply: FastifyReply,
  { store, config }: AdminOptions,
  status = 200,
): WriteContext {
  return {
    store,
    platformId: request.admin.platformId,
    actor: { kind: 'console', userId: request.admin.userId },
    request: {
      id: request.id,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status,
      elapsedMs: () => reply.elapsedTime,
      ip: request.ip,
    },
    defaultProjectRole: config.SCIM_DEFAULT_PROJECT_ROLE,
  }
}

/** The signed-in admin and the request, for the audit rows of admin writes outside src/domain. */
export function auditBy(request: FastifyRequest): AuditBy {
  return {
    platformId: request.admin.platformId,
    actor: { kind: 'console', userId: request.admin.userId },
    ip: request.ip,
    requestId: request.id,
  }
}
