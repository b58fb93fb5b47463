// Small readers of SCIM requests shared by the route modules.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'

export const SCIM_BASE = '/api/v1/scim/v2'

/** Absolute base of the SCIM API, for meta.location: PUBLIC_URL when set, else the request's host. */
export function baseUrl(request: FastifyRequest, config: Config): string {
  const origin = config.PUBLIC_URL ?? `${request.protocol}://${request.host}`
  return origin + SCIM_BASE
}

/** Query parameters with lower-cased names: SCIM parameter names are case-insensitive. */
export function scimQuery(request: FastifyRequest): Record<string, string | undefined> {
  const query = request.query as Record<string, string | string[] | undefined>
  const out: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(query)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value[0] : value
  }
  return out
}
