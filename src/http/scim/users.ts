// /Users (rfc7644#section-3): platform users as SCIM User resources.
import { isDeepStrictEqual } from 'node:util'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { attributeNames, changedAttributes } from '../../scim/diff.js'
import { invalidValue, notFound, ScimError } from '../../scim/errors.js'
import { listResponse } from '../../scim/list.js'
import { applyPatch } from '../../scim/patch.js'
import { type ProjectionOptions, projectResource } from '../../scim/project.js'
import { normalizeResource } from '../../scim/resource.js'
import type { ScimResource } from '../../scim/schemas/types.js'
import { userView } from '../../scim/user-view.js'
import { checkIfMatch, etag, matchesIfNoneMatch } from '../../scim/version.js'
import type { Store } from '../../store/database.js'
import { recordEvent } from '../../store/events.js'
import { groupsOfUsers } from '../../store/members.js'
import type { UserRow } from '../../store/schema.js'
import { deleteUser, getUser, insertUser, listUsers, updateUser } from '../../store/users.js'
import { methodNotAllowed, rethrowUniqueness } from './errors.js'
import { eventOf } from './events.js'
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
    const page = await listUsers(store, request.scim.platformId, options)
    const projection = { attributes: query.attributes, excludedAttributes: query.excludedAttributes }
    const resources = await renderUsers({ store, config }, request, page.rows, projection)
    return listResponse(resources, page.total, query.startIndex)
  }
  app.get('/Users', list)
  app.post('/Users/.search', list)
  methodNotAllowed(app, '/Users/.search', ['POST'])

  app.get('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const row = await getUser(store.db, request.scim.platformId, request.params.id)
    if (!row) throw userNotFound(request.params.id)
    if (matchesIfNoneMatch(request.headers['if-none-match'], row.version)) return reply.code(304).send()
    return sendUser(request, reply, 200, row, projection)
  })

  app.post('/Users', async (request, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('User', request.body)
    const row = await store.transaction(async (trx) => {
      const inserted = await insertUser(trx, request.scim.platformId, resource).catch(
        rethrowUniqueness('user', 'userName', resource),
      )
      const changes = { attributes: attributeNames(resource) }
      await recordEvent(
        trx,
        eventOf(request, reply, { status: 201, resourceType: 'User', resourceId: inserted.id, changes }),
      )
      return inserted
    })
    request.eventRecorded = true
    reply.header('location', `${baseUrl(request, config)}/Users/${row.id}`)
    // A user that was just created belongs to no group yet: no membership query.
    return sendUser(request, reply, 201, row, projection, { newUser: true })
  })

  app.put('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('User', request.body)
    const row = await writeUser(request, reply, (current) => ({
      resource,
      changed: changedAttributes(current.resource as ScimResource, resource),
    }))
    return sendUser(request, reply, 200, row, projection)
  })

  app.patch('/Users/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const limits = {
      maxOperations: config.SCIM_MAX_OPERATIONS,
      maxMembersPerOp: config.SCIM_MAX_MEMBERS_PER_OPERATION,
    }
    const row = await writeUser(request, reply, (current) => {
      const result = applyPatch('User', current.resource as ScimResource, request.body, limits)
      return { resource: result.resource, changed: result.changed }
    })
    return sendUser(request, reply, 200, row, projection)
  })

  app.delete('/Users/:id', async (request: IdRequest, reply) => {
    const { platformId } = request.scim
    await store.transaction(async (trx) => {
      const row = await getUser(trx, platformId, request.params.id, { lock: true })
      if (!row) throw userNotFound(request.params.id)
      checkIfMatch(request.headers['if-match'], row.version)
      await deleteUser(trx, platformId, row.id)
      const changes = { deleted: true, userName: row.email }
      await recordEvent(
        trx,
        eventOf(request, reply, { status: 204, resourceType: 'User', resourceId: row.id, changes }),
      )
    })
    request.eventRecorded = true
    return reply.code(204).send()
  })
  methodNotAllowed(app, '/Users', ['GET', 'POST'])
  methodNotAllowed(app, '/Users/:id', ['GET', 'PUT', 'PATCH', 'DELETE'])

  /** RFC 7644 §3.11: /Me needs a subject, which a platform API key does not have. */
  app.all('/Me', async () => {
    throw new ScimError(501, '/Me is not supported: the bearer token is a platform API key, not a user.')
  })

  /**
   * Reads a user under lock, lets `change` compute the new resource, and writes it with its event in one
   * transaction. A change that leaves the resource as it was writes nothing and keeps the version.
   */
  async function writeUser(
    request: IdRequest,
    reply: FastifyReply,
    change: (current: UserRow) => { resource: ScimResource; changed: readonly string[] },
  ): Promise<UserRow> {
    const { platformId } = request.scim
    const row = await store.transaction(async (trx) => {
      const current = await getUser(trx, platformId, request.params.id, { lock: true })
      if (!current) throw userNotFound(request.params.id)
      checkIfMatch(request.headers['if-match'], current.version)
      const { resource, changed } = change(current)
      if (typeof resource.userName !== 'string' || resource.userName.trim() === '') {
        throw invalidValue('Attribute "userName" is required and cannot be empty.')
      }
      const same = isDeepStrictEqual(resource, current.resource)
      const next = same
        ? current
        : await updateUser(trx, current, resource).catch(rethrowUniqueness('user', 'userName', resource))
      const changes = { attributes: same ? [] : changed }
      await recordEvent(
        trx,
        eventOf(request, reply, { status: 200, resourceType: 'User', resourceId: current.id, changes }),
      )
      return next
    })
    request.eventRecorded = true
    return row
  }

  async function sendUser(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    row: UserRow,
    projection: ProjectionOptions,
    { newUser = false } = {},
  ) {
    const [resource] = await renderUsers({ store, config }, request, [row], projection, newUser)
    reply.header('etag', etag(row.version))
    return reply.code(status).send(resource)
  }
}

