// The page of a person who signed in through SSO (any role): who they are, their platform role, and
// their projects with effective roles. Nobody sees another platform or another person.
import type { FastifyInstance } from 'fastify'
import { withEffectiveRole } from '../../domain/roles.js'
import { listConsoleUsers } from '../../store/console-users.js'
import { notFound } from './errors.js'
import type { AdminOptions } from './options.js'
import { requireAccount } from './session.js'

export async function accountRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get('/account', { onRequest: requireAccount(store) }, async (request) => {
    const { userId, platformId, platformName } = request.account
    const { users } = await listConsoleUsers(store.db, platformId, { id: userId, limit: 1, offset: 0 })
    const user = users[0]
    if (!user) throw notFound('Your account')
    return {
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        firstName: user.firstName,
        lastName: user.lastName,
        platformRole: user.platformRole,
      },
      platform: { id: platformId, name: platformName },
      consoleAccess: user.platformRole === 'ADMIN',
      projects: user.projects.map((p) => withEffectiveRole(p, user)),
    }
  })
}
