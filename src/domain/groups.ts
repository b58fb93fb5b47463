// The write sequence for projects (SCIM Groups) and their memberships: lock → precondition →
// change → journal, in one transaction. Membership changes are set deltas on the membership table,
// applied in request order; an id that is not a user of the platform fails the whole request.
//
// Member roles, one rule: a member whose role an admin set by hand keeps it; every other member
// follows the project's role, else the platform default, else SCIM_DEFAULT_PROJECT_ROLE. Changing the
// project's role or the platform default changes those members, old and new alike.
import { isDeepStrictEqual } from 'node:util'
import type { Kysely } from 'kysely'
import { changedAttributes } from '../scim/diff.js'
import { invalidValue, notFound } from '../scim/errors.js'
import { applyPatch, type MemberOp, type PatchLimits } from '../scim/patch.js'
import { CUSTOM_GROUP_SCHEMA } from '../scim/schemas/index.js'
import type { ScimResource } from '../scim/schemas/types.js'
import { checkIfMatch } from '../scim/version.js'
import { rethrowUniqueness } from '../store/errors.js'
import {
  addMemberIfUser,
  addMembers,
  addOneMember,
  getMembership,
  type MemberState,
  type MemberTarget,
  removeAllMembers,
  removeMembers,
  replaceMembers,
  setMemberRole as setMemberRoleRow,
  setMemberRoles,
  unknownUsers,
} from '../store/members.js'
import { getPlatform, lockPlatform, setDefaultProjectRole } from '../store/platforms.js'
import {
  bumpProjectVersion,
  deleteProject,
  insertProject,
  lockProject,
  nextVersion,
  projectsFollowingDefault,
  updateProject,
} from '../store/projects.js'
import type { Database, ProjectRole, ProjectRow } from '../store/schema.js'
import { audit, consoleAdmin } from './audit.js'
import type { UpdateKind } from './change.js'
import type { WriteContext } from './context.js'
import { journal } from './journal.js'

/** A new group and its first members. */
export async function createGroup(
  ctx: WriteContext,
  resource: ScimResource,
  memberIds: readonly string[],
): Promise<ProjectRow> {
  return ctx.store.transaction(async (trx) => {
    const project = await insertProject(trx, ctx.platformId, resource).catch(
      rethrowUniqueness('group', 'displayName', resource.displayName),
    )
    const { added, memberRole } = await applyMemberOps(ctx, trx, project, [{ kind: 'add', ids: memberIds }])
    await journal(trx, ctx, { type: 'Group', op: 'create', after: project, added, memberRole })
    return project
  })
}

/**
 * PUT replaces the group's attributes. Members are replaced when the body lists them (`memberIds`);
 * when it omits them they are left as they are (RFC 7644 §3.5.1 lets an omitted readWrite attribute
 * be taken as "not asserted"), so a rename by PUT never empties a group by accident.
 */
export function replaceGroup(
  ctx: WriteContext,
  id: string,
  resource: ScimResource,
  memberIds: readonly string[] | undefined,
): Promise<ProjectRow> {
  const members: MemberOp[] = memberIds === undefined ? [] : [{ kind: 'replace', ids: memberIds }]
  return writeGroup(ctx, id, 'replace', (current) => ({
    resource,
    changed: changedAttributes(current.resource as ScimResource, resource),
    members,
  }))
}

/** PATCH: attribute operations on the resource, member operations as deltas; all or none. */
export function patchGroup(
  ctx: WriteContext,
  id: string,
  body: unknown,
  limits: PatchLimits,
): Promise<ProjectRow> {
  return writeGroup(ctx, id, 'patch', (current) =>
    applyPatch('Group', current.resource as ScimResource, body, limits),
  )
}

/** Deletes the project and its memberships; the users stay. */
export async function deleteGroup(ctx: WriteContext, id: string): Promise<void> {
  await ctx.store.transaction(async (trx) => {
    const row = (await lockProject(trx, ctx.platformId, id))?.project
    if (!row) throw groupNotFound(id)
    checkIfMatch(ctx.ifMatch, row.version)
    await deleteProject(trx, ctx.platformId, row.id)
    await journal(trx, ctx, { type: 'Group', op: 'delete', before: row })
  })
}

/**
 * One member's project role, set by an admin: it is then theirs and no longer follows the project's
 * role or the platform default. `null` makes the member follow them again. Returns false when the
 * user is not a member.
 */
