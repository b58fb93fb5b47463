// The console's view of platform users: filter, sort and page over the derived columns, one user's
// detail, and a keyset stream for exports. The changes an admin makes by hand go through
// src/domain/users.ts like every other write. Effective roles are added by src/domain/roles.ts.
import { type Expression, type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import { fold } from './fold.js'
import { fromJson } from './json.js'
import { ilike } from './like.js'
import type { Database, PlatformRole, ProjectRole, SignInMethod, UserStatus } from './schema.js'

/** How the user came to exist: provisioned over SCIM, created at a first single sign-on, or set up locally. */
export type UserSource = 'scim' | 'sso' | 'local'
export const USER_SOURCES: readonly UserSource[] = ['scim', 'sso', 'local']

export interface UserProject {
  readonly id: string
  readonly displayName: string
  readonly role: ProjectRole
  /** True when an admin set this role by hand; otherwise the project's role or the platform default applies. */
  readonly roleExplicit: boolean
}

export interface ConsoleUser {
  readonly id: string
  readonly email: string
  readonly firstName: string | null
  readonly lastName: string | null
  readonly displayName: string | null
  readonly platformRole: PlatformRole
  readonly status: UserStatus
  readonly externalId: string | null
  readonly source: UserSource
  readonly hasPassword: boolean
  readonly createdAt: string
  readonly updatedAt: string
  /** The user's version (SCIM meta.version): sent back with a change, which fails if it moved. */
  readonly version: number
  readonly projects: UserProject[]
}

export const USER_SORTS = ['name', 'email', 'role', 'status', 'updated'] as const
export type UserSort = (typeof USER_SORTS)[number]

export interface UserFilter {
  readonly q?: string | undefined
  readonly role?: PlatformRole | undefined
  readonly status?: UserStatus | undefined
  readonly source?: UserSource | undefined
}

export interface UserQuery extends UserFilter {
  /** One user by id (used to answer a change with the new state). */
  readonly id?: string | undefined
  readonly sort?: UserSort | undefined
  readonly order?: 'asc' | 'desc' | undefined
  readonly limit: number
  readonly offset: number
}

type UsersQuery = SelectQueryBuilder<Database, 'users' | 'user_sources', object>

const sourceOf = sql<UserSource>`coalesce(user_sources.source, 'scim')`

function filtered(
  db: Kysely<Database>,
  platformId: string,
  filter: UserFilter & { id?: string | undefined },
) {
  let base: UsersQuery = db
    .selectFrom('users')
    .leftJoin('user_sources', 'user_sources.user_id', 'users.id')
    .where('users.platform_id', '=', platformId)
  const { q, role, status, source, id } = filter
  if (q) {
    base = base.where((eb) =>
      eb.or(
        ['email', 'display_name', 'first_name', 'last_name', 'external_id'].map((c) =>
          ilike(`users.${c}`, q),
        ),
      ),
    )
  }
  if (id) base = base.where('users.id', '=', id)
  if (role) base = base.where('users.platform_role', '=', role)
  if (status) base = base.where('users.status', '=', status)
  if (source === 'scim') base = base.where('user_sources.source', 'is', null)
  else if (source) base = base.where('user_sources.source', '=', source)
  return base
}

const COLUMNS = [
  'users.id',
  'users.email',
  'users.email_key',
  'users.first_name',
  'users.last_name',
  'users.display_name',
  'users.platform_role',
  'users.status',
  'users.external_id',
  'users.password_hash',
  'users.created_at',
  'users.updated_at',
  'users.version',
] as const

/** The sort key of each sortable column; ties break on the id. */
function sortKey(sort: UserSort): Expression<unknown> {
  switch (sort) {
    case 'name':
      return fold(sql`coalesce(users.display_name, users.first_name, users.email)`)
    case 'email':
      return sql.ref('users.email_key')
    case 'role':
      // ADMIN, OPERATOR, MEMBER: by rank, not by spelling.
      return sql`case users.platform_role when 'ADMIN' then 0 when 'OPERATOR' then 1 else 2 end`
    case 'status':
      return sql.ref('users.status')
    case 'updated':
      return sql.ref('users.updated_at')
    default:
      return sort satisfies never
  }
}

type Row = Awaited<ReturnType<ReturnType<typeof selectUsers>['execute']>>[number]

function selectUsers(base: UsersQuery) {
  return base.select([...COLUMNS, sourceOf.as('source')])
}

export async function listConsoleUsers(
  db: Kysely<Database>,
  platformId: string,
  { sort = 'email', order = 'asc', limit, offset, ...filter }: UserQuery,
): Promise<{ total: number; users: ConsoleUser[] }> {
  const base = filtered(db, platformId, filter)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    selectUsers(base)
      .orderBy(sortKey(sort), order)
      .orderBy('users.id', order)
      .limit(limit)
      .offset(offset)
      .execute(),
  ])
  return { total: Number(count.n), users: await withProjects(db, platformId, rows) }
}

