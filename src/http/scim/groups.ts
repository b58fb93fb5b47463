// /Groups (rfc7644#section-3): projects as SCIM Group resources. Writes go through src/domain (member
// rules, deltas, journal); reads stream members page by page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { createGroup, deleteGroup, groupNotFound, patchGroup, replaceGroup } from '../../domain/groups.js'
import { toGroupResource } from '../../domain/resources.js'
import { type ProjectionOptions, projectResource } from '../../scim/project.js'
import { normalizeResource, readMembers } from '../../scim/resource.js'
import { etag, matchesIfNoneMatch } from '../../scim/version.js'
import type { Store } from '../../store/database.js'
import { streamMembers } from '../../store/members.js'
import { getProject, listProjects } from '../../store/projects.js'
import type { ProjectRow } from '../../store/schema.js'
import { methodNotAllowed } from './errors.js'
import { writeContext } from './events.js'
import { type GroupBody, memberKeys, memberWriter, streamGroup, streamList } from './group-json.js'
import { parseListFilter, readListQuery, storeListOptions } from './list.js'
import { baseUrl, projectionOf, scimQuery } from './request.js'

export interface Options {
  readonly store: Store
  readonly config: Config
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>

export async function groupRoutes(app: FastifyInstance, { store, config }: Options): Promise<void> {
  const limits = {
    maxOperations: config.SCIM_MAX_OPERATIONS,
    maxMembersPerOp: config.SCIM_MAX_MEMBERS_PER_OPERATION,
  }

  const list = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = readListQuery(request, config)
    const filter = parseListFilter(query, config)
    const options = storeListOptions(query, filter, 'Group', store.dialect)
    const page = await listProjects(store, request.scim.platformId, options)
    const projection = { attributes: query.attributes, excludedAttributes: query.excludedAttributes }
    const bodies = page.rows.map((row) => groupBody({ store, config }, request, row, projection))
    return reply
      .type('application/scim+json; charset=utf-8')
      .send(streamList(bodies, page.total, query.startIndex))
  }
  app.get('/Groups', list)
  app.post('/Groups/.search', list)
  methodNotAllowed(app, '/Groups/.search', ['POST'])

  app.get('/Groups/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const row = await getProject(store.db, request.scim.platformId, request.params.id)
    if (!row) throw groupNotFound(request.params.id)
    if (matchesIfNoneMatch(request.headers['if-none-match'], row.version)) return reply.code(304).send()
    return sendGroup(request, reply, 200, row, projection)
  })

  app.post('/Groups', async (request, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('Group', request.body)
    const ids = readMembers(request.body, config.SCIM_MAX_MEMBERS_PER_OPERATION) ?? []
    const row = await createGroup(writeContext(request, reply, config, store, 201), resource, ids)
    request.eventRecorded = true
    reply.header('location', `${baseUrl(request, config)}/Groups/${row.id}`)
    // A group created without members has none to read back.
    return sendGroup(request, reply, 201, row, projection, { empty: ids.length === 0 })
  })

  app.put('/Groups/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('Group', request.body)
    const ids = readMembers(request.body, config.SCIM_MAX_MEMBERS_PER_OPERATION)
    const ctx = writeContext(request, reply, config, store, 200)
    const row = await replaceGroup(ctx, request.params.id, resource, ids)
    request.eventRecorded = true
    return sendGroup(request, reply, 200, row, projection)
  })

  app.patch('/Groups/:id', async (request: IdRequest, reply) => {
    // rfc7644#section-3.5.2: 204 unless the client asked for attributes back.
    const params = scimQuery(request)
    const projection = projectionOf(request)
    const status = params.attributes === undefined && params.excludedattributes === undefined ? 204 : 200
    const ctx = writeContext(request, reply, config, store, status)
    const row = await patchGroup(ctx, request.params.id, request.body, limits)
    request.eventRecorded = true
    return status === 204 ? reply.code(204).send() : sendGroup(request, reply, 200, row, projection)
  })

  app.delete('/Groups/:id', async (request: IdRequest, reply) => {
    await deleteGroup(writeContext(request, reply, config, store, 204), request.params.id)
    request.eventRecorded = true
    return reply.code(204).send()
  })
  methodNotAllowed(app, '/Groups', ['GET', 'POST'])
  methodNotAllowed(app, '/Groups/:id', ['GET', 'PUT', 'PATCH', 'DELETE'])

  async function sendGroup(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    row: ProjectRow,
    projection: ProjectionOptions,
    { empty = false } = {},
  ) {
    reply.header('etag', etag(row.version))
    reply.code(status).type('application/scim+json; charset=utf-8')
    const body = groupBody({ store, config }, request, row, projection)
    return reply.send(streamGroup(empty ? { resource: body.resource } : body))
  }
}

/** A group to stream: its projected resource and, when returned, its member pages. */
export function groupBody(
  { store, config }: Options,
  request: FastifyRequest,
  row: ProjectRow,
  projection: ProjectionOptions,
): GroupBody {
  const base = baseUrl(request, config)
  const resource = projectResource('Group', toGroupResource(row, base), projection)
  const keys = memberKeys(projection)
  if (!keys) return { resource }
  const write = memberWriter(keys, base)
  return {
    resource,
    members: async function* () {
      for await (const page of streamMembers(store.db, row.id)) yield page.map(write)
    },
  }
}
