// "Create users on first sign-in" (SSO.md): an unknown person whose email is in a domain the
// platform claims becomes an ACTIVE MEMBER. This is the only place SSO writes a user: one call that
// inserts the user and records its provisioning event, inside the caller's transaction, so the
// shared write path of ARCHITECTURE.md §14 can take it over at this one call site.
import type { Transaction } from 'kysely'
import { attributeNames } from '../scim/diff.js'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../scim/schemas/index.js'
import { recordEvent } from '../store/events.js'
import type { Database, UserRow } from '../store/schema.js'
import { insertUser } from '../store/users.js'
import type { Identity } from './identity.js'

export async function createUserOnFirstSignIn(
  trx: Transaction<Database>,
  platformId: string,
  identity: Identity & { readonly email: string },
  { method, path, requestId }: { method: 'saml' | 'oidc'; path: string; requestId?: string | undefined },
): Promise<UserRow> {
  const name =
    identity.firstName || identity.lastName
      ? {
          ...(identity.firstName ? { givenName: identity.firstName } : {}),
          ...(identity.lastName ? { familyName: identity.lastName } : {}),
        }
      : undefined
  const resource = {
    schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
    userName: identity.email,
    ...(name ? { name } : {}),
    ...(identity.displayName ? { displayName: identity.displayName } : {}),
    emails: [{ value: identity.email, type: 'work', primary: true }],
    active: true,
    [CUSTOM_USER_SCHEMA]: { platformRole: 'MEMBER' },
  }
  const user = await insertUser(trx, platformId, resource)
  await recordEvent(trx, {
    platformId,
    requestId,
    method: 'POST',
    path,
    status: 201,
    resourceType: 'User',
    resourceId: user.id,
    changes: { attributes: attributeNames(resource), source: `${method} first sign-in` },
    durationMs: 0,
  })
  return user
}
