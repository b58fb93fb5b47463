// Project memberships: one row per (project, user). Changes are set deltas on this table, never a
// rewrite of a member list, so their cost does not grow with the size of the group.
import type { Insertable, Kysely, QueryCreator } from 'kysely'
import type { Store } from './database.js'
import { isPostgres } from './dialect.js'
import { prepare } from './prepared.js'
import type { Database, PlatformRole, ProjectMemberTable, ProjectRole, UserStatus } from './schema.js'

/** A user's projects, as SCIM's read-only `groups` of a User wants them: value and display. */
export interface UserGroup {
  readonly value: string
  readonly display: string
}

/** The projects of each of the given users (a User's read-only `groups`), in one query. */
export async function groupsOfUsers(
  store: Pick<Store, 'db' | 'read'>,
  platformId: string,
  userIds: readonly string[],
): Promise<Map<string, UserGroup[]>> {
  const groups = new Map<string, UserGroup[]>(userIds.map((id) => [id, []]))
  if (userIds.length === 0) return groups
  const query =
    userIds.length === 1
      ? groupsOfUser(store.db, { platformId, userId: userIds[0] as string })
      : groupsQuery(store.db, platformId, userIds).compile()
  for (const row of await store.read(query)) {
    groups.get(row.user_id)?.push({ value: row.id, display: row.display_name })
  }
  return groups
}

function groupsQuery(db: Kysely<Database>, platformId: string, userIds: readonly string[]) {
  return db
    .selectFrom('project_members')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .select(['project_members.user_id', 'projects.id', 'projects.display_name'])
    .where('project_members.platform_id', '=', platformId)
    .where('project_members.user_id', 'in', userIds)
    .orderBy('projects.display_key')
}

/** A single user's groups (GET /Users/{id}, a `userName eq` lookup): one prepared shape. */
const groupsOfUser = prepare((db, v: { platformId: string; userId: string }) =>
  groupsQuery(db, v.platformId, [v.userId]),
)

/** Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 1000

function* chunks<T>(items: readonly T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

const usersIn = (db: Kysely<Database>, platformId: string, ids: readonly string[]) =>
  db.selectFrom('users').select('id').where('platform_id', '=', platformId).where('id', 'in', ids)
const userExists = prepare((db, v: { platformId: string; id: string }) => usersIn(db, v.platformId, [v.id]))

/** The ids among `ids` that are not users of the platform. */
export async function unknownUsers(
  db: Kysely<Database>,
  platformId: string,
  ids: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(ids)]
  const found = new Set<string>()
  for (const part of chunks(wanted)) {
    // One id (Entra adds members one at a time) takes a prepared shape.
    const query =
      part.length === 1
        ? userExists(db, { platformId, id: part[0] as string })
        : usersIn(db, platformId, part).compile()
    for (const row of (await db.executeQuery(query)).rows) found.add(row.id)
  }
  return wanted.filter((id) => !found.has(id))
}

export interface MemberTarget {
  readonly projectId: string
  readonly platformId: string
  readonly role: ProjectRole
}

