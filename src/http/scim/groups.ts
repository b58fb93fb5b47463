// /Groups (rfc7644#section-3): projects as SCIM Group resources; members are membership rows,
// changed by set deltas and streamed on read.
import { isDeepStrictEqual } from 'node:util'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { Config } from '../../config.js'
import { attributeNames, changedAttributes } from '../../scim/diff.js'
import { invalidValue, notFound } from '../../scim/errors.js'
import { applyPatch, type MemberOp } from '../../scim/patch.js'
import { type ProjectionOptions, projectResource } from '../../scim/project.js'
import { normalizeResource, readMembers } from '../../scim/resource.js'
import type { ScimResource } from '../../scim/schemas/types.js'
import { checkIfMatch, etag, matchesIfNoneMatch } from '../../scim/version.js'
import type { Store } from '../../store/database.js'
import { recordEvent } from '../../store/events.js'
import {
  addMemberIfUser,
  addMembers,
  type MemberTarget,
  removeAllMembers,
  removeMembers,
  replaceMembers,
  setMemberRoles,
  streamMembers,
  unknownUsers,
} from '../../store/members.js'
import { getPlatform } from '../../store/platforms.js'
import {
  bumpProjectVersion,
  deleteProject,
  getProject,
  insertProject,
  listProjects,
  lockProject,
  updateProject,
} from '../../store/projects.js'
import type { Database, ProjectRole, ProjectRow } from '../../store/schema.js'
import { methodNotAllowed, rethrowUniqueness } from './errors.js'
import { eventOf } from './events.js'
import { type GroupBody, memberKeys, memberWriter, streamGroup, streamList } from './group-json.js'
import { parseListFilter, readListQuery, storeListOptions } from './list.js'
import { baseUrl, projectionOf, scimQuery } from './request.js'

