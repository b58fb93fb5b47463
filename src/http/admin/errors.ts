// Admin API errors are plain JSON: { error, message, fields? }. Input errors name each bad field so
// the console can show the message next to it.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { ScimError } from '../../scim/errors.js'

export class InputError extends Error {
  override name = 'InputError'
  constructor(
    readonly fields: Readonly<Record<string, string>>,
    message = 'Some fields are invalid.',
  ) {
    super(message)
  }
}

export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} was not found.`)

/** Parses input with a zod schema, or throws an InputError naming each failing field once. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  const fields: Record<string, string> = {}
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.') || '_'
    fields[key] ??= issue.message
  }
  throw new InputError(fields)
}

export function sendAdminError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof InputError) {
    return reply.code(400).send({ error: 'invalid_input', message: error.message, fields: error.fields })
  }
  if (error instanceof HttpError) {
    return reply.code(error.statusCode).send({ error: error.code, message: error.message })
  }
  // Refusals of the shared write path (src/domain): not found, a changed version, the last admin.
  if (error instanceof ScimError && error.status < 500) {
    const code = error.status === 404 ? 'not_found' : error.status === 412 ? 'version_changed' : 'refused'
    return reply.code(error.status).send({ error: code, message: error.message })
  }
  const status = (error as FastifyError).statusCode
  // Fastify's own client errors: malformed JSON, unsupported content type, body too large.
  if (status && status >= 400 && status < 500) {
    return reply
      .code(status)
      .send({ error: (error as FastifyError).code ?? 'bad_request', message: error.message })
  }
  request.log.error({ err: error }, 'admin API error')
  return reply.code(500).send({ error: 'internal', message: 'Something went wrong. Try again.' })
}
