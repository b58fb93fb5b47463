// Platform settings: the project role SCIM group members get when neither the group nor the project
// says otherwise. null falls back to the server's SCIM_DEFAULT_PROJECT_ROLE.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { setPlatformDefaultRole } from '../../domain/groups.js'
import { getPlatform } from '../../store/platforms.js'
import { notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { projectRole } from './projects.js'
import { writeContext } from './write.js'

const changeBody = z.object({ defaultProjectRole: projectRole.nullable() })

export async function settingsRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store, config } = options
  const view = async (platformId: string) => {
    const platform = await getPlatform(store.db, platformId)
    if (!platform) throw notFound('The platform')
    return {
      platform: { id: platform.id, name: platform.name },
      defaultProjectRole: platform.default_project_role,
      serverDefaultProjectRole: config.SCIM_DEFAULT_PROJECT_ROLE,
      effectiveDefaultProjectRole: platform.default_project_role ?? config.SCIM_DEFAULT_PROJECT_ROLE,
    }
  }

  app.get('/settings', async (request) => view(request.admin.platformId))

  app.patch('/settings', async (request, reply) => {
    const { defaultProjectRole } = validate(changeBody, request.body)
    // Members who follow the default take the new one (src/domain/groups.ts).
    await setPlatformDefaultRole(writeContext(request, reply, options), defaultProjectRole)
    return view(request.admin.platformId)
  })
}
