// Guard-rail (SPEC.md "Guard-rail"): no write leaves a platform without an ACTIVE ADMIN. Entra's
// first sync with the guide's default mapping sends platformRole MEMBER for everyone, including the
// admin who set Muster up; without this it would demote them and lock every admin out.
import type { Kysely } from 'kysely'
import { invalidValue } from '../scim/errors.js'
import { lockPlatform } from '../store/platforms.js'
import type { Database, UserRow } from '../store/schema.js'
import { countActiveAdmins } from '../store/users.js'
import type { Actor } from './context.js'

const isActiveAdmin = (row: Pick<UserRow, 'platform_role' | 'status'>) =>
  row.platform_role === 'ADMIN' && row.status === 'ACTIVE'

/**
 * Throws 400 when `before` is the platform's last ACTIVE ADMIN and `after` (undefined: deleted) is
 * not one. Call it with `before` locked, in the transaction that writes the change. Concurrent
 * demotions of two admins queue on
 * the platform's row (PostgreSQL; SQLite's write lock already serialises them), so each counts
 * the other's committed outcome and at most one succeeds.
 */
export async function keepAnAdmin(
  trx: Kysely<Database>,
  actor: Actor,
  before: UserRow,
  after: Pick<UserRow, 'platform_role' | 'status'> | undefined,
): Promise<void> {
  if (!isActiveAdmin(before) || (after && isActiveAdmin(after))) return
  await lockPlatform(trx, before.platform_id)
  if ((await countActiveAdmins(trx, before.platform_id, before.id)) > 0) return
  throw invalidValue(lastAdminDetail(actor, after === undefined ? 'delete' : 'demote'))
}

/** Worded for where it is read: Entra's provisioning log, or the console. */
function lastAdminDetail(actor: Actor, what: 'delete' | 'demote'): string {
  const done = what === 'delete' ? 'Deleting' : 'Demoting or deactivating'
  const head = `${done} this user would leave the platform without an active ADMIN`
  switch (actor.kind) {
    case 'scim':
      return `${head}: map platformRole ADMIN for this user or make another admin first.`
    case 'console':
    case 'sso':
      return `${head}: make another user an active ADMIN first.`
    default:
      return actor satisfies never
  }
}
