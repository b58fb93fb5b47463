// The last step of every write sequence: what changed, written in the change's own transaction, so
// a committed change always has its journal rows and a rolled-back one has none.
import type { Insertable, Kysely } from 'kysely'
import { outboxEntry } from '../events/outbox.js'
import { attributeNames, valueChanges } from '../scim/diff.js'
import { CUSTOM_USER_SCHEMA } from '../scim/schemas/index.js'
import type { ScimResource } from '../scim/schemas/types.js'
import { eventRow } from '../store/events.js'
import { insertEventAndOutbox, type OutboxEntry } from '../store/outbox-writes.js'
import type { Database, EventTable, UserRow } from '../store/schema.js'
import { auditChange } from './audit.js'
import type { Change } from './change.js'
import type { WriteContext } from './context.js'

/** Member ids listed in a journal row, at most; the counts are always exact. */
const LISTED_MEMBERS = 100

export async function journal(trx: Kysely<Database>, ctx: WriteContext, change: Change): Promise<void> {
  const { event, entry } = await journalRows(trx, ctx, change)
  // The SETs owed to the platform's event streams, in this same transaction (EVENTS.md "Nothing is lost").
  await insertEventAndOutbox(trx, event, entry)
  if (ctx.actor.kind === 'console') await auditChange(trx, ctx, change)
}

/** The journal row of a change and the outbox entry it owes (undefined: none), not yet written. */
export async function journalRows(
  db: Kysely<Database>,
  ctx: WriteContext,
  change: Change,
): Promise<{ event: Insertable<EventTable>; entry: OutboxEntry | undefined }> {
  const { actor, request } = ctx
  const event = eventRow({
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
    resourceName: subjectName(change),
    changes: describe(change),
    durationMs: request.elapsedMs(),
  })
  return { event, entry: await outboxEntry(db, ctx.platformId, change) }
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

/** What the log names the subject by: the user's userName or the group's displayName, as of this change. */
function subjectName(change: Change): string {
  switch (change.type) {
    case 'User':
      return change.op === 'delete' ? change.before.email : change.after.email
    case 'Group':
      return change.op === 'delete' ? change.before.display_name : change.after.display_name
    case 'Member':
      return change.project.display_name
    default:
      return change satisfies never
  }
}

/**
 * The journal's `changes`: the attributes written with their old → new values (a password is named,
 * never shown: it is not even stored), and the member ids added and removed (named when read).
 */
function describe(change: Change): Record<string, unknown> {
  switch (change.op) {
    case 'create': {
      const resource = change.after.resource as ScimResource
      const attributes = attributeNames(resource)
      if (change.type === 'Group')
        return {
          attributes,
          values: valueChanges(undefined, resource, attributes),
          ...members(change.added, []),
        }
      // The password is named like any attribute sent, its value never.
      const sent = change.password ? [...attributes, 'password'].sort() : attributes
      const values = valueChanges(undefined, userView(change.after), [...attributes, ...USER_COLUMNS])
      return {
        attributes: sent,
        values: change.password ? [...values, { path: 'password', redacted: true }] : values,
      }
    }
    case 'delete':
      return change.type === 'User'
        ? { deleted: true, userName: change.before.email }
        : { deleted: true, displayName: change.before.display_name }
    case 'replace':
    case 'patch': {
      const values =
        change.type === 'User'
          ? valueChanges(userView(change.before), userView(change.after), [
              ...change.changed,
              ...USER_COLUMNS,
            ])
          : valueChanges(
              change.before.resource as ScimResource,
              change.after.resource as ScimResource,
              change.changed,
            )
      return change.type === 'User'
        ? { attributes: change.changed, values }
        : {
            attributes: change.changed,
            ...(values.length ? { values } : {}),
            ...members(change.added, change.removed),
            ...(change.allMembersRole ? { allMembersRole: change.allMembersRole } : {}),
          }
    }
    case 'role':
      return { memberRole: { userId: change.userId, from: change.before, to: change.after } }
    default:
      return change satisfies never
  }
}

/** The platform role and status as they apply (the stored resource omits a default MEMBER role). */
const USER_COLUMNS = [`${CUSTOM_USER_SCHEMA}:platformRole`, 'active']

function userView(row: UserRow): ScimResource {
  const resource = row.resource as ScimResource
  const extension = (resource[CUSTOM_USER_SCHEMA] ?? {}) as Record<string, unknown>
  return {
    ...resource,
    active: row.status === 'ACTIVE',
    [CUSTOM_USER_SCHEMA]: { ...extension, platformRole: row.platform_role },
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
