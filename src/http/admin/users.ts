// Platform users for the console: search and page, change the platform role, deactivate/reactivate.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { changeAccess } from '../../domain/users.js'
import { etag } from '../../scim/version.js'
import { listConsoleUsers } from '../../store/console-users.js'
import { HttpError, validate } from './errors.js'
import type { AdminOptions } from './index.js'
import { paging, searchText } from './paging.js'
import { writeContext } from './write.js'

const PLATFORM_ROLES = ['ADMIN', 'OPERATOR', 'MEMBER'] as const

const listQuery = z.object({
  q: searchText,
  role: z.enum(PLATFORM_ROLES, 'Choose ADMIN, OPERATOR or MEMBER.').optional(),
  status: z.enum(['ACTIVE', 'INACTIVE'], 'Choose ACTIVE or INACTIVE.').optional(),
  ...paging,
})

const changeBody = z
  .object({
    platformRole: z.enum(PLATFORM_ROLES, 'Choose ADMIN, OPERATOR or MEMBER.').optional(),
    active: z.boolean('Choose true or false.').optional(),
    /** The version the admin saw: the change fails with 412 when the user changed since (If-Match). */
    version: z.number('Send the version as a number.').int().min(0).optional(),
  })
  .refine((b) => b.platformRole !== undefined || b.active !== undefined, {
    message: 'Send platformRole, active or both.',
  })

export async function userRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store } = options
  app.get('/users', async (request) => {
    const query = validate(listQuery, request.query)
    const { total, users } = await listConsoleUsers(store.db, request.admin.platformId, query)
    return { total, limit: query.limit, offset: query.offset, users }
  })

  app.patch<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    const change = validate(changeBody, request.body)
    const { platformId, userId } = request.admin
    // An admin cannot lock themselves out; another admin (or the IdP) can change them.
    if (
      request.params.id === userId &&
      (change.active === false || (change.platformRole ?? 'ADMIN') !== 'ADMIN')
    ) {
      throw new HttpError(409, 'own_account', 'You cannot demote or deactivate your own account.')
    }
    const { version, ...access } = change
    const ctx = writeContext(request, reply, options)
    await changeAccess(
      version === undefined ? ctx : { ...ctx, ifMatch: etag(version) },
      request.params.id,
      access,
    )
    request.log.info({ userId: request.params.id, change }, 'user changed in the console')
    const { users } = await listConsoleUsers(store.db, platformId, {
      limit: 1,
      offset: 0,
      id: request.params.id,
    })
    return { user: users[0] }
  })
}
