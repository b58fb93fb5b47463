// A committed change as the outbox keeps it: what happened to which resource, the resource as it is
// afterwards (for `:full` events), the attribute names (for `:notice` events), the members added
// and removed, and the effective roles the change leaves (see roles.ts). Pure: the facts that need
// a query (other users' roles) are read by outbox.ts and passed in.
import type { Change } from '../domain/change.js'
import type {
  GroupResourceRow,
  PlatformRole,
  ProjectRole,
  ProjectRow,
  UserResourceRow,
  UserRow,
  UserStatus,
} from '../store/schema.js'
import { effectiveRole, everyProjectRole } from './roles.js'
import type { EventOp } from './uris.js'

/**
 * The columns of a user that its SET renders (`toUserResource`): never the console password hash,
 * and not the columns that repeat what the resource holds (userName, names, externalId), which
 * would make every outbox row larger (bench/REPORT.md, Events out).
 */
export type UserSnapshot = UserResourceRow
/** The same for a group (`toGroupResource`). */
export type GroupSnapshot = GroupResourceRow

export interface RoleOf {
  readonly value: string
  readonly role: ProjectRole | null
}

export interface EffectiveRoles {
  /** Users: the role this user holds in every project of the platform (ADMIN, OPERATOR), or null. */
  readonly everyProject?: ProjectRole | null
  /** Users: their effective role in each project they are a member of, when it may have changed. */
  readonly projects?: readonly RoleOf[]
  /** Groups: the role every member of the group now holds, except those listed in `members`. */
  readonly allMembers?: ProjectRole
  /** Groups: members whose effective role in this group this change set (added, removed, changed). */
  readonly members?: readonly RoleOf[]
}

export interface EventRecord {
  readonly type: 'User' | 'Group' | 'Stream'
  /** A test event asked for in the console: an SSF verification event with this state. */
  readonly test?: { readonly state: string }
  readonly id: string
  readonly externalId?: string
  /** The main operation first, then activate/deactivate when `active` changed. */
  readonly ops: readonly EventOp[]
  /** Attribute names created or changed (rfc9967#section-2.2 "attributes"). */
  readonly attributes: readonly string[]
  /** The resource afterwards; absent for delete. */
  readonly user?: UserSnapshot
  readonly group?: GroupSnapshot
  readonly membersAdded?: readonly string[]
  readonly membersRemoved?: readonly string[]
  readonly effectiveRoles?: EffectiveRoles
}

export interface UserState {
  readonly platform_role: PlatformRole
  readonly status: UserStatus
}

/** What outbox.ts read for the record (see needs()). */
export interface Facts {
  /** The user's memberships (project id → project role), for a user whose floor changed. */
  readonly memberships?: readonly { project_id: string; role: ProjectRole }[]
  /** Platform role and status of the members a group change names. */
  readonly users?: ReadonlyMap<string, UserState>
  /** Group members whose effective role differs from their project role (not MEMBER, or INACTIVE). */
  readonly exceptions?: readonly ({ user_id: string; role: ProjectRole } & UserState)[]
}

/** Which facts a change needs, so outbox.ts queries only for those. */
export function needs(change: Change): {
  memberships?: string
  users?: readonly string[]
  exceptions?: string
} {
  if (change.type === 'User') {
    if (change.op === 'create' || change.op === 'delete') return {}
    return floorChanged(change.before, change.after) ? { memberships: change.after.id } : {}
  }
  if (change.type === 'Member') return { users: [change.userId] }
  if (change.op === 'delete') return {}
  const added = change.added
  const removed = change.op === 'create' ? [] : change.removed
  const ids = [...added, ...removed]
  const out: { users?: readonly string[]; exceptions?: string } = ids.length ? { users: ids } : {}
  return change.op !== 'create' && change.allMembersRole ? { ...out, exceptions: change.after.id } : out
}

function floorChanged(before: UserState, after: UserState): boolean {
  return (
    everyProjectRole(before.platform_role, before.status) !==
    everyProjectRole(after.platform_role, after.status)
  )
}

/** The record of a change, or undefined when the change changed nothing a receiver could see. */
export function toRecord(change: Change, facts: Facts = {}): EventRecord | undefined {
  switch (change.type) {
    case 'User':
      return userRecord(change, facts)
    case 'Group':
      return groupRecord(change, facts)
    case 'Member': {
      if (change.before === change.after) return undefined
      const user = facts.users?.get(change.userId)
      const role = user ? effectiveRole(change.after, user.platform_role, user.status) : change.after
      return {
        ...groupHead(change.project),
        ops: ['patch'],
        attributes: ['members'],
        group: groupSnapshot(change.project),
        effectiveRoles: { members: [{ value: change.userId, role }] },
      }
    }
    default:
      return change satisfies never
  }
}

