// The write sequence for users: lock → precondition (If-Match, the last-admin guard) → change →
// journal, in one transaction, for SCIM, the console and single sign-on alike.
import { isDeepStrictEqual } from 'node:util'
import type { Kysely } from 'kysely'
import { changedAttributes } from '../scim/diff.js'
import { invalidValue, notFound } from '../scim/errors.js'
import { applyPatch, type PatchLimits } from '../scim/patch.js'
import { CUSTOM_USER_SCHEMA } from '../scim/schemas/index.js'
import type { ScimResource } from '../scim/schemas/types.js'
import { checkIfMatch } from '../scim/version.js'
import { setUserSource } from '../store/console-users.js'
import { rethrowUniqueness } from '../store/errors.js'
import { insertUserAndJournal } from '../store/outbox-writes.js'
import type { Database, PlatformRole, UserRow } from '../store/schema.js'
import { deleteUser as deleteUserRow, getUser, insertUser, newUserRow, updateUser } from '../store/users.js'
import { keepAnAdmin } from './admins.js'
import type { UpdateKind } from './change.js'
import type { WriteContext } from './context.js'
import { journal, journalRows } from './journal.js'

export async function createUser(ctx: WriteContext, resource: ScimResource): Promise<UserRow> {
  if (ctx.store.dialect === 'postgres' && ctx.actor.kind === 'scim') return createScimUser(ctx, resource)
  return ctx.store.transaction((trx) => createUserIn(trx, ctx, resource))
}

/**
 * PostgreSQL, over SCIM (no source to set, no audit row, nothing to read first): the user, its
 * journal row and its outbox rows are one statement, atomic without a transaction around it.
 */
async function createScimUser(ctx: WriteContext, resource: ScimResource): Promise<UserRow> {
  const row = newUserRow(ctx.platformId, resource)
  const { event, entry } = await journalRows(ctx.store.db, ctx, created(row, resource))
  // A create always owes its streams a SET; were it ever not to, the general path writes it.
  if (!entry) return ctx.store.transaction((trx) => createUserIn(trx, ctx, resource))
  await insertUserAndJournal(ctx.store.db, row, event, entry).catch(
    rethrowUniqueness('user', 'userName', resource.userName),
  )
  return row
}

/** createUser inside a transaction the caller holds (single sign-on creates users in its own). */
export async function createUserIn(
  trx: Kysely<Database>,
  ctx: WriteContext,
  resource: ScimResource,
): Promise<UserRow> {
  const row = await insertUser(trx, ctx.platformId, resource).catch(
    rethrowUniqueness('user', 'userName', resource.userName),
  )
  // SCIM is the default source; another creator says who it was (the users list filters by it).
  if (ctx.actor.kind === 'sso') await setUserSource(trx, row.id, 'sso')
  await journal(trx, ctx, created(row, resource))
  return row
}

/** The journal's change for a new user; a password that came with it is noted, never stored. */
function created(row: UserRow, resource: ScimResource) {
  const password = resource.password !== undefined && resource.password !== null
  return { type: 'User', op: 'create', after: row, password } as const
}

/** PUT: the body replaces the resource (rfc7644#section-3.5.1). */
export function replaceUser(ctx: WriteContext, id: string, resource: ScimResource): Promise<UserRow> {
  return writeUser(ctx, id, 'replace', (current) => ({
    resource,
    changed: changedAttributes(current.resource as ScimResource, resource),
  }))
}

/** PATCH: all operations or none (rfc7644#section-3.5.2). */
export function patchUser(
  ctx: WriteContext,
  id: string,
  body: unknown,
  limits: PatchLimits,
): Promise<UserRow> {
  return writeUser(ctx, id, 'patch', (current) => {
    const { resource, changed } = applyPatch('User', current.resource as ScimResource, body, limits)
    return { resource, changed }
  })
}

export interface AccessChange {
  readonly platformRole?: PlatformRole | undefined
  readonly active?: boolean | undefined
}

/**
 * The two changes an admin makes by hand, written into the SCIM resource like any other change, so
 * the IdP and the console never disagree and the ETag moves.
 */
export function changeAccess(ctx: WriteContext, id: string, change: AccessChange): Promise<UserRow> {
  return writeUser(ctx, id, 'patch', (current) => {
    const resource = { ...(current.resource as ScimResource) }
    if (change.active !== undefined) resource.active = change.active
    if (change.platformRole !== undefined) {
      const extension = (resource[CUSTOM_USER_SCHEMA] ?? {}) as Record<string, unknown>
      resource[CUSTOM_USER_SCHEMA] = { ...extension, platformRole: change.platformRole }
      const schemas = Array.isArray(resource.schemas) ? (resource.schemas as string[]) : []
      if (!schemas.includes(CUSTOM_USER_SCHEMA)) resource.schemas = [...schemas, CUSTOM_USER_SCHEMA]
    }
    return { resource, changed: changedAttributes(current.resource as ScimResource, resource) }
  })
}

export async function deleteUser(ctx: WriteContext, id: string): Promise<void> {
  await ctx.store.transaction(async (trx) => {
    const row = await getUser(trx, ctx.platformId, id, { lock: true })
    if (!row) throw userNotFound(id)
    checkIfMatch(ctx.ifMatch, row.version)
    await keepAnAdmin(trx, ctx.actor, row, undefined)
    await deleteUserRow(trx, ctx.platformId, row.id, ctx.actor.kind)
    await journal(trx, ctx, { type: 'User', op: 'delete', before: row })
  })
}

/**
 * Locks the user, lets `change` compute the new resource from the current one, and writes it. A
 * change that leaves the resource as it was writes nothing and keeps the version, but is journaled.
 */
async function writeUser(
  ctx: WriteContext,
  id: string,
  op: UpdateKind,
  change: (current: UserRow) => { resource: ScimResource; changed: readonly string[] },
): Promise<UserRow> {
  return ctx.store.transaction(async (trx) => {
    const current = await getUser(trx, ctx.platformId, id, { lock: true })
    if (!current) throw userNotFound(id)
    checkIfMatch(ctx.ifMatch, current.version)
    const { resource, changed } = change(current)
    if (typeof resource.userName !== 'string' || resource.userName.trim() === '') {
      throw invalidValue('Attribute "userName" is required and cannot be empty.')
    }
    const same = isDeepStrictEqual(resource, current.resource)
    let next = current
    if (!same) {
      next = await updateUser(trx, current, resource, ctx.actor.kind).catch(
        rethrowUniqueness('user', 'userName', resource.userName),
      )
      await keepAnAdmin(trx, ctx.actor, current, next)
    }
    await journal(trx, ctx, { type: 'User', op, before: current, after: next, changed: same ? [] : changed })
    return next
  })
}

export function userNotFound(id: string) {
  return notFound(`User ${id} not found.`)
}