/** Users as SCIM resources, their `groups` read in one query when the projection returns them. */
export async function renderUsers(
  { store, config }: Options,
  request: FastifyRequest,
  rows: readonly UserRow[],
  projection: ProjectionOptions,
  withoutGroups = false,
): Promise<ScimResource[]> {
  const base = baseUrl(request, config)
  const groups =
    !withoutGroups && wantsGroups(projection)
      ? await groupsOfUsers(
          store,
          request.scim.platformId,
          rows.map((r) => r.id),
        )
      : undefined
  return rows.map((row) => {
    const userGroups = groups?.get(row.id)?.map((g) => ({ ...g, $ref: `${base}/Groups/${g.value}` }))
    return projectResource('User', toUserResource(row, base, userGroups), projection)
  })
}

/** The SCIM view of a stored user: its resource plus id, groups and meta (rfc7643#section-3.1). */
export function toUserResource(
  row: UserRow,
  base: string,
  groups: readonly object[] | undefined,
): ScimResource {
  const { schemas, ...rest } = userView(row.resource as ScimResource, {
    platformRole: row.platform_role,
    base,
  })
  return {
    schemas,
    id: row.id,
    ...rest,
    // Always a JSON boolean (Entra relies on it), from the status, which the console can change too.
    active: row.status === 'ACTIVE',
    ...(groups && groups.length > 0 ? { groups } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${base}/Users/${row.id}`,
      version: etag(row.version),
    },
  }
}

/** Whether a projection can return `groups`, so the membership query can be skipped when it cannot. */
function wantsGroups(projection: ProjectionOptions) {
  const names = (list: readonly string[] | undefined) =>
    (list ?? []).map((a) => a.toLowerCase().replace(/^urn:.*:user:/, ''))
  if (names(projection.excludedAttributes).includes('groups')) return false
  const attributes = names(projection.attributes)
  return attributes.length === 0 || attributes.some((a) => a === 'groups' || a.startsWith('groups.'))
}

function userNotFound(id: string) {
  return notFound(`User ${id} not found.`)
}
