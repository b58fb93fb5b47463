// Platform users. The SCIM resource is stored as written in `resource`; the columns beside it are
// derived from it on every write, as columns.ts declares them, and exist to be indexed, filtered and shown.
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { ScimResource } from '../scim/schemas/types.js'
import { changedColumns, emailKey, userColumns } from './columns.js'
import type { Store } from './database.js'
import { isPostgres } from './dialect.js'
import { fromJson, toJson } from './json.js'
import { groupsOfUsers, type UserGroup } from './members.js'
import { type ExtraColumn, type ListOptions, type Page, readPage } from './page.js'
import { prepare, prepareInsert } from './prepared.js'
import type { Database, UserRow } from './schema.js'
import { endUserSessions, keepSessionEnds, type SessionEnd } from './sessions.js'

/** The resource as stored: never an id, meta, groups or password. */
export function storedUserResource(resource: ScimResource): ScimResource {
  const { id: _id, meta: _meta, groups: _groups, password: _password, ...rest } = resource
  return rest
}

export function userResource(row: Pick<UserRow, 'resource'>): ScimResource {
  return fromJson<ScimResource>(row.resource)
}

/** The columns a new user row writes. */
export const USER_COLUMNS = [
  'id',
  'platform_id',
  'email',
  'email_key',
  'external_id',
  'display_name',
  'first_name',
  'last_name',
  'platform_role',
  'status',
  'password_hash',
  'resource',
  'version',
  'created_at',
  'updated_at',
] as const

const insertUserRow = prepareInsert('users', USER_COLUMNS)

/** A new user's row, not yet written. */
export function newUserRow(
  platformId: string,
  resource: ScimResource,
  passwordHash: string | null = null,
): UserRow {
  const now = new Date().toISOString()
  const stored = storedUserResource(resource)
  return {
    id: randomUUID(),
    platform_id: platformId,
    ...userColumns(stored),
    password_hash: passwordHash,
    resource: stored,
    version: 1,
    created_at: now,
    updated_at: now,
  }
}

/** A user row as the database takes it (the resource as JSON text). */
export function userInsertValues(row: UserRow) {
  return { ...row, resource: toJson(row.resource) }
}

export async function insertUser(
  db: Kysely<Database>,
  platformId: string,
  resource: ScimResource,
  passwordHash: string | null = null,
): Promise<UserRow> {
  const row = newUserRow(platformId, resource, passwordHash)
  await db.executeQuery(insertUserRow(db, userInsertValues(row)))
  return row
}

/**
 * Writes a new version of a user. `lock` rows are read with `getUser(..., { lock: true })` in the
 * same transaction, so no concurrent write can slip between the read and this update.
 */
export async function updateUser(
  db: Kysely<Database>,
  row: UserRow,
  resource: ScimResource,
  /** Who asks ('scim', 'console', 'sso'), kept on sessions this change ends. */
  by?: string,
): Promise<UserRow> {
  const stored = storedUserResource(resource)
  const columns = userColumns(stored)
  const next: UserRow = {
    ...row,
    ...columns,
    resource: stored,
    version: row.version + 1,
    updated_at: laterThan(row.updated_at),
  }
  await db
    .updateTable('users')
    .set({
      ...changedColumns(row, columns),
      resource: toJson(stored),
      version: next.version,
      updated_at: next.updated_at,
    })
    .where('id', '=', row.id)
    .execute()
  // Sessions belong to ACTIVE users, and an admin's to an ADMIN: deactivation ends every session, and
  // losing ADMIN ends the console sessions (the person signs in again to reach their member page).
  // The sessions are marked with why, so the sign-in page can tell the person (sessions.ts).
  const end = sessionsEnd(row, next)
  if (end) await endUserSessions(db, row.id, { ...end, by })
  return next
}

/** Whether (and why) a change from `before` to `after` must end the user's sessions. */
export function sessionsEnd(
  before: Pick<UserRow, 'status' | 'platform_role'>,
  after: Pick<UserRow, 'status' | 'platform_role'>,
): SessionEnd | undefined {
  if (before.status === 'ACTIVE' && after.status !== 'ACTIVE') return { reason: 'deactivated' }
  if (before.platform_role === 'ADMIN' && after.platform_role !== 'ADMIN')
    return { reason: 'role_changed', role: after.platform_role }
  return undefined
}

/** Now, or a millisecond after `previous` so lastModified always moves forward. */
export function laterThan(previous: string): string {
  const now = Date.now()
  const before = Date.parse(previous)
  return new Date(Number.isNaN(before) || now > before ? now : before + 1).toISOString()
}