export async function getConsoleUser(
  db: Kysely<Database>,
  platformId: string,
  id: string,
): Promise<ConsoleUser | undefined> {
  const rows = await selectUsers(filtered(db, platformId, { id })).execute()
  return (await withProjects(db, platformId, rows))[0]
}

/**
 * The users matching `filter`, `batchSize` at a time in email order (keyset on email_key and id), so
 * an export of 100,000 users holds one batch in memory, never all of them.
 */
export async function* streamConsoleUsers(
  db: Kysely<Database>,
  platformId: string,
  filter: UserFilter,
  batchSize = 1000,
): AsyncGenerator<ConsoleUser[]> {
  let after: { key: string; id: string } | undefined
  for (;;) {
    let query = selectUsers(filtered(db, platformId, filter))
    if (after) {
      const { key, id } = after
      query = query.where((eb) =>
        eb.or([
          eb('users.email_key', '>', key),
          eb.and([eb('users.email_key', '=', key), eb('users.id', '>', id)]),
        ]),
      )
    }
    const rows = await query.orderBy('users.email_key').orderBy('users.id').limit(batchSize).execute()
    if (rows.length === 0) return
    yield await withProjects(db, platformId, rows)
    if (rows.length < batchSize) return
    const last = rows[rows.length - 1] as Row
    after = { key: last.email_key, id: last.id }
  }
}

async function withProjects(db: Kysely<Database>, platformId: string, rows: Row[]): Promise<ConsoleUser[]> {
  const projects = await projectsOf(
    db,
    platformId,
    rows.map((r) => r.id),
  )
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    displayName: r.display_name,
    platformRole: r.platform_role,
    status: r.status,
    externalId: r.external_id,
    source: r.source,
    hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
    projects: projects.get(r.id) ?? [],
  }))
}

async function projectsOf(db: Kysely<Database>, platformId: string, userIds: string[]) {
  const byUser = new Map<string, UserProject[]>()
  if (userIds.length === 0) return byUser
  const rows = await db
    .selectFrom('project_members')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .select([
      'project_members.user_id',
      'projects.id',
      'projects.display_name',
      'project_members.role',
      'project_members.role_explicit',
    ])
    .where('project_members.platform_id', '=', platformId)
    .where('projects.platform_id', '=', platformId)
    .where('project_members.user_id', 'in', userIds)
    .orderBy('projects.display_key')
    .execute()
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? []
    list.push({
      id: row.id,
      displayName: row.display_name,
      role: row.role,
      roleExplicit: Number(row.role_explicit) === 1,
    })
    byUser.set(row.user_id, list)
  }
  return byUser
}

/** How the user last signed in to Muster (accepted, not a test), if ever. */
export async function lastSignIn(
  db: Kysely<Database>,
  platformId: string,
  userId: string,
): Promise<{ method: SignInMethod; at: string } | undefined> {
  const row = await db
    .selectFrom('sign_in_events')
    .select(['method', 'created_at'])
    .where('platform_id', '=', platformId)
    .where('user_id', '=', userId)
    .where('outcome', '=', 'accepted')
    .where('test', '=', 0)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && { method: row.method, at: row.created_at }
}

/** The user's most recent provisioning log rows (the user as resource, or added to/removed from projects by id). */
export async function recentUserEvents(db: Kysely<Database>, platformId: string, userId: string, limit = 10) {
  const rows = await db
    .selectFrom('events')
    .select([
      'id',
      'created_at',
      'method',
      'path',
      'status',
      'actor_type',
      'resource_type',
      'resource_id',
      'changes',
    ])
    .where('platform_id', '=', platformId)
    .where('resource_type', '=', 'User')
    .where('resource_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    createdAt: r.created_at,
    method: r.method,
    path: r.path,
    status: Number(r.status),
    actor: r.actor_type,
    changes: r.changes === null ? null : (fromJson(r.changes) as Record<string, unknown>),
  }))
}

/** Records that a user came to exist other than over SCIM (see UserSource). */
export async function setUserSource(db: Kysely<Database>, userId: string, source: 'sso' | 'local') {
  await db.insertInto('user_sources').values({ user_id: userId, source }).execute()
}
