// The one place where every error under the SCIM base becomes an RFC 7644 §3.12 error body.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { ScimError, toErrorBody } from '../../scim/errors.js'

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

/** Maps anything thrown during a SCIM request to a ScimError; unknown errors become a 500. */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error
  const fastifyError = error as Partial<FastifyError>
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, 'The request body is larger than the server accepts.')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ScimError(400, 'The request body is empty; a JSON body is required.', 'invalidSyntax')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ScimError(400, 'The Content-Length header does not match the body.', 'invalidSyntax')
  }
  if (fastifyError.validation)
    return new ScimError(400, fastifyError.message ?? 'Invalid request.', 'invalidValue')
  const status = fastifyError.statusCode
  if (status && status >= 400 && status < 500)
    return new ScimError(status, fastifyError.message ?? 'Bad request.')
  return new ScimError(500, 'An unexpected error occurred; it has been logged.')
}

export function sendScimError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const scimError = toScimError(error)
  if (scimError.status >= 500) request.log.error({ err: error }, 'SCIM request failed')
  request.scimFailure = scimError.scimType ? `${scimError.scimType}: ${scimError.message}` : scimError.message
  if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="muster"')
  return reply
    .code(scimError.status)
    .type(SCIM_CONTENT_TYPE)
    .send(toErrorBody(scimError.status, scimError.message, scimError.scimType))
}

const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Answers 405 with an Allow header for the methods a SCIM path does not support. The method is refused
 * in onRequest, before the body is read: a POST to /Schemas is 405 whatever its body, never a 400 for a
 * body that is not JSON (rfc9110#section-15.5.6).
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const others = METHODS.filter((m) => !allowed.includes(m))
  if (others.length === 0) return
  const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', allowed.join(', '))
    throw new ScimError(
      405,
      `${request.method} is not supported on this endpoint; use ${allowed.join(', ')}.`,
    )
  }
  app.route({ method: others as HTTPMethods[], url, onRequest: refuse, handler: refuse })
}
