// "Create users on first sign-in" (SSO.md): an unknown person whose email is in a domain the
// platform claims becomes an ACTIVE MEMBER, through the shared write path (src/domain) with single
// sign-on as the actor, inside the sign-in's own transaction.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import { createUserIn } from '../domain/users.js'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../scim/schemas/index.js'
import type { Store } from '../store/database.js'
import type { Database, ProjectRole, UserRow } from '../store/schema.js'
import type { Identity } from './identity.js'

export async function createUserOnFirstSignIn(
  trx: Transaction<Database>,
  store: Store,
  platformId: string,
  identity: Identity & { readonly email: string },
  request: { path: string; requestId?: string | undefined; defaultProjectRole: ProjectRole },
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
  const started = Date.now()
  return createUserIn(
    trx,
    {
      store,
      platformId,
      actor: { kind: 'sso' },
      request: {
        id: request.requestId ?? randomUUID(),
        method: 'POST',
        path: request.path,
        status: 201,
        elapsedMs: () => Date.now() - started,
      },
      defaultProjectRole: request.defaultProjectRole,
    },
    resource,
  )
}