/** Insert-or-ignore: re-adding a member changes nothing. Returns the ids actually added. */
export async function addMembers(
  db: Kysely<Database>,
  target: MemberTarget,
  userIds: readonly string[],
): Promise<string[]> {
  const added: string[] = []
  const now = new Date().toISOString()
  for (const part of chunks([...new Set(userIds)])) {
    const rows = await db
      .insertInto('project_members')
      .values(
        part.map((userId) => ({
          project_id: target.projectId,
          user_id: userId,
          platform_id: target.platformId,
          role: target.role,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute()
    for (const row of rows) added.push(row.user_id)
  }
  return added
}

type NewMember = Insertable<ProjectMemberTable>

// The row comes from `users`, so a user who is not of the platform inserts nothing.
function insertMemberFromUsers(qc: QueryCreator<Database>, v: NewMember) {
  return qc
    .insertInto('project_members')
    .columns(['project_id', 'user_id', 'platform_id', 'role', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('users')
        .select([
          eb.val(v.project_id).as('project_id'),
          'users.id',
          'users.platform_id',
          eb.val(v.role).as('role'),
          eb.val(v.created_at).as('created_at'),
        ])
        .where('users.platform_id', '=', v.platform_id)
        .where('users.id', '=', v.user_id),
    )
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .returning('user_id')
}

const insertMemberIfUser = prepare((db, v: NewMember) => insertMemberFromUsers(db, v))

/**
 * Adds one member in one statement (Entra adds members one at a time). False when nothing was
 * inserted: the user is already a member, or is not a user of the platform (the caller tells which).
 */
export async function addMemberIfUser(
  db: Kysely<Database>,
  target: MemberTarget,
  userId: string,
): Promise<boolean> {
  const { rows } = await db.executeQuery(insertMemberIfUser(db, newMember(target, userId)))
  return rows.length > 0
}

function newMember(target: MemberTarget, userId: string): NewMember {
  return {
    project_id: target.projectId,
    user_id: userId,
    platform_id: target.platformId,
    role: target.role,
    created_at: new Date().toISOString(),
  }
}

export interface MemberState {
  readonly platform_role: PlatformRole
  readonly status: UserStatus
}

// PostgreSQL: the member row, the project's next version and the user's state in one round trip (a
// data-modifying WITH runs once, whether or not the outer query reads it). The version is written
// only when a row was inserted.
const addMemberAndVersion = prepare((db, v: NewMember & { version: number; updated_at: string }) =>
  db
    .with('ins', (qb) => insertMemberFromUsers(qb, v))
    .with('bump', (qb) =>
      qb
        .updateTable('projects')
        .set({ version: v.version, updated_at: v.updated_at })
        .where('id', '=', v.project_id)
        .where((eb) => eb.exists(eb.selectFrom('ins').select('ins.user_id')))
        .returning('projects.id'),
    )
    .selectFrom('users')
    .select((eb) => [
      'users.platform_role',
      'users.status',
      eb.exists(eb.selectFrom('ins').select('ins.user_id')).as('added'),
    ])
    .where('users.platform_id', '=', v.platform_id)
    .where('users.id', '=', v.user_id),
)

/**
 * Entra's member PATCH: adds one member and, when it was added, writes `next` (the project's next
 * version and time). One statement on PostgreSQL, which also returns the user's platform role and
 * status for the change's event; on SQLite (no INSERT inside WITH, and no round trip to save) the
 * insert alone, and the caller writes the version. `added` false: already a member, or not a user of
 * the platform (the caller tells which).
 */
export async function addOneMember(
  db: Kysely<Database>,
  target: MemberTarget,
  userId: string,
  next: { readonly version: number; readonly updated_at: string },
): Promise<{ added: boolean; versionWritten: boolean; state?: MemberState }> {
  if (!isPostgres(db)) return { added: await addMemberIfUser(db, target, userId), versionWritten: false }
  const values = { ...newMember(target, userId), version: next.version, updated_at: next.updated_at }
  const [found] = (await db.executeQuery(addMemberAndVersion(db, values))).rows
  if (!found) return { added: false, versionWritten: false }
  const { added, ...state } = found
  return { added: Boolean(added), versionWritten: Boolean(added), state }
}

/** Deletes by id list: removing a non-member changes nothing. Returns the ids actually removed. */
export async function removeMembers(
  db: Kysely<Database>,
  projectId: string,
  userIds: readonly string[],
): Promise<string[]> {
  const removed: string[] = []
  for (const part of chunks([...new Set(userIds)])) {
    const rows = await db
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', 'in', part)
      .returning('user_id')
      .execute()
    for (const row of rows) removed.push(row.user_id)
  }
  return removed
}

export async function removeAllMembers(db: Kysely<Database>, projectId: string): Promise<string[]> {
  const rows = await db
    .deleteFrom('project_members')
    .where('project_id', '=', projectId)
    .returning('user_id')
    .execute()
  return rows.map((r) => r.user_id)
}

/** Replaces the member set by its delta against the current one: only changed rows are written. */
export async function replaceMembers(
  db: Kysely<Database>,
  target: MemberTarget,
  userIds: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const wanted = new Set(userIds)
  const current = await memberIds(db, target.projectId)
  const removed = await removeMembers(
    db,
    target.projectId,
    current.filter((id) => !wanted.has(id)),
  )
  const present = new Set(current)
  const added = await addMembers(
    db,
    target,
    [...wanted].filter((id) => !present.has(id)),
  )
  return { added, removed }
}

async function memberIds(db: Kysely<Database>, projectId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .execute()
  return rows.map((r) => r.user_id)
}

/** One member's role, or undefined when the user is not a member of the project. */
export async function getMemberRole(
  db: Kysely<Database>,
  projectId: string,
  userId: string,
): Promise<ProjectRole | undefined> {
  return (await getMembership(db, projectId, userId))?.role
}

/** One membership's role and whether an admin set it by hand. */
export async function getMembership(
  db: Kysely<Database>,
  projectId: string,
  userId: string,
): Promise<{ role: ProjectRole; explicit: boolean } | undefined> {
  const row = await db
    .selectFrom('project_members')
    .select(['role', 'role_explicit'])
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row && { role: row.role, explicit: Number(row.role_explicit) === 1 }
}

/** One member's role, set by an admin (explicit), or back to `role` following the project (not explicit). */
export async function setMemberRole(
  db: Kysely<Database>,
  projectId: string,
  userId: string,
  role: ProjectRole,
  explicit = true,
): Promise<void> {
  await db
    .updateTable('project_members')
    .set({ role, role_explicit: explicit ? 1 : 0 })
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .execute()
}

/**
 * Gives `role` to the members of a project who follow its role (not set by hand by an admin).
 * Returns how many changed.
 */
export async function setMemberRoles(
  db: Kysely<Database>,
  projectId: string,
  role: ProjectRole,
): Promise<number> {
  const result = await db
    .updateTable('project_members')
    .set({ role })
    .where('project_id', '=', projectId)
    .where('role_explicit', '=', 0)
    .where('role', '<>', role)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface MemberView {
  readonly value: string
  readonly display: string
}

/**
 * A project's members in user-id order, a page at a time (keyset pagination on the primary key), so a
 * 100,000-member group is never held in memory at once.
 */
export async function* streamMembers(
  db: Kysely<Database>,
  projectId: string,
  pageSize = 5000,
): AsyncGenerator<MemberView[]> {
  let after = ''
  for (;;) {
    const rows = await db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['project_members.user_id', 'users.display_name', 'users.email'])
      .where('project_members.project_id', '=', projectId)
      .where('project_members.user_id', '>', after)
      // Redundant with the join, but it lets PostgreSQL start its users index scan at the page too.
      .where('users.id', '>', after)
      .orderBy('project_members.user_id')
      .limit(pageSize)
      .execute()
    if (rows.length === 0) return
    yield rows.map((r) => ({ value: r.user_id, display: r.display_name ?? r.email }))
    if (rows.length < pageSize) return
    after = rows[rows.length - 1]!.user_id
  }
}
