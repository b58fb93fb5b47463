// Projects (SCIM groups) and their members with effective roles; an admin may change a member's role
// or the project's role (after seeing whom it changes), and export memberships as CSV.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { setMemberRole, setProjectRole } from '../../domain/groups.js'
import { withEffectiveRole } from '../../domain/roles.js'
import {
  type ConsoleMember,
  getConsoleProject,
  listConsoleProjects,
  listProjectMembers,
  type MembershipRow,
  type RoleImpact,
  roleImpact,
  streamMemberships,
} from '../../store/console-projects.js'
import { getPlatform } from '../../store/platforms.js'
import type { ProjectRole } from '../../store/schema.js'
import { sendCsv } from './csv-export.js'
import { notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { paging, searchText } from './paging.js'
import { writeContext } from './write.js'

export const PROJECT_ROLES = ['Admin', 'Editor', 'Viewer'] as const
export const projectRole = z.enum(PROJECT_ROLES, 'Choose Admin, Editor or Viewer.')

const listQuery = z.object({ q: searchText, ...paging })
/** A role, or "" / absent for "none of its own" (the platform default, or following the project). */
const roleOrNone = z.union([projectRole, z.literal('').transform(() => null)]).optional()

const withEffective = <T extends ConsoleMember>(m: T) => withEffectiveRole(m, m)
const impactView = (impact: RoleImpact) => ({ ...impact, members: impact.members.map(withEffective) })

export async function projectRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store, config } = options
  app.get('/projects', async (request) => {
    const query = validate(listQuery, request.query)
    const { total, projects } = await listConsoleProjects(store.db, request.admin.platformId, query)
    return { total, limit: query.limit, offset: query.offset, projects }
  })

  /** The role a project's members follow when it has none of its own: the platform default. */
  const platformDefault = async (platformId: string): Promise<ProjectRole> =>
    (await getPlatform(store.db, platformId))?.default_project_role ?? config.SCIM_DEFAULT_PROJECT_ROLE

  // What setting the platform default to `role` would change (Settings asks before it saves).
  app.get('/projects/default-role-impact', async (request) => {
    const { role } = validate(z.object({ role: roleOrNone }), request.query)
    const applied = role ?? config.SCIM_DEFAULT_PROJECT_ROLE
    const impact = await roleImpact(store.db, request.admin.platformId, { platformDefault: true }, applied)
    return { role: applied, ...impactView(impact) }
  })

  app.get('/projects/memberships.csv', async (request, reply) =>
    sendMemberships(
      reply,
      'memberships.csv',
      streamMemberships(store.db, request.admin.platformId, undefined),
    ),
  )

  app.get<{ Params: { id: string } }>('/projects/:id', async (request) => {
    const query = validate(listQuery, request.query)
    const { platformId } = request.admin
    const project = await getConsoleProject(store.db, platformId, request.params.id)
    if (!project) throw notFound('The project')
    const { total, members } = await listProjectMembers(store.db, platformId, project.id, query)
    return {
      project: { ...project, followedRole: project.projectRole ?? (await platformDefault(platformId)) },
      members: { total, limit: query.limit, offset: query.offset, items: members.map(withEffective) },
    }
  })

  app.get<{ Params: { id: string } }>('/projects/:id/members.csv', async (request, reply) => {
    const { platformId } = request.admin
    const project = await getConsoleProject(store.db, platformId, request.params.id)
    if (!project) throw notFound('The project')
    const name = project.displayName.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'project'
    return sendMemberships(reply, `${name}-members.csv`, streamMemberships(store.db, platformId, project.id))
  })

  // What setting the project's role to `role` would change, before the admin confirms it.
  app.get<{ Params: { id: string } }>('/projects/:id/role-impact', async (request) => {
    const { role } = validate(z.object({ role: roleOrNone }), request.query)
    const { platformId } = request.admin
    const project = await getConsoleProject(store.db, platformId, request.params.id)
    if (!project) throw notFound('The project')
    const applied = role ?? (await platformDefault(platformId))
    const impact = await roleImpact(store.db, platformId, { projectId: project.id }, applied)
    return { role: applied, ...impactView(impact) }
  })

  app.patch<{ Params: { id: string } }>('/projects/:id', async (request, reply) => {
    const { projectRole: role } = validate(z.object({ projectRole: projectRole.nullable() }), request.body)
    await setProjectRole(writeContext(request, reply, options), request.params.id, role)
    request.log.info({ projectId: request.params.id, role }, 'project role changed in the console')
    const project = await getConsoleProject(store.db, request.admin.platformId, request.params.id)
    return { project }
  })

  app.patch<{ Params: { id: string; userId: string } }>(
    '/projects/:id/members/:userId',
    async (request, reply) => {
      // null: the member follows the project's role again.
      const { role } = validate(z.object({ role: projectRole.nullable() }), request.body)
      const { id, userId } = request.params
      const changed = await setMemberRole(writeContext(request, reply, options), id, userId, role)
      if (!changed) throw notFound('The membership')
      request.log.info({ projectId: id, userId, role }, 'member role changed in the console')
      return { projectId: id, userId, role }
    },
  )
}

const MEMBERSHIP_COLUMNS = [
  'project id',
  'project',
  'user id',
  'email',
  'display name',
  'platform role',
  'status',
  'project role',
  'role set by',
  'effective role',
]

function sendMemberships(
  reply: Parameters<typeof sendCsv>[0],
  filename: string,
  batches: AsyncIterable<MembershipRow[]>,
) {
  return sendCsv(reply, filename, MEMBERSHIP_COLUMNS, batches, (m) => [
    m.projectId,
    m.projectName,
    m.userId,
    m.email,
    m.displayName,
    m.platformRole,
    m.status,
    m.role,
    m.roleExplicit ? 'admin' : 'project',
    withEffective(m).effectiveRole ?? 'none (inactive)',
  ])
}