export interface Options {
  readonly store: Store
  readonly config: Config
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>

/** Member ids listed in an event, at most; the counts are always exact. */
const EVENT_MEMBER_IDS = 100

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
    const { platformId } = request.scim
    const row = await store.transaction(async (trx) => {
      const project = await insertProject(trx, platformId, resource).catch(
        rethrowUniqueness('group', 'displayName', resource),
      )
      const { added } = await applyMemberOps(trx, project, [{ kind: 'add', ids }])
      const changes = { attributes: attributeNames(resource), ...memberChanges(added, []) }
      await recordEvent(
        trx,
        eventOf(request, reply, { status: 201, resourceType: 'Group', resourceId: project.id, changes }),
      )
      return project
    })
    request.eventRecorded = true
    reply.header('location', `${baseUrl(request, config)}/Groups/${row.id}`)
    // A group created without members has none to read back.
    return sendGroup(request, reply, 201, row, projection, { empty: ids.length === 0 })
  })

  /**
   * PUT replaces the group's attributes. Members are replaced when `members` is sent; when it is
   * omitted they are left as they are (RFC 7644 §3.5.1 lets an omitted readWrite attribute be taken as
   * "not asserted"), so a rename by PUT never empties a group by accident.
   */
  app.put('/Groups/:id', async (request: IdRequest, reply) => {
    const projection = projectionOf(request)
    const resource = normalizeResource('Group', request.body)
    const ids = readMembers(request.body, config.SCIM_MAX_MEMBERS_PER_OPERATION)
    const members: MemberOp[] = ids === undefined ? [] : [{ kind: 'replace', ids }]
    const row = await writeGroup(request, reply, 200, (current) => ({
      resource,
      changed: changedAttributes(current.resource as ScimResource, resource),
      members,
    }))
    return sendGroup(request, reply, 200, row, projection)
  })

  app.patch('/Groups/:id', async (request: IdRequest, reply) => {
    // rfc7644#section-3.5.2: 204 unless the client asked for attributes back.
    const params = scimQuery(request)
    const projection = projectionOf(request)
    const status = params.attributes === undefined && params.excludedattributes === undefined ? 204 : 200
    const row = await writeGroup(request, reply, status, (current) =>
      applyPatch('Group', current.resource as ScimResource, request.body, limits),
    )
    return status === 204 ? reply.code(204).send() : sendGroup(request, reply, 200, row, projection)
  })

  app.delete('/Groups/:id', async (request: IdRequest, reply) => {
    const { platformId } = request.scim
    await store.transaction(async (trx) => {
      const row = (await lockProject(trx, platformId, request.params.id))?.project
      if (!row) throw groupNotFound(request.params.id)
      checkIfMatch(request.headers['if-match'], row.version)
      await deleteProject(trx, platformId, row.id)
      const changes = { deleted: true, displayName: row.display_name }
      await recordEvent(
        trx,
        eventOf(request, reply, { status: 204, resourceType: 'Group', resourceId: row.id, changes }),
      )
    })
    request.eventRecorded = true
    return reply.code(204).send()
  })
  methodNotAllowed(app, '/Groups', ['GET', 'POST'])
  methodNotAllowed(app, '/Groups/:id', ['GET', 'PUT', 'PATCH', 'DELETE'])

  interface GroupChange {
    readonly resource: ScimResource
    readonly changed: readonly string[]
    readonly members: readonly MemberOp[]
  }

  /**
   * Locks the project row, computes the change, writes the resource (when it changed) and the member
   * deltas, bumps the version once, and records the event: one transaction. Concurrent PATCHes to one
   * group queue on the row lock (PostgreSQL) or the write lock (SQLite), so none is lost.
   */
  async function writeGroup(
    request: IdRequest,
    reply: FastifyReply,
    status: number,
    change: (current: ProjectRow) => GroupChange,
  ) {
    const { platformId } = request.scim
    const row = await store.transaction(async (trx) => {
      const locked = await lockProject(trx, platformId, request.params.id)
      if (!locked) throw groupNotFound(request.params.id)
      const { project: current, platformRole } = locked
      checkIfMatch(request.headers['if-match'], current.version)
      const { resource, changed, members } = change(current)
      if (typeof resource.displayName !== 'string' || resource.displayName.trim() === '') {
        throw invalidValue('Attribute "displayName" is required and cannot be empty.')
      }
      const resourceChanged = !isDeepStrictEqual(resource, current.resource)
      let next = current
      if (resourceChanged) {
        next = await updateProject(trx, current, resource).catch(
          rethrowUniqueness('group', 'displayName', resource),
        )
        if (next.project_role !== current.project_role) {
          await setMemberRoles(trx, next.id, await memberRole(trx, next, platformRole))
        }
      }
      const delta = await applyMemberOps(trx, next, members, platformRole)
      const membersChanged = delta.added.length > 0 || delta.removed.length > 0
      if (membersChanged && !resourceChanged) next = await bumpProjectVersion(trx, next)
      const changes = {
        attributes: resourceChanged ? changed : [],
        ...memberChanges(delta.added, delta.removed),
      }
      await recordEvent(
        trx,
        eventOf(request, reply, { status, resourceType: 'Group', resourceId: current.id, changes }),
      )
      return next
    })
    request.eventRecorded = true
    return row
  }

  /** Applies member deltas in request order; an id that is not a user of the platform fails the request. */
  async function applyMemberOps(
    trx: Transaction<Database>,
    project: ProjectRow,
    ops: readonly MemberOp[],
    platformRole?: ProjectRole | null,
  ) {
    const added = new Set<string>()
    const removed = new Set<string>()
    const note = (ids: readonly string[], into: Set<string>, from: Set<string>) => {
      for (const id of ids) if (!from.delete(id)) into.add(id)
    }
    let target: MemberTarget | undefined
    const targetOf = async () => {
      target ??= {
        projectId: project.id,
        platformId: project.platform_id,
        role: await memberRole(trx, project, platformRole),
      }
      return target
    }
    for (const op of ops) {
      switch (op.kind) {
        case 'add':
          if (op.ids.length === 0) break
          if (op.ids.length === 1) {
            // One statement in the common case; only an id that inserted nothing is looked up again.
            const id = op.ids[0] as string
            if (await addMemberIfUser(trx, await targetOf(), id)) note([id], added, removed)
            else await checkUsers(trx, project.platform_id, op.ids)
            break
          }
          await checkUsers(trx, project.platform_id, op.ids)
          note(await addMembers(trx, await targetOf(), op.ids), added, removed)
          break
        case 'remove':
          note(await removeMembers(trx, project.id, op.ids), removed, added)
          break
        case 'removeAll':
          note(await removeAllMembers(trx, project.id), removed, added)
          break
        case 'replace': {
          await checkUsers(trx, project.platform_id, op.ids)
          const delta = await replaceMembers(trx, await targetOf(), op.ids)
          note(delta.removed, removed, added)
          note(delta.added, added, removed)
          break
        }
        default:
          op satisfies never
      }
    }
    return { added: [...added], removed: [...removed] }
  }

  /** The role of new members: the group's projectRole, else the platform's setting, else the config. */
  /**
   * The role of new members: the group's projectRole, else the platform's setting (given when the
   * caller read it already, see lockProject), else the config.
   */
  async function memberRole(
    db: Kysely<Database>,
    project: ProjectRow,
    platformRole?: ProjectRole | null,
  ): Promise<ProjectRole> {
    if (project.project_role) return project.project_role
    const platform =
      platformRole === undefined
        ? (await getPlatform(db, project.platform_id))?.default_project_role
        : platformRole
    return platform ?? config.SCIM_DEFAULT_PROJECT_ROLE
  }

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

/** The SCIM view of a stored project without its members (they are streamed separately). */
export function toGroupResource(row: ProjectRow, base: string): ScimResource {
  const { schemas, ...rest } = row.resource as ScimResource
  return {
    schemas,
    id: row.id,
    ...rest,
    meta: {
      resourceType: 'Group',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${base}/Groups/${row.id}`,
      version: etag(row.version),
    },
  }
}

async function checkUsers(db: Kysely<Database>, platformId: string, ids: readonly string[]): Promise<void> {
  const unknown = await unknownUsers(db, platformId, ids)
  if (unknown.length === 0) return
  const shown = unknown.slice(0, 10).join(', ')
  const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''
  throw invalidValue(`Members are not users of this platform: ${shown}${more}. Nothing was changed.`)
}

function memberChanges(added: readonly string[], removed: readonly string[]) {
  return {
    ...(added.length
      ? { membersAdded: added.slice(0, EVENT_MEMBER_IDS), membersAddedCount: added.length }
      : {}),
    ...(removed.length
      ? { membersRemoved: removed.slice(0, EVENT_MEMBER_IDS), membersRemovedCount: removed.length }
      : {}),
  }
}

function groupNotFound(id: string) {
  return notFound(`Group ${id} not found.`)
}
