// What a stored user reads as, beyond the resource as written (https://www.rfc-editor.org/rfc/rfc7643#section-3.1).
// The stored resource keeps what the client sent; a read adds what the server knows and the client
// did not say, so that every read of a user tells its whole state.

import { isObject, type JsonObject } from './json.js'
import { CUSTOM_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './schemas/index.js'
import type { ScimResource } from './schemas/types.js'

export interface UserFacts {
  /** The role the user has: the stored platformRole, or MEMBER when none was sent. */
  readonly platformRole: string
  /** The absolute SCIM base URL, for references. */
  readonly base: string
}

/** The stored resource as it reads: its platform role always present, its manager with `$ref`. */
export function userView(stored: ScimResource, facts: UserFacts): ScimResource {
  return withManagerRef(withPlatformRole(stored, facts.platformRole), facts.base)
}

/**
 * A user created without the extension is a MEMBER (the Activepieces guide: "By default the platform
 * role will be set to Member"), and a read says so: the extension carries `platformRole` and its URN is
 * in `schemas` (RFC 7643 §3: `schemas` lists the schemas the resource uses). An IdP that compares what
 * it reads with its own mapping sees the same value on every read, so the default never looks like a
 * change to it.
 */
function withPlatformRole(stored: ScimResource, platformRole: string): ScimResource {
  const extension = stored[CUSTOM_USER_SCHEMA]
  if (isObject(extension) && extension.platformRole === platformRole) return stored
  const schemas = Array.isArray(stored.schemas) ? (stored.schemas as string[]) : []
  return {
    ...stored,
    schemas: schemas.includes(CUSTOM_USER_SCHEMA) ? schemas : [...schemas, CUSTOM_USER_SCHEMA],
    [CUSTOM_USER_SCHEMA]: { ...(isObject(extension) ? (extension as JsonObject) : {}), platformRole },
  }
}

/**
 * `manager.$ref` is returned by default (RFC 7643 §4.3, and so in /Schemas), but the manager is stored
 * as `{"value": id}` only (see managerFromEntra). The reference is the manager's location,
 * `<base>/Users/<id>`, derived on every read so it follows PUBLIC_URL. `value` stays as Entra needs it.
 */
function withManagerRef(resource: ScimResource, base: string): ScimResource {
  const enterprise = resource[ENTERPRISE_USER_SCHEMA]
  if (!isObject(enterprise) || !isObject(enterprise.manager)) return resource
  const { manager } = enterprise
  if (typeof manager.value !== 'string') return resource
  return {
    ...resource,
    [ENTERPRISE_USER_SCHEMA]: {
      ...enterprise,
      manager: { value: manager.value, $ref: `${base}/Users/${encodeURIComponent(manager.value)}` },
    },
  }
}
