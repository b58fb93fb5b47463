// The console's view of projects (SCIM groups) and their members (effective roles are added by
// src/domain/roles.ts), what a change of role would do to them, and keyset streams for exports.
import type { Kysely, SelectQueryBuilder } from 'kysely'
import { ilike } from './like.js'
import type { Database, PlatformRole, ProjectRole, UserStatus } from './schema.js'

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
  /** True when an admin set this role by hand; the project's role or the platform default does not apply. */
  readonly roleExplicit: boolean
}

const MEMBER_COLUMNS = [
  'users.id',
  'users.email',
  'users.display_name',
  'users.platform_role',
  'users.status',
  'project_members.role',
  'project_members.role_explicit',
] as const

function toMember(r: {
  id: string
  email: string
  display_name: string | null
  platform_role: PlatformRole
  status: UserStatus
  role: ProjectRole
  role_explicit: number
}): ConsoleMember {
  return {
    userId: r.id,
    email: r.email,
    displayName: r.display_name,
    platformRole: r.platform_role,
    status: r.status,
    role: r.role,
    roleExplicit: Number(r.role_explicit) === 1,
  }
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
      .select(MEMBER_COLUMNS)
      .orderBy('users.email_key')
      .orderBy('users.id')
      .limit(limit)
      .offset(offset)
      .execute(),
  ])
  return { total: Number(count.n), members: rows.map(toMember) }
}

/** Who a change of the role that non-explicit members follow would change: a count and the first names. */
export interface RoleImpact {
  /** Members whose role would change. */
  readonly affected: number
  /** The first of them by email, with their current role. */
  readonly members: readonly (ConsoleMember & { projectId: string; projectName: string })[]
  /** Members who keep their role because an admin set it by hand. */
  readonly explicit: number
}

/**
 * What giving `role` to the members who follow the project's role (or, with `projectId` undefined,
 * the platform default: members of every project without a role of its own) would change.
 */
export async function roleImpact(
  db: Kysely<Database>,
  platformId: string,
  target: { projectId: string } | { platformDefault: true },
  role: ProjectRole,
  shown = 20,
): Promise<RoleImpact> {
  let base = db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .where('project_members.platform_id', '=', platformId)
    .where('projects.platform_id', '=', platformId)
  base =
    'projectId' in target
      ? base.where('project_members.project_id', '=', target.projectId)
      : base.where('projects.project_role', 'is', null)
  const following = base
    .where('project_members.role_explicit', '=', 0)
    .where('project_members.role', '<>', role)
  const [affected, explicit, rows] = await Promise.all([
    following.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .where('project_members.role_explicit', '=', 1)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    following
      .select([...MEMBER_COLUMNS, 'projects.id as project_id', 'projects.display_name as project_name'])
      .orderBy('users.email_key')
      .orderBy('projects.display_key')
      .limit(shown)
      .execute(),
  ])
  return {
    affected: Number(affected.n),
    explicit: Number(explicit.n),
    members: rows.map((r) => ({ ...toMember(r), projectId: r.project_id, projectName: r.project_name })),
  }
}

export interface MembershipRow extends ConsoleMember {
  readonly projectId: string
  readonly projectName: string
}

/**
 * Memberships of one project (or of all the platform's projects), `batchSize` at a time in
 * (project, user) order with a keyset on the primary key, so an export never holds them all.
 */
export async function* streamMemberships(
  db: Kysely<Database>,
  platformId: string,
  projectId: string | undefined,
  batchSize = 1000,
): AsyncGenerator<MembershipRow[]> {
  let after: { project: string; user: string } | undefined
  for (;;) {
    let query = db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .innerJoin('projects', 'projects.id', 'project_members.project_id')
      .where('project_members.platform_id', '=', platformId)
      .where('projects.platform_id', '=', platformId)
      .select([...MEMBER_COLUMNS, 'projects.id as project_id', 'projects.display_name as project_name'])
    if (projectId) query = query.where('project_members.project_id', '=', projectId)
    if (after) {
      const { project, user } = after
      query = query.where((eb) =>
        eb.or([
          eb('project_members.project_id', '>', project),
          eb.and([eb('project_members.project_id', '=', project), eb('project_members.user_id', '>', user)]),
        ]),
      )
    }
    const rows = await query
      .orderBy('project_members.project_id')
      .orderBy('project_members.user_id')
      .limit(batchSize)
      .execute()
    if (rows.length === 0) return
    yield rows.map((r) => ({ ...toMember(r), projectId: r.project_id, projectName: r.project_name }))
    if (rows.length < batchSize) return
    const last = rows[rows.length - 1] as (typeof rows)[number]
    after = { project: last.project_id, user: last.id }
  }
}
