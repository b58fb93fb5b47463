// The audit trail's vocabulary (issue 13): stable action codes with a label for people, the rows a
// console change to users, projects and memberships writes (called by journal() in the change's own
// transaction), and the one way details read as "Field: old → new".
import { hostname, userInfo } from 'node:os'
import type { Kysely } from 'kysely'
import { recordAudit } from '../store/audit.js'
import type { Database } from '../store/schema.js'
import type { Change } from './change.js'
import type { WriteContext } from './context.js'

/** Action codes are stored: never rename one; add a new code instead. */
export const AUDIT_ACTIONS = {
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'user.created': 'User created',
  'user.role_changed': 'Platform role changed',
  'user.deactivated': 'User deactivated',
  'user.reactivated': 'User reactivated',
  'user.updated': 'User changed',
  'user.deleted': 'User deleted',
  'project.created': 'Project created',
  'project.role_changed': 'Project role changed',
  'project.updated': 'Project changed',
  'project.deleted': 'Project deleted',
  'member.role_changed': 'Member role changed',
  'settings.changed': 'Settings changed',
  'sso.saml_changed': 'SAML set up',
  'sso.saml_removed': 'SAML removed',
  'sso.oidc_changed': 'OpenID Connect set up',
  'sso.oidc_removed': 'OpenID Connect removed',
  'sso.domains_changed': 'SSO domains changed',
  'sso.settings_changed': 'SSO settings changed',
  'stream.created': 'Event stream created',
  'stream.paused': 'Event stream paused',
  'stream.resumed': 'Event stream resumed',
  'stream.deleted': 'Event stream deleted',
  'stream.redelivered': 'Event stream redelivery',
  'stream.test_sent': 'Event stream test sent',
  'platform.created': 'Platform created',
  'setup_link.created': 'Admin setup link created',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

export const actionLabel = (code: string): string => AUDIT_ACTIONS[code as AuditAction] ?? code

/**
 * Who acts: an admin signed in to the console (or calling the admin API with its session), or
 * someone at the server's command line, named by their operating-system account and the host.
 */
export type AuditActor =
  | { readonly kind: 'console'; readonly userId: string }
  | { readonly kind: 'cli'; readonly who: string }

/** Who asks, from where: the audit columns every row of one request or command shares. */
export interface AuditBy {
  readonly platformId: string
  readonly actor: AuditActor
  readonly ip?: string | undefined
  readonly requestId?: string | undefined
}

/** A `muster …` command acting on a platform: "command line (user@host)". */
export function cliBy(platformId: string): AuditBy {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // No passwd entry for this uid (some containers): the host still says where.
  }
  return { platformId, actor: { kind: 'cli', who: `${user}@${hostname()}` } }
}

export interface AuditFact {
  readonly action: AuditAction
  readonly target?: { readonly type: string; readonly id: string; readonly name?: string | null }
  readonly details?: Record<string, unknown>
}

/** Writes one audit row; call it with the transaction of the change it records. */
export function audit(trx: Kysely<Database>, by: AuditBy, fact: AuditFact): Promise<void> {
  return recordAudit(trx, {
    platformId: by.platformId,
    actor:
      by.actor.kind === 'console' ? { userId: by.actor.userId } : { label: `command line (${by.actor.who})` },
    action: fact.action,
    targetType: fact.target?.type,
    targetId: fact.target?.id,
    targetName: fact.target?.name ?? undefined,
    details: fact.details,
    ip: by.ip,
    requestId: by.requestId,
  })
}

/** { from, to } when the values differ, for details. */
export function fromTo<T>(from: T, to: T): { from: T; to: T } | undefined {
  return JSON.stringify(from) === JSON.stringify(to) ? undefined : { from, to }
}

