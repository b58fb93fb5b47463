// Projects (SCIM groups) and their members with effective roles; an admin may change a member's role.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { setMemberRole } from '../../domain/groups.js'
import { getConsoleProject, listConsoleProjects, listProjectMembers } from '../../store/console-projects.js'
import { notFound, validate } from './errors.js'
import type { AdminOptions } from './index.js'
import { paging, searchText } from './paging.js'
import { writeContext } from './write.js'

export const PROJECT_ROLES = ['Admin', 'Editor', 'Viewer'] as const
export const projectRole = z.enum(PROJECT_ROLES, 'Choose Admin, Editor or Viewer.')

const listQuery = z.object({ q: searchText, ...paging })

export async function projectRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store } = options
  app.get('/projects', async (request) => {
    const query = validate(listQuery, request.query)
    const { total, projects } = await listConsoleProjects(store.db, request.admin.platformId, query)
    return { total, limit: query.limit, offset: query.offset, projects }
  })

  app.get<{ Params: { id: string } }>('/projects/:id', async (request) => {
    const query = validate(listQuery, request.query)
    const { platformId } = request.admin
    const project = await getConsoleProject(store.db, platformId, request.params.id)
    if (!project) throw notFound('The project')
    const { total, members } = await listProjectMembers(store.db, platformId, project.id, query)
    return { project, members: { total, limit: query.limit, offset: query.offset, items: members } }
  })

  app.patch<{ Params: { id: string; userId: string } }>(
    '/projects/:id/members/:userId',
    async (request, reply) => {
      const { role } = validate(z.object({ role: projectRole }), request.body)
      const { id, userId } = request.params
      const changed = await setMemberRole(writeContext(request, reply, options), id, userId, role)
      if (!changed) throw notFound('The membership')
      request.log.info({ projectId: id, userId, role }, 'member role changed in the console')
      return { projectId: id, userId, role }
    },
  )
}