export async function setMemberRole(
  ctx: WriteContext,
  projectId: string,
  userId: string,
  role: ProjectRole | null,
): Promise<boolean> {
  return ctx.store.transaction(async (trx) => {
    const locked = await lockProject(trx, ctx.platformId, projectId)
    if (!locked) return false
    const { project, platformRole } = locked
    const before = await getMembership(trx, project.id, userId)
    if (!before) return false
    const after = role ?? (await memberRole(ctx, trx, project, platformRole))
    if (before.role !== after || before.explicit !== (role !== null))
      await setMemberRoleRow(trx, project.id, userId, after, role !== null)
    await journal(trx, ctx, { type: 'Member', op: 'role', project, userId, before: before.role, after })
    return true
  })
}

/**
 * The project's own role for its members (the SCIM extension attribute `projectRole`), set in the
 * console; `null` removes it so the platform default applies. Written into the SCIM resource like
 * any change, so the IdP reads what the console set.
 */
export function setProjectRole(ctx: WriteContext, id: string, role: ProjectRole | null): Promise<ProjectRow> {
  return writeGroup(ctx, id, 'patch', (current) => {
    const resource = { ...(current.resource as ScimResource) }
    const { projectRole: _old, ...extension } = (resource[CUSTOM_GROUP_SCHEMA] ?? {}) as Record<
      string,
      unknown
    >
    const schemas = Array.isArray(resource.schemas) ? (resource.schemas as string[]) : []
    if (role) {
      resource[CUSTOM_GROUP_SCHEMA] = { ...extension, projectRole: role }
      if (!schemas.includes(CUSTOM_GROUP_SCHEMA)) resource.schemas = [...schemas, CUSTOM_GROUP_SCHEMA]
    } else if (Object.keys(extension).length > 0) resource[CUSTOM_GROUP_SCHEMA] = extension
    else {
      delete resource[CUSTOM_GROUP_SCHEMA]
      resource.schemas = schemas.filter((s) => s !== CUSTOM_GROUP_SCHEMA)
    }
    return { resource, changed: changedAttributes(current.resource as ScimResource, resource), members: [] }
  })
}

/**
 * The platform's default member role (null: SCIM_DEFAULT_PROJECT_ROLE). Members who follow it (of
 * projects without a role of their own, role not set by hand) take the new role in the same
 * transaction, journaled once per project whose members changed.
 */
export async function setPlatformDefaultRole(ctx: WriteContext, role: ProjectRole | null): Promise<void> {
  await ctx.store.transaction(async (trx) => {
    await lockPlatform(trx, ctx.platformId)
    const platform = await getPlatform(trx, ctx.platformId)
    const before = platform?.default_project_role ?? null
    await setDefaultProjectRole(trx, ctx.platformId, role)
    const admin = consoleAdmin(ctx)
    if (admin && before !== role)
      await audit(trx, admin, {
        action: 'settings.changed',
        target: { type: 'platform', id: ctx.platformId, name: platform?.name },
        details: { defaultProjectRole: { from: before, to: role } },
      })
    const applied = role ?? ctx.defaultProjectRole
    for (const project of await projectsFollowingDefault(trx, ctx.platformId, applied)) {
      await setMemberRoles(trx, project.id, applied)
      await journal(trx, ctx, {
        type: 'Group',
        op: 'patch',
        before: project,
        after: project,
        changed: [],
        added: [],
        removed: [],
        allMembersRole: applied,
      })
    }
  })
}

interface GroupChange {
  readonly resource: ScimResource
  readonly changed: readonly string[]
  readonly members: readonly MemberOp[]
}

/**
 * Locks the project row, computes the change, writes the resource (when it changed) and the member
 * deltas, bumps the version once, and journals it: one transaction. Concurrent PATCHes to one group
 * queue on the row lock (PostgreSQL) or the write lock (SQLite), so none is lost.
 */
async function writeGroup(
  ctx: WriteContext,
  id: string,
  op: UpdateKind,
  change: (current: ProjectRow) => GroupChange,
): Promise<ProjectRow> {
  return ctx.store.transaction(async (trx) => {
    const locked = await lockProject(trx, ctx.platformId, id)
    if (!locked) throw groupNotFound(id)
    const { project: current, platformRole } = locked
    checkIfMatch(ctx.ifMatch, current.version)
    const { resource, changed, members } = change(current)
    if (typeof resource.displayName !== 'string' || resource.displayName.trim() === '') {
      throw invalidValue('Attribute "displayName" is required and cannot be empty.')
    }
    const resourceChanged = !isDeepStrictEqual(resource, current.resource)
    let next = current
    let allMembersRole: ProjectRole | undefined
    if (resourceChanged) {
      next = await updateProject(trx, current, resource).catch(
        rethrowUniqueness('group', 'displayName', resource.displayName),
      )
      if (next.project_role !== current.project_role) {
        allMembersRole = await memberRole(ctx, trx, next, platformRole)
        await setMemberRoles(trx, next.id, allMembersRole)
      }
    }
    const { versionWritten, ...delta } = await applyMemberOps(ctx, trx, next, members, platformRole, {
      nextVersion: resourceChanged ? undefined : nextVersion(next),
    })
    if (!resourceChanged && (delta.added.length > 0 || delta.removed.length > 0)) {
      next = versionWritten ?? (await bumpProjectVersion(trx, next))
    }
    await journal(trx, ctx, {
      type: 'Group',
      op,
      before: current,
      after: next,
      changed: resourceChanged ? changed : [],
      ...delta,
      allMembersRole,
    })
    return next
  })
}