/** Details without the fields that did not change. */
export function changes(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

/** A console write to a user, project or membership (journal() calls it for console actors only). */
export async function auditChange(trx: Kysely<Database>, ctx: WriteContext, change: Change): Promise<void> {
  const by = consoleAdmin(ctx)
  const fact = by && (await factOf(trx, change))
  if (by && fact) await audit(trx, by, fact)
}

/** The admin behind a console write, or undefined for SCIM and single sign-on (not audited). */
export function consoleAdmin(ctx: WriteContext): AuditBy | undefined {
  if (ctx.actor.kind !== 'console') return undefined
  return {
    platformId: ctx.platformId,
    actor: { kind: 'console', userId: ctx.actor.userId },
    ip: ctx.request.ip,
    requestId: ctx.request.id,
  }
}

async function factOf(trx: Kysely<Database>, change: Change): Promise<AuditFact | undefined> {
  switch (change.op) {
    case 'create':
      return change.type === 'User'
        ? { action: 'user.created', target: user(change.after) }
        : { action: 'project.created', target: project(change.after) }
    case 'delete':
      return change.type === 'User'
        ? { action: 'user.deleted', target: user(change.before) }
        : { action: 'project.deleted', target: project(change.before) }
    case 'replace':
    case 'patch': {
      if (change.type === 'User') {
        const { before, after } = change
        if (change.changed.length === 0) return undefined
        const details = changes({
          platformRole: fromTo(before.platform_role, after.platform_role),
          active: fromTo(before.status === 'ACTIVE', after.status === 'ACTIVE'),
        })
        const action: AuditAction =
          before.status !== after.status
            ? after.status === 'ACTIVE'
              ? 'user.reactivated'
              : 'user.deactivated'
            : before.platform_role !== after.platform_role
              ? 'user.role_changed'
              : 'user.updated'
        return {
          action,
          target: user(after),
          details: action === 'user.updated' ? { attributes: change.changed } : details,
        }
      }
      const { before, after } = change
      // A default-role change rewrites members of every project that follows it; that is one
      // settings.changed row, written by the settings route, not one row per project.
      if (before.project_role !== after.project_role)
        return {
          action: 'project.role_changed',
          target: project(after),
          details: { projectRole: { from: before.project_role, to: after.project_role } },
        }
      if (change.changed.length === 0 && change.added.length === 0 && change.removed.length === 0)
        return undefined
      return {
        action: 'project.updated',
        target: project(after),
        details: changes({
          attributes: change.changed.length ? change.changed : undefined,
          membersAdded: change.added.length || undefined,
          membersRemoved: change.removed.length || undefined,
        }),
      }
    }
    case 'role': {
      const member = await trx
        .selectFrom('users')
        .select('email')
        .where('id', '=', change.userId)
        .executeTakeFirst()
      return {
        action: 'member.role_changed',
        target: project(change.project),
        details: { member: member?.email ?? change.userId, role: { from: change.before, to: change.after } },
      }
    }
    default:
      return change satisfies never
  }
}

const user = (row: { id: string; email: string }) => ({ type: 'user', id: row.id, name: row.email })
const project = (row: { id: string; display_name: string }) => ({
  type: 'project',
  id: row.id,
  name: row.display_name,
})

const FIELD_LABELS: Record<string, string> = {
  platformRole: 'Platform role',
  active: 'Active',
  projectRole: 'Project role',
  member: 'Member',
  role: 'Role',
  attributes: 'Attributes',
  membersAdded: 'Members added',
  membersRemoved: 'Members removed',
  defaultProjectRole: 'Default project role',
  name: 'Name',
  key: 'Key',
  entityId: 'IdP entity ID',
  ssoUrl: 'SSO URL',
  metadataUrl: 'Metadata URL',
  certificates: 'Certificates',
  issuer: 'Issuer',
  clientId: 'Client id',
  clientSecret: 'Client secret',
  domains: 'Domains',
  requireSso: 'Require SSO',
  createUsers: 'Create users at first sign-in',
  allowIdpInitiated: 'IdP-initiated sign-in',
  method: 'Method',
  url: 'URL',
  events: 'Events',
  audience: 'Audience',
  status: 'Status',
  from: 'From',
  count: 'Events queued',
}

const FIELD_ORDER = Object.keys(FIELD_LABELS)

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(none)'
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '(none)'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return String(value)
}

/** Details as lines for people: "Platform role: MEMBER → OPERATOR", "Member: ann@acme.test". */
export function describeDetails(details: Record<string, unknown> | null): string[] {
  if (!details) return []
  // In FIELD_LABELS' order, not the stored one: jsonb keeps keys in an order of its own.
  const rank = (field: string) => {
    const at = FIELD_ORDER.indexOf(field)
    return at === -1 ? FIELD_ORDER.length : at
  }
  const fields = Object.entries(details).sort(([a], [b]) => rank(a) - rank(b))
  return fields.map(([field, value]) => {
    const label = FIELD_LABELS[field] ?? field
    if (value && typeof value === 'object' && !Array.isArray(value) && 'from' in value && 'to' in value) {
      const { from, to } = value as { from: unknown; to: unknown }
      return `${label}: ${show(from)} → ${show(to)}`
    }
    return `${label}: ${show(value)}`
  })
}