function userRecord(change: Extract<Change, { type: 'User' }>, facts: Facts): EventRecord | undefined {
  if (change.op === 'delete') return { ...userHead(change.before), ops: ['delete'], attributes: [] }
  const after = userSnapshot(change.after)
  const everyProject = everyProjectRole(after.platform_role, after.status)
  if (change.op === 'create') {
    const ops: EventOp[] = ['create']
    return {
      ...userHead(change.after),
      ops,
      attributes: Object.keys(after.resource as object).filter((k) => k !== 'schemas'),
      user: after,
      effectiveRoles: { everyProject, projects: [] },
    }
  }
  if (change.changed.length === 0 && change.before.version === change.after.version) return undefined
  const ops: EventOp[] = [change.op === 'replace' ? 'put' : 'patch']
  if (change.before.status !== after.status) ops.push(after.status === 'ACTIVE' ? 'activate' : 'deactivate')
  const projects = facts.memberships?.map((m) => ({
    value: m.project_id,
    role: effectiveRole(m.role, after.platform_role, after.status),
  }))
  return {
    ...userHead(change.after),
    ops,
    attributes: change.changed,
    user: after,
    effectiveRoles: projects ? { everyProject, projects } : { everyProject },
  }
}

function groupRecord(change: Extract<Change, { type: 'Group' }>, facts: Facts): EventRecord | undefined {
  if (change.op === 'delete') return { ...groupHead(change.before), ops: ['delete'], attributes: [] }
  const removed = change.op === 'create' ? [] : change.removed
  const changed = change.op === 'create' ? [] : change.changed
  if (
    change.op !== 'create' &&
    changed.length === 0 &&
    change.added.length === 0 &&
    removed.length === 0 &&
    !change.allMembersRole
  )
    return undefined
  const memberRole = change.memberRole ?? null
  const members: RoleOf[] = []
  for (const id of change.added) members.push({ value: id, role: roleFor(facts, id, memberRole) })
  for (const id of removed) members.push({ value: id, role: roleFor(facts, id, null) })
  const allMembers = change.op === 'create' ? undefined : change.allMembersRole
  if (allMembers) {
    const listed = new Set(members.map((m) => m.value))
    for (const e of facts.exceptions ?? []) {
      if (listed.has(e.user_id)) continue
      const role = effectiveRole(e.role, e.platform_role, e.status)
      if (role !== allMembers) members.push({ value: e.user_id, role })
    }
  }
  const attributes = [...changed, ...(change.added.length || removed.length ? ['members'] : [])]
  return {
    ...groupHead(change.after),
    ops: [change.op === 'create' ? 'create' : change.op === 'replace' ? 'put' : 'patch'],
    attributes: change.op === 'create' ? groupAttributes(change.after, change.added.length > 0) : attributes,
    group: groupSnapshot(change.after),
    ...(change.added.length ? { membersAdded: change.added } : {}),
    ...(removed.length ? { membersRemoved: removed } : {}),
    ...(members.length || allMembers
      ? { effectiveRoles: { ...(allMembers ? { allMembers } : {}), members } }
      : {}),
  }
}

/** A member's effective role with `memberRole` in this group (null: removed from it). */
function roleFor(facts: Facts, id: string, memberRole: ProjectRole | null): ProjectRole | null {
  const user = facts.users?.get(id)
  if (!user) return memberRole
  return effectiveRole(memberRole, user.platform_role, user.status)
}

function groupAttributes(row: ProjectRow, withMembers: boolean): string[] {
  const names = Object.keys(row.resource as object).filter((k) => k !== 'schemas')
  return withMembers ? [...names, 'members'] : names
}

function userSnapshot(row: UserRow): UserSnapshot {
  const { id, platform_role, status, resource, version, created_at, updated_at } = row
  return { id, platform_role, status, resource, version, created_at, updated_at }
}

function groupSnapshot(row: ProjectRow): GroupSnapshot {
  const { id, resource, version, created_at, updated_at } = row
  return { id, resource, version, created_at, updated_at }
}

function userHead(row: Pick<UserRow, 'id' | 'external_id'>) {
  return { type: 'User' as const, id: row.id, ...(row.external_id ? { externalId: row.external_id } : {}) }
}

function groupHead(row: Pick<ProjectRow, 'id' | 'external_id'>) {
  return { type: 'Group' as const, id: row.id, ...(row.external_id ? { externalId: row.external_id } : {}) }
}