/**
 * Applies member deltas in request order; returns the ids actually added and removed. Given
 * `nextVersion` (the project's next version, owed when members change and nothing else wrote the
 * row), a request that only adds one member (Entra's PATCH) writes it with the member: one round
 * trip on PostgreSQL for the member, the version and the member's state (`versionWritten`,
 * `memberStates`).
 */
async function applyMemberOps(
  ctx: WriteContext,
  trx: Kysely<Database>,
  project: ProjectRow,
  ops: readonly MemberOp[],
  platformRole?: ProjectRole | null,
  owed: { nextVersion?: ProjectRow | undefined } = {},
): Promise<{
  added: string[]
  removed: string[]
  memberRole?: ProjectRole | undefined
  versionWritten?: ProjectRow | undefined
  memberStates?: ReadonlyMap<string, MemberState> | undefined
}> {
  const added = new Set<string>()
  const removed = new Set<string>()
  const note = (ids: readonly string[], into: Set<string>, from: Set<string>) => {
    for (const id of ids) if (!from.delete(id)) into.add(id)
  }
  let target: MemberTarget | undefined
  const targetOf = async () => {
    target ??= {
      projectId: project.id,
      platformId: project.platform_id,
      role: await memberRole(ctx, trx, project, platformRole),
    }
    return target
  }
  let versionWritten: ProjectRow | undefined
  const memberStates = new Map<string, MemberState>()
  const addOne = async (id: string): Promise<boolean> => {
    const { nextVersion } = owed
    if (!nextVersion || ops.length !== 1) return addMemberIfUser(trx, await targetOf(), id)
    const one = await addOneMember(trx, await targetOf(), id, nextVersion)
    if (one.versionWritten) versionWritten = nextVersion
    if (one.state) memberStates.set(id, one.state)
    return one.added
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'add':
        if (op.ids.length === 0) break
        if (op.ids.length === 1) {
          // One statement in the common case; only an id that inserted nothing is looked up again.
          const id = op.ids[0] as string
          if (await addOne(id)) note([id], added, removed)
          else await checkUsers(trx, project.platform_id, op.ids)
          break
        }
        await checkUsers(trx, project.platform_id, op.ids)
        note(await addMembers(trx, await targetOf(), op.ids), added, removed)
        break
      case 'remove':
        note(await removeMembers(trx, project.id, op.ids), removed, added)
        break
      case 'removeAll':
        note(await removeAllMembers(trx, project.id), removed, added)
        break
      case 'replace': {
        await checkUsers(trx, project.platform_id, op.ids)
        const delta = await replaceMembers(trx, await targetOf(), op.ids)
        note(delta.removed, removed, added)
        note(delta.added, added, removed)
        break
      }
      default:
        op satisfies never
    }
  }
  return {
    added: [...added],
    removed: [...removed],
    memberRole: target?.role,
    versionWritten,
    memberStates: memberStates.size > 0 ? memberStates : undefined,
  }
}

/**
 * The role of new members: the group's projectRole, else the platform's setting (given when the
 * caller read it already, see lockProject), else the server's default.
 */
async function memberRole(
  ctx: WriteContext,
  db: Kysely<Database>,
  project: ProjectRow,
  platformRole?: ProjectRole | null,
): Promise<ProjectRole> {
  if (project.project_role) return project.project_role
  const platform =
    platformRole === undefined
      ? (await getPlatform(db, project.platform_id))?.default_project_role
      : platformRole
  return platform ?? ctx.defaultProjectRole
}

async function checkUsers(db: Kysely<Database>, platformId: string, ids: readonly string[]): Promise<void> {
  const unknown = await unknownUsers(db, platformId, ids)
  if (unknown.length === 0) return
  const shown = unknown.slice(0, 10).join(', ')
  const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''
  throw invalidValue(`Members are not users of this platform: ${shown}${more}. Nothing was changed.`)
}

export function groupNotFound(id: string) {
  return notFound(`Group ${id} not found.`)
}
