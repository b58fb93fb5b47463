// The one Database interface both dialects share. Timestamps are ISO-8601 UTC strings on both
// dialects so that they compare, sort and read back identically. JSON columns are `text` on SQLite
// and `jsonb` on PostgreSQL; `store/json.ts` hides the difference.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

export type PlatformRole = 'ADMIN' | 'OPERATOR' | 'MEMBER'
export type ProjectRole = 'Admin' | 'Editor' | 'Viewer'
export type UserStatus = 'ACTIVE' | 'INACTIVE'

/** A JSON document: parsed object on PostgreSQL (jsonb), text on SQLite. */
export type JsonColumn = ColumnType<unknown, string, string>

export interface PlatformTable {
  id: string
  name: string
  /** Overrides SCIM_DEFAULT_PROJECT_ROLE for this platform's SCIM group members. */
  default_project_role: ProjectRole | null
  created_at: string
  updated_at: string
}

export interface UserTable {
  id: string
  platform_id: string
  /** SCIM userName, stored verbatim. */
  email: string
  /** Normalised (lower-cased) email: the unique key and the lookup key. */
  email_key: string
  external_id: string | null
  display_name: string | null
  first_name: string | null
  last_name: string | null
  platform_role: PlatformRole
  status: UserStatus
  /** Console password (scrypt), never a SCIM-sent password. */
  password_hash: string | null
  /** The SCIM resource as written (canonical attribute names; no id, meta, groups or password). */
  resource: JsonColumn
  version: number
  created_at: string
  updated_at: string
}

export interface ProjectTable {
  id: string
  platform_id: string
  display_name: string
  display_key: string
  external_id: string | null
  /** Role given to SCIM members of this project; null → platform default. */
  project_role: ProjectRole | null
  /** Group attributes beyond the mapped columns (as written). */
  resource: JsonColumn
  version: number
  created_at: string
  updated_at: string
}

export interface ProjectMemberTable {
  project_id: string
  user_id: string
  platform_id: string
  role: ProjectRole
  /** 1: an admin set this role by hand; 0: the project's role or the platform default applies. */
  role_explicit: Generated<number>
  created_at: string
}

/** How a user came to exist when not over SCIM (no row: SCIM). */
export interface UserSourceTable {
  user_id: string
  source: 'sso' | 'local'
}

export interface ApiKeyTable {
  id: string
  platform_id: string
  name: string
  /** Hex SHA-256 of the secret. */
  hash: string
  /** Last characters of the secret, for display. */
  truncated: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
  /** User-Agent of the request that last wrote last_used_at (which client uses the key). */
  last_user_agent: string | null
}

export interface EventTable {
  id: Generated<number>
  platform_id: string
  created_at: string
  request_id: string | null
  api_key_id: string | null
  /** 'scim', 'console' or 'sso'. */
  actor_type: string
  /** The admin who made a console change. */
  actor_user_id: string | null
  method: string
  path: string
  status: number
  resource_type: string | null
  resource_id: string | null
  /** What changed: attribute names with old → new values (never a password) and member ids (src/domain/journal.ts). */
  changes: JsonColumn | null
  error: string | null
  duration_ms: number
  /** The user's userName or the group's displayName when the event was written. */
  resource_name: string | null
}

/** A logged SCIM write's bodies, redacted (src/http/scim/bodies.ts); pruned after a few hours/days. */
export interface EventBodyTable {
  id: Generated<number>
  platform_id: string
  request_id: string
  created_at: string
  request_body: string | null
  response_body: string | null
}

/** What an admin did in the console or through the admin API. */
export interface AuditLogTable {
  id: Generated<number>
  platform_id: string
  created_at: string
  actor_user_id: string | null
  /** Kept beside the id: the trail still names an admin who was deleted since. */
  actor_email: string | null
  /** Who acted without an account: "command line (user@host)" (migration 012). */
  actor_label: string | null
  /** A stable action code, e.g. 'api_key.created' (src/domain/audit.ts). */
  action: string
  target_type: string | null
  target_id: string | null
  target_name: string | null
  /** What changed, as { field: { from, to } } or other facts; never a secret. */
  details: JsonColumn | null
  /** The address the request came from. */
  ip: string | null
  request_id: string | null
}

export interface SessionTable {
  /** Hex SHA-256 of the session token; the token itself lives only in the cookie. */
  id: string
  user_id: string
  platform_id: string
  created_at: string
  expires_at: string
  last_seen_at: string
  /** Set when a role change or deactivation ended the session; it then only says why. */
  ended_at: string | null
  ended_reason: SessionEndReason | null
  /** The platform role the user was given, for 'role_changed'. */
  ended_role: PlatformRole | null
  /** Who made the change: 'scim' (the identity provider), 'console' (an admin) or 'sso'. */
  ended_by: string | null
}

export type SessionEndReason = 'role_changed' | 'deactivated' | 'deleted'

/** Why the sessions of a deleted user ended, kept a day after the user and the sessions are gone. */
export interface EndedSessionTable {
  /** The session's id (hex SHA-256 of its token). */
  id: string
  platform_id: string
  ended_at: string
  ended_reason: SessionEndReason
  ended_role: PlatformRole | null
  ended_by: string | null
  expires_at: string
}

export interface SetupTokenTable {
  /** Hex SHA-256 of the one-time token. */
  hash: string
  platform_id: string
  email: string | null
  created_at: string
  expires_at: string
  used_at: string | null
}

