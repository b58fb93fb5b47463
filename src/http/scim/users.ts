// /Users (rfc7644#section-3): platform users as SCIM User resources.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { toUserResource } from '../../domain/resources.js'
import { createUser, deleteUser, patchUser, replaceUser, userNotFound } from '../../domain/users.js'
import { ScimError } from '../../scim/errors.js'
import { listResponse } from '../../scim/list.js'
import { type ProjectionOptions, projectResource } from '../../scim/project.js'
import { normalizeResource } from '../../scim/resource.js'
import type { ScimResource } from '../../scim/schemas/types.js'
import { etag, matchesIfNoneMatch } from '../../scim/version.js'
import type { Store } from '../../store/database.js'
import type { UserGroup } from '../../store/members.js'
import { groupsOfUsers } from '../../store/members.js'
import type { UserRow } from '../../store/schema.js'
import { listUsers, readUser } from '../../store/users.js'
import { methodNotAllowed } from './errors.js'
import { writeContext } from './events.js'
import { parseListFilter, readListQuery, storeListOptions } from './list.js'
import { baseUrl, projectionOf } from './request.js'

export interface Options {
  readonly store: Store
  readonly config: Config
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>

export async function userRoutes(app: FastifyInstance, { store, config }: Options): Promise<void> {
  const list = async (request: FastifyRequest) => {
    const query = readListQuery(request, config)
    const filter = parseListFilter(query, config)
    const options = storeListOptions(query, filter, 'User', store.dialect)
    const projection = { attributes: query.attributes, excludedAttributes: query.excludedAttributes }
    const withGroups = wantsGroups(projection)
    const page = await listUsers(store, request.scim.platformId, options, { withGroups })
    const resources = await renderUsers({ store, config }, request, page.rows, projection)
    return listResponse(resources, page.total, query.startIndex)
  }
  app.get('/Users', list)
  app.post('/Users/.search', list)
  methodNotAllowed(app, '/Users/.search', ['POST'])

  app.get('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const withGroups = wantsGroups(projection)
    const row = await readUser(store, request.scim.platformId, request.params.id, { withGroups })
    if (!row) throw userNotFound(request.params.id)
    if (matchesIfNoneMatch(request.headers['if-none-match'], row.version)) return reply.code(304).send()
    return sendUser(request, reply, 200, row, projection)
  })

  app.post('/Users', async (request, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('User', request.body)
    const row = await createUser(writeContext(request, reply, config, store, 201), resource)
    request.eventRecorded = true
    reply.header('location', `${baseUrl(request, config)}/Users/${row.id}`)
    // A user that was just created belongs to no group yet: no membership query.
    return sendUser(request, reply, 201, row, projection, { newUser: true })
  })

  app.put('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('User', request.body)
    const ctx = writeContext(request, reply, config, store, 200)
    const row = await replaceUser(ctx, request.params.id, resource)
    request.eventRecorded = true
    return sendUser(request, reply, 200, row, projection)
  })

  app.patch('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const limits = {
      maxOperations: config.SCIM_MAX_OPERATIONS,
      maxMembersPerOp: config.SCIM_MAX_MEMBERS_PER_OPERATION,
    }
    const ctx = writeContext(request, reply, config, store, 200)
    const row = await patchUser(ctx, request.params.id, request.body, limits)
    request.eventRecorded = true
    return sendUser(request, reply, 200, row, projection)
  })

  app.delete('/Users/:id', async (request: IdRequest, reply) => {
    await deleteUser(writeContext(request, reply, config, store, 204), request.params.id)
    request.eventRecorded = true
    return reply.code(204).send()
  })
  methodNotAllowed(app, '/Users', ['GET', 'POST'])
  methodNotAllowed(app, '/Users/:id', ['GET', 'PUT', 'PATCH', 'DELETE'])

  /** RFC 7644 §3.11: /Me needs a subject, which a platform API key does not have. */
  app.all('/Me', async () => {
    throw new ScimError(501, '/Me is not supported: the bearer token is a platform API key, not a user.')
  })

  async function sendUser(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    row: RenderedRow,
    projection: ProjectionOptions,
    { newUser = false } = {},
  ) {
    const [resource] = await renderUsers({ store, config }, request, [row], projection, newUser)
    reply.header('etag', etag(row.version))
    return reply.code(status).send(resource)
  }
}

/** A user row, with its groups when the read brought them (see listUsers and readUser). */
type RenderedRow = UserRow & { readonly groups?: readonly UserGroup[] }

/**
 * Users as SCIM resources. When the projection returns `groups`, rows read with their groups use
 * them; others (the row a write returned) have theirs read in one query.
 */
export async function renderUsers(
  { store, config }: Options,
  request: FastifyRequest,
  rows: readonly RenderedRow[],
  projection: ProjectionOptions,
  withoutGroups = false,
): Promise<ScimResource[]> {
  const base = baseUrl(request, config)
  const wanted = !withoutGroups && wantsGroups(projection)
  const missing = wanted ? rows.filter((r) => r.groups === undefined).map((r) => r.id) : []
  const read = missing.length > 0 ? await groupsOfUsers(store, request.scim.platformId, missing) : undefined
  return rows.map((row) => {
    const groups = wanted ? (row.groups ?? read?.get(row.id)) : undefined
    const refs = groups?.map((g) => ({ ...g, $ref: `${base}/Groups/${g.value}` }))
    return projectResource('User', toUserResource(row, base, refs), projection)
  })
}

/** Whether a projection can return `groups`, so the membership query can be skipped when it cannot. */
export function wantsGroups(projection: ProjectionOptions) {
  const names = (list: readonly string[] | undefined) =>
    (list ?? []).map((a) => a.toLowerCase().replace(/^urn:.*:user:/, ''))
  if (names(projection.excludedAttributes).includes('groups')) return false
  const attributes = names(projection.attributes)
  return attributes.length === 0 || attributes.some((a) => a === 'groups' || a.startsWith('groups.'))
}
