// Writes the outbox rows of a committed change, inside the change's transaction (called by
// journal()): a change that rolls back takes its rows with it, one that commits has them, however
// soon afterwards the process dies. One insert per change covers every stream of the platform.
import type { Kysely } from 'kysely'
import type { Change } from '../domain/journal.js'
import { insertOutbox, membershipsOf, roleExceptions, userStatesOf } from '../store/event-outbox.js'
import type { Database } from '../store/schema.js'
import { type Facts, needs, toRecord } from './record.js'

export async function publish(trx: Kysely<Database>, platformId: string, change: Change): Promise<void> {
  const need = needs(change)
  const facts: Facts = {
    ...(need.memberships ? { memberships: await membershipsOf(trx, need.memberships) } : {}),
    ...(need.users ? { users: await userStatesOf(trx, platformId, need.users) } : {}),
    ...(need.exceptions ? { exceptions: await roleExceptions(trx, need.exceptions) } : {}),
  }
  const record = toRecord(change, facts)
  if (!record) return
  await insertOutbox(trx, {
    platformId,
    resourceType: record.type,
    resourceId: record.id,
    ops: record.ops,
    payload: JSON.stringify(record),
  })
}