/** 0 or 1: both dialects store SSO switches as integers. */
export type Flag = 0 | 1

export interface SsoSettingsTable {
  platform_id: string
  saml_entity_id: string | null
  saml_sso_url: string | null
  /** The IdP's signing certificates (base64 DER, as in metadata): all are trusted, for rollover. */
  saml_certificates: JsonColumn | null
  saml_metadata_url: string | null
  saml_updated_at: string | null
  oidc_issuer: string | null
  oidc_client_id: string | null
  /** Sealed by the secret box (crypto/secret-box.ts), never the secret itself. */
  oidc_client_secret: string | null
  oidc_updated_at: string | null
  require_sso: ColumnType<Flag, Flag | undefined, Flag>
  create_users: ColumnType<Flag, Flag | undefined, Flag>
  allow_idp_initiated: ColumnType<Flag, Flag | undefined, Flag>
  updated_at: string
}

export interface SsoDomainTable {
  /** Lower-cased; the primary key, so one domain belongs to one platform. */
  domain: string
  platform_id: string
  created_at: string
}

export type SsoProtocol = 'saml' | 'oidc'

export interface SsoRequestTable {
  /** The AuthnRequest ID (SAML) or the `state` (OIDC). */
  id: string
  platform_id: string
  protocol: SsoProtocol
  /** Same-origin path to land on after sign-in. */
  next: string | null
  /** 1: started by "Test sign-in"; no session is created. */
  test: ColumnType<Flag, Flag | undefined, Flag>
  nonce: string | null
  code_verifier: string | null
  created_at: string
  used_at: string | null
}

export interface SsoAssertionTable {
  platform_id: string
  id: string
  expires_at: string
}

export interface SsoTestResultTable {
  id: string
  platform_id: string
  created_at: string
  result: JsonColumn
}

export type SignInMethod = 'password' | 'saml' | 'oidc'

export interface SignInEventTable {
  id: Generated<number>
  platform_id: string | null
  created_at: string
  method: SignInMethod
  /** The email or NameID presented; never a token, assertion or password. */
  subject: string | null
  user_id: string | null
  outcome: 'accepted' | 'refused'
  /** Stable refusal code (sso/refusals.ts); null when accepted. */
  reason: string | null
  message: string
  test: ColumnType<Flag, Flag | undefined, Flag>
  request_id: string | null
}

export type StreamMethod = 'push' | 'poll'
export type StreamStatus = 'enabled' | 'paused' | 'failed'
export type OutboxState = 'pending' | 'delivered' | 'refused'

/** A platform's event stream (EVENTS.md): where its SETs go, and how delivery is going. */
export interface EventStreamTable {
  id: string
  platform_id: string
  audience: string
  method: StreamMethod
  url: string | null
  /** JSON array of the event URIs asked for; null: every event. */
  event_types: string | null
  /** The operations of those URIs as ",create,patch,"; null: every operation. */
  event_ops: string | null
  status: StreamStatus
  created_at: string
  updated_at: string
  failing_since: string | null
  retry_at: string | null
  failures: Generated<number>
  last_error: string | null
  last_delivered_at: string | null
  lease_owner: string | null
  lease_until: string | null
}

/** A SET owed to one stream: written with the change it describes, signed when delivered. */
export interface EventOutboxTable {
  id: Generated<number>
  stream_id: string
  platform_id: string
  txn: string
  created_at: string
  resource_type: string
  resource_id: string
  /** The change as JSON text (src/events/change.ts). */
  payload: string
  state: OutboxState
  attempts: Generated<number>
  last_attempt_at: string | null
  last_status: number | null
  last_error: string | null
  delivered_at: string | null
  kid: string | null
}

/** A key that signs SETs; its private half sealed with the secret box. */
export interface EventKeyTable {
  kid: string
  alg: string
  public_jwk: string
  private_sealed: string
  created_at: string
  activates_at: string
  removed_at: string | null
}

export interface Database {
  platforms: PlatformTable
  users: UserTable
  projects: ProjectTable
  project_members: ProjectMemberTable
  user_sources: UserSourceTable
  api_keys: ApiKeyTable
  events: EventTable
  event_bodies: EventBodyTable
  audit_log: AuditLogTable
  sessions: SessionTable
  ended_sessions: EndedSessionTable
  setup_tokens: SetupTokenTable
  sso_settings: SsoSettingsTable
  sso_domains: SsoDomainTable
  sso_requests: SsoRequestTable
  sso_assertions: SsoAssertionTable
  sso_test_results: SsoTestResultTable
  sign_in_events: SignInEventTable
  event_streams: EventStreamTable
  event_outbox: EventOutboxTable
  event_keys: EventKeyTable
}

export type Platform = Selectable<PlatformTable>
export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
export type ProjectRow = Selectable<ProjectTable>
/** The columns a user's SCIM view is made of (the resource holds the rest). */
export type UserResourceRow = Pick<
  UserRow,
  'id' | 'platform_role' | 'status' | 'resource' | 'version' | 'created_at' | 'updated_at'
>
/** The columns a group's SCIM view is made of (the resource holds the rest). */
export type GroupResourceRow = Pick<ProjectRow, 'id' | 'resource' | 'version' | 'created_at' | 'updated_at'>
export type ApiKeyRow = Selectable<ApiKeyTable>
export type EventRow = Selectable<EventTable>
export type EventStreamRow = Selectable<EventStreamTable>
export type OutboxRow = Selectable<EventOutboxTable>
export type EventKeyRow = Selectable<EventKeyTable>
