// What a change owes the outbox: journal() writes it inside the change's transaction, with the
// journal row, so a change that rolls back takes its rows with it and one that commits has them,
// however soon afterwards the process dies. One insert per change covers every stream of the platform.
import type { Kysely } from 'kysely'
import type { Change } from '../domain/change.js'
import { membershipsOf, type OutboxEntry, roleExceptions, userStatesOf } from '../store/outbox-writes.js'
import type { Database } from '../store/schema.js'
import { type Facts, needs, toRecord } from './record.js'

/** The outbox entry a change owes its platform's streams; undefined when it owes no SET. */
export async function outboxEntry(
  trx: Kysely<Database>,
  platformId: string,
  change: Change,
): Promise<OutboxEntry | undefined> {
  const need = needs(change)
  const facts: Facts = {
    ...(need.memberships ? { memberships: await membershipsOf(trx, need.memberships) } : {}),
    ...(need.users ? { users: await usersOf(trx, platformId, change, need.users) } : {}),
    ...(need.exceptions ? { exceptions: await roleExceptions(trx, need.exceptions) } : {}),
  }
  const record = toRecord(change, facts)
  if (!record) return undefined
  return {
    platformId,
    resourceType: record.type,
    resourceId: record.id,
    ops: record.ops,
    payload: JSON.stringify(record),
  }
}

/** The named users' states: as the write read them, else from the database. */
function usersOf(trx: Kysely<Database>, platformId: string, change: Change, ids: readonly string[]) {
  const known = 'memberStates' in change ? change.memberStates : undefined
  if (known && ids.every((id) => known.has(id))) return known
  return userStatesOf(trx, platformId, ids)
}
