// The console's view of platform users: search and paging over the derived columns. The changes an
// admin makes by hand go through src/domain/users.ts like every other write.
import type { Kysely } from 'kysely'
import { effectiveProjectRole } from './console-projects.js'
import { ilike } from './like.js'
import type { Database, PlatformRole, ProjectRole, UserStatus } from './schema.js'

export interface UserProject {
  readonly id: string
  readonly displayName: string
  readonly role: ProjectRole
  readonly effectiveRole: ProjectRole
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
  readonly hasPassword: boolean
  readonly createdAt: string
  readonly updatedAt: string
  /** The user's version (SCIM meta.version): sent back with a change, which fails if it moved. */
  readonly version: number
  readonly projects: UserProject[]
}

export interface UserQuery {
  /** One user by id (used to answer a change with the new state). */
  readonly id?: string | undefined
  readonly q?: string | undefined
  readonly role?: PlatformRole | undefined
  readonly status?: UserStatus | undefined
  readonly limit: number
  readonly offset: number
}

export async function listConsoleUsers(
  db: Kysely<Database>,
  platformId: string,
  { id, q, role, status, limit, offset }: UserQuery,
): Promise<{ total: number; users: ConsoleUser[] }> {
  let base = db.selectFrom('users').where('platform_id', '=', platformId)
  if (q) {
    base = base.where((eb) =>
      eb.or(['email', 'display_name', 'first_name', 'last_name', 'external_id'].map((c) => ilike(c, q))),
    )
  }
  if (id) base = base.where('id', '=', id)
  if (role) base = base.where('platform_role', '=', role)
  if (status) base = base.where('status', '=', status)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .select([
        'id',
        'email',
        'first_name',
        'last_name',
        'display_name',
        'platform_role',
        'status',
        'external_id',
        'password_hash',
        'created_at',
        'updated_at',
        'version',
      ])
      .orderBy('email_key')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute(),
  ])
  const projects = await projectsOf(
    db,
    platformId,
    rows.map((r) => r.id),
  )
  const users = rows.map((r) => ({
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    displayName: r.display_name,
    platformRole: r.platform_role,
    status: r.status,
    externalId: r.external_id,
    hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
    projects: (projects.get(r.id) ?? []).map((p) => ({
      ...p,
      effectiveRole: effectiveProjectRole(r.platform_role, p.role),
    })),
  }))
  return { total: Number(count.n), users }
}

async function projectsOf(db: Kysely<Database>, platformId: string, userIds: string[]) {
  const byUser = new Map<string, { id: string; displayName: string; role: ProjectRole }[]>()
  if (userIds.length === 0) return byUser
  const rows = await db
    .selectFrom('project_members')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .select(['project_members.user_id', 'projects.id', 'projects.display_name', 'project_members.role'])
    .where('project_members.platform_id', '=', platformId)
    .where('projects.platform_id', '=', platformId)
    .where('project_members.user_id', 'in', userIds)
    .orderBy('projects.display_key')
    .execute()
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? []
    list.push({ id: row.id, displayName: row.display_name, role: row.role })
    byUser.set(row.user_id, list)
  }
  return byUser
}