export async function getUser(
  db: Kysely<Database>,
  platformId: string,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<UserRow | undefined> {
  let query = db.selectFrom('users').selectAll().where('platform_id', '=', platformId).where('id', '=', id)
  // SQLite has no row locks; its transactions already hold the write lock (begin immediate).
  if (lock && isPostgres(db)) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return row && { ...row, resource: fromJson(row.resource) }
}

export async function getUserByEmail(
  db: Kysely<Database>,
  platformId: string,
  email: string,
): Promise<UserRow | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('platform_id', '=', platformId)
    .where('email_key', '=', emailKey(email))
    .executeTakeFirst()
  return row && { ...row, resource: fromJson(row.resource) }
}

/**
 * Deletes a user and (by cascade) its memberships and sessions; why the sessions ended is kept for
 * the sign-in page (`by`: 'scim', 'console' or 'sso'). Returns false when absent.
 */
export async function deleteUser(
  db: Kysely<Database>,
  platformId: string,
  id: string,
  by?: string,
): Promise<boolean> {
  await keepSessionEnds(db, id, by)
  const result = await db
    .deleteFrom('users')
    .where('platform_id', '=', platformId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function setPasswordHash(db: Kysely<Database>, id: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash }).where('id', '=', id).execute()
}

/** A user row, with `groups` when it was read with them. */
export type UserWithGroups = UserRow & { readonly groups?: UserGroup[] }

/**
 * A user's groups in display-name order. On PostgreSQL they are one JSON column of the user's own row,
 * so a read of users with their groups is one round trip. On SQLite, where a statement costs no round
 * trip, the correlated JSON aggregate costs more than a second indexed read (about 70 against 50 µs
 * at 100,000 users), so they are read by groupsOfUsers after the users.
 */
const groupsColumn: ExtraColumn = {
  name: 'groups',
  select: () =>
    sql`(select coalesce(json_agg(json_build_object('value', p.id, 'display', p.display_name)
          order by p.display_key, p.id), '[]'::json)
        from project_members m join projects p on p.id = m.project_id
        where m.user_id = users.id and m.platform_id = users.platform_id)`.as('groups'),
}

/** Adds `groups` to rows read without them (SQLite), in one query for the page. */
async function withGroupsRead(
  store: Pick<Store, 'db' | 'read'>,
  platformId: string,
  rows: UserRow[],
): Promise<UserWithGroups[]> {
  const groups = await groupsOfUsers(
    store,
    platformId,
    rows.map((r) => r.id),
  )
  return rows.map((row) => ({ ...row, groups: groups.get(row.id) ?? [] }))
}

function withGroupList({ groups, ...row }: UserRow & { groups?: unknown }): UserWithGroups {
  return groups === undefined ? row : { ...row, groups: fromJson<UserGroup[]>(groups) }
}

/** One page of a platform's users and the number of all matches; with `groups` when asked. */
export async function listUsers(
  store: Pick<Store, 'db' | 'read'>,
  platformId: string,
  options: ListOptions,
  { withGroups = false } = {},
): Promise<Page<UserWithGroups>> {
  const folded = withGroups && isPostgres(store.db)
  const page = await readPage<UserRow & { groups?: unknown }>(
    store,
    'users',
    platformId,
    options,
    folded ? groupsColumn : undefined,
  )
  if (withGroups && !folded)
    return { total: page.total, rows: await withGroupsRead(store, platformId, page.rows) }
  return { total: page.total, rows: page.rows.map(withGroupList) }
}

const userById = prepare((db, v: { platformId: string; id: string }) =>
  db.selectFrom('users').selectAll().where('platform_id', '=', v.platformId).where('id', '=', v.id),
)

const userWithGroupsById = prepare((db, v: { platformId: string; id: string }) =>
  db
    .selectFrom('users')
    .selectAll()
    .select(groupsColumn.select('postgres'))
    .where('platform_id', '=', v.platformId)
    .where('id', '=', v.id),
)

/** A user read outside any transaction (GET /Users/{id}), with its groups when asked. */
export async function readUser(
  store: Pick<Store, 'db' | 'read'>,
  platformId: string,
  id: string,
  { withGroups = false } = {},
): Promise<UserWithGroups | undefined> {
  const folded = withGroups && isPostgres(store.db)
  const query = (folded ? userWithGroupsById : userById)(store.db, { platformId, id })
  const [found] = (await store.read(query)) as (UserRow & { groups?: unknown })[]
  if (!found) return undefined
  const row = { ...found, resource: fromJson(found.resource) }
  if (withGroups && !folded) return (await withGroupsRead(store, platformId, [row]))[0]
  return withGroupList(row)
}

/** ACTIVE ADMINs of a platform other than `exceptId`. */
export async function countActiveAdmins(
  db: Kysely<Database>,
  platformId: string,
  exceptId: string,
): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('platform_id', '=', platformId)
    .where('platform_role', '=', 'ADMIN')
    .where('status', '=', 'ACTIVE')
    .where('id', '!=', exceptId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
