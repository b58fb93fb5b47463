// The console's view of projects (SCIM groups) and their members, with each member's effective role.
import type { Kysely, SelectQueryBuilder } from 'kysely'
import { ilike } from './like.js'
import type { Database, PlatformRole, ProjectRole, UserStatus } from './schema.js'

/**
 * The higher of the member's project role and what the platform role implies (SPEC.md, Project
 * member): ADMIN → Admin of every project, OPERATOR → at least Editor. A platform role raises, never
 * lowers, so an OPERATOR who is a project Admin stays Admin.
 */
export function effectiveProjectRole(platformRole: PlatformRole, memberRole: ProjectRole): ProjectRole {
  if (platformRole === 'ADMIN') return 'Admin'
  if (platformRole === 'OPERATOR' && memberRole === 'Viewer') return 'Editor'
  return memberRole
}

export interface ConsoleProject {
  readonly id: string
  readonly displayName: string
  readonly externalId: string | null
  /** Role given to this project's SCIM members; null → the platform default. */
  readonly projectRole: ProjectRole | null
  readonly memberCount: number
  readonly createdAt: string
  readonly updatedAt: string
}

export interface Page {
  readonly q?: string | undefined
  readonly limit: number
  readonly offset: number
}

export async function listConsoleProjects(
  db: Kysely<Database>,
  platformId: string,
  { q, limit, offset }: Page,
): Promise<{ total: number; projects: ConsoleProject[] }> {
  let base = db.selectFrom('projects').where('projects.platform_id', '=', platformId)
  if (q)
    base = base.where((eb) => eb.or([ilike('projects.display_name', q), ilike('projects.external_id', q)]))
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    withProjectColumns(base)
      .orderBy('projects.display_key')
      .orderBy('projects.id')
      .limit(limit)
      .offset(offset)
      .execute(),
  ])
  return { total: Number(count.n), projects: rows.map(toProject) }
}

export async function getConsoleProject(
  db: Kysely<Database>,
  platformId: string,
  id: string,
): Promise<ConsoleProject | undefined> {
  const base = db
    .selectFrom('projects')
    .where('projects.platform_id', '=', platformId)
    .where('projects.id', '=', id)
  const row = await withProjectColumns(base).executeTakeFirst()
  return row && toProject(row)
}

function withProjectColumns(query: SelectQueryBuilder<Database, 'projects', object>) {
  return query.select((eb) => [
    'projects.id',
    'projects.display_name',
    'projects.external_id',
    'projects.project_role',
    'projects.created_at',
    'projects.updated_at',
    eb
      .selectFrom('project_members')
      .select((m) => m.fn.countAll<number>().as('c'))
      .whereRef('project_members.project_id', '=', 'projects.id')
      .as('member_count'),
  ])
}

function toProject(r: {
  id: string
  display_name: string
  external_id: string | null
  project_role: ProjectRole | null
  created_at: string
  updated_at: string
  member_count: number | null
}): ConsoleProject {
  return {
    id: r.id,
    displayName: r.display_name,
    externalId: r.external_id,
    projectRole: r.project_role,
    memberCount: Number(r.member_count ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export interface ConsoleMember {
  readonly userId: string
  readonly email: string
  readonly displayName: string | null
  readonly platformRole: PlatformRole
  readonly status: UserStatus
  readonly role: ProjectRole
  readonly effectiveRole: ProjectRole
}

/** One page of a project's members (a project can have 100,000 of them). */
export async function listProjectMembers(
  db: Kysely<Database>,
  platformId: string,
  projectId: string,
  { q, limit, offset }: Page,
): Promise<{ total: number; members: ConsoleMember[] }> {
  let base = db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .where('project_members.platform_id', '=', platformId)
    .where('users.platform_id', '=', platformId)
    .where('project_members.project_id', '=', projectId)
  if (q) base = base.where((eb) => eb.or([ilike('users.email', q), ilike('users.display_name', q)]))
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .select([
        'users.id',
        'users.email',
        'users.display_name',
        'users.platform_role',
        'users.status',
        'project_members.role',
      ])
      .orderBy('users.email_key')
      .orderBy('users.id')
      .limit(limit)
      .offset(offset)
      .execute(),
  ])
  const members = rows.map((r) => ({
    userId: r.id,
    email: r.email,
    displayName: r.display_name,
    platformRole: r.platform_role,
    status: r.status,
    role: r.role,
    effectiveRole: effectiveProjectRole(r.platform_role, r.role),
  }))
  return { total: Number(count.n), members }
}
