// Small readers of SCIM requests shared by the route modules.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { SCIM_BASE } from '../../scim/base-path.js'
import { type ProjectionOptions, parseAttributeList } from '../../scim/project.js'

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

/**
 * `attributes` / `excludedAttributes` of the query string (rfc7644#section-3.9). Read before any write,
 * so that a request refused for them (see parseAttributeList) changes nothing.
 */
export function projectionOf(request: FastifyRequest): ProjectionOptions {
  const params = scimQuery(request)
  return {
    attributes: parseAttributeList(params.attributes, 'attributes'),
    excludedAttributes: parseAttributeList(params.excludedattributes, 'excludedAttributes'),
  }
}
