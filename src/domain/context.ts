// Who asks for a change, and the request it is journaled under. Every write to users, projects and
// memberships runs through src/domain with one of these, whatever its source: SCIM, the console and
// admin API, or single sign-on.
import type { Store } from '../store/database.js'
import type { ProjectRole } from '../store/schema.js'

export type Actor =
  /** An identity provider over SCIM, with one of the platform's API keys. */
  | { readonly kind: 'scim'; readonly apiKeyId: string }
  /** A platform admin in the console or through the admin API. */
  | { readonly kind: 'console'; readonly userId: string }
  /** Single sign-on, creating a user at their first sign-in. */
  | { readonly kind: 'sso' }

/** The request a change is journaled under (the provisioning log's request columns). */
export interface RequestInfo {
  readonly id: string
  readonly method: string
  /** Path without the query string. */
  readonly path: string
  /** The status the request is answered with once the change commits. */
  readonly status: number
  /** Time since the request arrived, read when the journal row is written. */
  elapsedMs(): number
  /** The client's address (console and admin API), for the audit trail. */
  readonly ip?: string | undefined
}

export interface WriteContext {
  readonly store: Store
  readonly platformId: string
  readonly actor: Actor
  readonly request: RequestInfo
  /** The client's If-Match, checked against the row once it is locked (rfc7644#section-3.14). */
  readonly ifMatch?: string | undefined
  /** SCIM_DEFAULT_PROJECT_ROLE: new members' role when neither the group nor the platform sets one. */
  readonly defaultProjectRole: ProjectRole
}
