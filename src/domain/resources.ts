// The SCIM view of stored rows (rfc7643#section-3.1): a user's or a group's resource with its id and
// meta, as the SCIM API returns it and as events carry it (events/set.ts).
import type { ScimResource } from '../scim/schemas/types.js'
import { userView } from '../scim/user-view.js'
import { etag } from '../scim/version.js'
import type { GroupResourceRow, UserResourceRow } from '../store/schema.js'

/** The SCIM view of a stored user: its resource plus id, groups and meta (rfc7643#section-3.1). */
export function toUserResource(
  row: UserResourceRow,
  base: string,
  groups: readonly object[] | undefined,
): ScimResource {
  const { schemas, ...rest } = userView(row.resource as ScimResource, {
    platformRole: row.platform_role,
    base,
  })
  return {
    schemas,
    id: row.id,
    ...rest,
    // Always a JSON boolean (Entra relies on it), from the status, which the console can change too.
    active: row.status === 'ACTIVE',
    ...(groups && groups.length > 0 ? { groups } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${base}/Users/${row.id}`,
      version: etag(row.version),
    },
  }
}

/** The SCIM view of a stored project without its members (they are streamed separately). */
export function toGroupResource(row: GroupResourceRow, base: string): ScimResource {
  const { schemas, ...rest } = row.resource as ScimResource
  return {
    schemas,
    id: row.id,
    ...rest,
    meta: {
      resourceType: 'Group',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${base}/Groups/${row.id}`,
      version: etag(row.version),
    },
  }
}
