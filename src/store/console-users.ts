// The console's view of platform users: search and paging over the derived columns, and the two
// changes an admin makes by hand (platform role, active). Those go through the SCIM resource, so the
// IdP and the console never disagree and the ETag moves.
import type { Kysely, Transaction } from 'kysely'
import { CUSTOM_USER_SCHEMA } from '../scim/schemas/index.js'
import type { ScimResource } from '../scim/schemas/types.js'
import { effectiveProjectRole } from './console-projects.js'
import { ilike } from './like.js'
import type { Database, PlatformRole, ProjectRole, UserStatus } from './schema.js'
import { getUser, updateUser } from './users.js'

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

export interface UserChange {
  readonly platformRole?: PlatformRole | undefined
  readonly active?: boolean | undefined
}

/**
 * Changes a user's platform role and/or status in the SCIM resource and the derived columns at once
 * (call inside a transaction). Losing ADMIN or being deactivated ends the user's sessions.
 * Returns false when the user is not on this platform.
 */
export async function changeUser(
  trx: Transaction<Database>,
  platformId: string,
  id: string,
  change: UserChange,
): Promise<boolean> {
  const row = await getUser(trx, platformId, id, { lock: true })
  if (!row) return false
  const resource = { ...(row.resource as ScimResource) }
  if (change.active !== undefined) resource.active = change.active
  if (change.platformRole !== undefined) {
    const extension = (resource[CUSTOM_USER_SCHEMA] ?? {}) as Record<string, unknown>
    resource[CUSTOM_USER_SCHEMA] = { ...extension, platformRole: change.platformRole }
    const schemas = Array.isArray(resource.schemas) ? (resource.schemas as string[]) : []
    if (!schemas.includes(CUSTOM_USER_SCHEMA)) resource.schemas = [...schemas, CUSTOM_USER_SCHEMA]
  }
  // updateUser ends the sessions that the change takes away (deactivation, loss of ADMIN).
  await updateUser(trx, row, resource)
  return true
}
