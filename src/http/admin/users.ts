// Platform users for the console: filter, sort and page; one user's page; a CSV export; change the
// platform role, deactivate/reactivate.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { toUserResource } from '../../domain/resources.js'
import { withEffectiveRole } from '../../domain/roles.js'
import { changeAccess } from '../../domain/users.js'
import { etag } from '../../scim/version.js'
import {
  type ConsoleUser,
  getConsoleUser,
  lastSignIn,
  listConsoleUsers,
  recentUserEvents,
  streamConsoleUsers,
  USER_SORTS,
  USER_SOURCES,
} from '../../store/console-users.js'
import { groupsOfUsers } from '../../store/members.js'
import { getUser } from '../../store/users.js'
import { baseUrl } from '../scim/request.js'
import { sendCsv } from './csv-export.js'
import { HttpError, notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { paging, searchText } from './paging.js'
import { writeContext } from './write.js'

const PLATFORM_ROLES = ['ADMIN', 'OPERATOR', 'MEMBER'] as const

const filterQuery = {
  q: searchText,
  role: z.enum(PLATFORM_ROLES, 'Choose ADMIN, OPERATOR or MEMBER.').optional(),
  status: z.enum(['ACTIVE', 'INACTIVE'], 'Choose ACTIVE or INACTIVE.').optional(),
  source: z.enum(USER_SOURCES, 'Choose scim, sso or local.').optional(),
}

const listQuery = z.object({
  ...filterQuery,
  sort: z.enum(USER_SORTS, 'Sort by name, email, role, status or updated.').optional(),
  order: z.enum(['asc', 'desc'], 'Choose asc or desc.').optional(),
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

/** A user as the console shows them: each project with the effective role (src/domain/roles.ts). */
const view = (user: ConsoleUser) => ({
  ...user,
  projects: user.projects.map((p) => withEffectiveRole(p, user)),
})

export async function userRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store, config } = options
  app.get('/users', async (request) => {
    const query = validate(listQuery, request.query)
    const { total, users } = await listConsoleUsers(store.db, request.admin.platformId, query)
    return { total, limit: query.limit, offset: query.offset, users: users.map(view) }
  })

  app.get('/users.csv', async (request, reply) => {
    const filter = validate(z.object(filterQuery), request.query)
    const batches = streamConsoleUsers(store.db, request.admin.platformId, filter)
    return sendCsv(reply, 'users.csv', USER_COLUMNS, batches, (user) => {
      const u = view(user)
      return [
        u.id,
        u.email,
        u.displayName,
        u.firstName,
        u.lastName,
        u.platformRole,
        u.status,
        u.source,
        u.externalId,
        u.createdAt,
        u.updatedAt,
        u.projects.map((p) => `${p.displayName} (${p.effectiveRole ?? 'none'})`).join('; '),
      ]
    })
  })

  app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
    const { platformId } = request.admin
    const user = await getConsoleUser(store.db, platformId, request.params.id)
    const row = user && (await getUser(store.db, platformId, user.id))
    if (!user || !row) throw notFound('The user')
    const base = baseUrl(request, config)
    const groups = (await groupsOfUsers(store, platformId, [row.id])).get(row.id) ?? []
    const refs = groups.map((g) => ({ ...g, $ref: `${base}/Groups/${g.value}` }))
    const [signIn, events] = await Promise.all([
      lastSignIn(store.db, platformId, user.id),
      recentUserEvents(store.db, platformId, user.id),
    ])
    return {
      user: view(user),
      /** The user as SCIM reads it (GET /Users/{id}). */
      scim: toUserResource(row, base, refs),
      lastSignIn: signIn ?? null,
      events,
    }
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
    const user = await getConsoleUser(store.db, platformId, request.params.id)
    return { user: user && view(user) }
  })
}

const USER_COLUMNS = [
  'id',
  'email',
  'display name',
  'first name',
  'last name',
  'platform role',
  'status',
  'source',
  'external id',
  'created',
  'last change',
  'projects (effective role)',
]
