// The last step of every write sequence: what changed, written in the change's own transaction, so
// a committed change always has its journal rows and a rolled-back one has none.
import type { Kysely } from 'kysely'
import { publish } from '../events/outbox.js'
import { attributeNames } from '../scim/diff.js'
import { recordEvent } from '../store/events.js'
import type { Database, ProjectRole, ProjectRow, UserRow } from '../store/schema.js'
import { auditChange } from './audit.js'
import type { WriteContext } from './context.js'

/** How a change was asked for: SCIM's verbs, or a member role set in the console. */
export type UpdateKind = 'replace' | 'patch'

export type Change =
  | { readonly type: 'User'; readonly op: 'create'; readonly after: UserRow }
  | {
      readonly type: 'User'
      readonly op: UpdateKind
      readonly before: UserRow
      readonly after: UserRow
      /** Attributes whose value changed (empty when the write changed nothing). */
      readonly changed: readonly string[]
    }
  | { readonly type: 'User'; readonly op: 'delete'; readonly before: UserRow }
  | {
      readonly type: 'Group'
      readonly op: 'create'
      readonly after: ProjectRow
      readonly added: readonly string[]
      /** The project role the added members were given. */
      readonly memberRole?: ProjectRole | undefined
    }
  | {
      readonly type: 'Group'
      readonly op: UpdateKind
      readonly before: ProjectRow
      readonly after: ProjectRow
      readonly changed: readonly string[]
      readonly added: readonly string[]
      readonly removed: readonly string[]
      /** The project role the added members were given. */
      readonly memberRole?: ProjectRole | undefined
      /** Set when a projectRole change gave every member of the group this role. */
      readonly allMembersRole?: ProjectRole | undefined
    }
  | { readonly type: 'Group'; readonly op: 'delete'; readonly before: ProjectRow }
  | {
      readonly type: 'Member'
      readonly op: 'role'
      readonly project: ProjectRow
      readonly userId: string
      readonly before: ProjectRole
      readonly after: ProjectRole
    }

/** Member ids listed in a journal row, at most; the counts are always exact. */
const LISTED_MEMBERS = 100

export async function journal(trx: Kysely<Database>, ctx: WriteContext, change: Change): Promise<void> {
  const { actor, request } = ctx
  await recordEvent(trx, {
    platformId: ctx.platformId,
    requestId: request.id,
    apiKeyId: actor.kind === 'scim' ? actor.apiKeyId : undefined,
    actorType: actor.kind,
    actorUserId: actor.kind === 'console' ? actor.userId : undefined,
    method: request.method,
    path: request.path,
    status: request.status,
    resourceType: change.type === 'Member' ? 'Group' : change.type,
    resourceId: subjectId(change),
    changes: describe(change),
    durationMs: request.elapsedMs(),
  })
  // The SETs owed to the platform's event streams, in this same transaction (EVENTS.md "Nothing is lost").
  await publish(trx, ctx.platformId, change)
  if (ctx.actor.kind === 'console') await auditChange(trx, ctx, change)
}

function subjectId(change: Change): string {
  switch (change.op) {
    case 'create':
      return change.after.id
    case 'delete':
      return change.before.id
    case 'replace':
    case 'patch':
      return change.before.id
    case 'role':
      return change.project.id
    default:
      return change satisfies never
  }
}

/** The journal's `changes`: attribute names and member ids, never attribute values. */
function describe(change: Change): Record<string, unknown> {
  switch (change.op) {
    case 'create':
      return change.type === 'User'
        ? { attributes: attributeNames(change.after.resource as never) }
        : { attributes: attributeNames(change.after.resource as never), ...members(change.added, []) }
    case 'delete':
      return change.type === 'User'
        ? { deleted: true, userName: change.before.email }
        : { deleted: true, displayName: change.before.display_name }
    case 'replace':
    case 'patch':
      return change.type === 'User'
        ? { attributes: change.changed }
        : { attributes: change.changed, ...members(change.added, change.removed) }
    case 'role':
      return { memberRole: { userId: change.userId, from: change.before, to: change.after } }
    default:
      return change satisfies never
  }
}

function members(added: readonly string[], removed: readonly string[]) {
  return {
    ...(added.length
      ? { membersAdded: added.slice(0, LISTED_MEMBERS), membersAddedCount: added.length }
      : {}),
    ...(removed.length
      ? { membersRemoved: removed.slice(0, LISTED_MEMBERS), membersRemovedCount: removed.length }
      : {}),
  }
}
