// POST /.search at the root (rfc7644#section-3.4.3): one query over Users and Groups. The filter is
// applied to each resource type that it can apply to; results are users first, then groups, paged
// over the two as one list.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Expression, SqlBool } from 'kysely'
import { ScimError } from '../../scim/errors.js'
import type { FilterNode } from '../../scim/filter.js'
import type { Dialect } from '../../store/database.js'
import { groupFilter, userFilter } from '../../store/filter-sql.js'
import type { ListOptions } from '../../store/page.js'
import { listProjects } from '../../store/projects.js'
import { listUsers } from '../../store/users.js'
import { methodNotAllowed } from './errors.js'
import { streamList } from './group-json.js'
import { groupBody, type Options } from './groups.js'
import { parseListFilter, readListQuery } from './list.js'
import { renderUsers, wantsGroups } from './users.js'

export async function searchRoutes(app: FastifyInstance, options: Options): Promise<void> {
  const { store, config } = options
  app.post('/.search', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = readListQuery(request, config)
    if (query.sortBy !== undefined) {
      throw new ScimError(
        400,
        'sortBy is not supported across resource types; search /Users or /Groups.',
        'invalidValue',
      )
    }
    const filter = parseListFilter(query, config)
    const { users, groups } = compileBoth(filter, store.dialect)
    const { platformId } = request.scim
    const count = (where: Expression<SqlBool> | undefined): ListOptions => ({ where, offset: 0, limit: 0 })
    const userTotal = users.skip ? 0 : (await listUsers(store, platformId, count(users.where))).total
    const groupTotal = groups.skip ? 0 : (await listProjects(store, platformId, count(groups.where))).total

    const offset = query.startIndex - 1
    const userLimit = Math.max(0, Math.min(query.count, userTotal - offset))
    const groupOffset = Math.max(0, offset - userTotal)
    const groupLimit = Math.max(0, Math.min(query.count - userLimit, groupTotal - groupOffset))
    const projection = { attributes: query.attributes, excludedAttributes: query.excludedAttributes }
    const userRows =
      userLimit > 0
        ? (
            await listUsers(
              store,
              platformId,
              { where: users.where, offset, limit: userLimit },
              { withGroups: wantsGroups(projection) },
            )
          ).rows
        : []
    const groupRows =
      groupLimit > 0
        ? (
            await listProjects(store, platformId, {
              where: groups.where,
              offset: groupOffset,
              limit: groupLimit,
            })
          ).rows
        : []
    const bodies = [
      ...(await renderUsers(options, request, userRows, projection)).map((resource) => ({ resource })),
      ...groupRows.map((row) => groupBody(options, request, row, projection)),
    ]
    return reply
      .type('application/scim+json; charset=utf-8')
      .send(streamList(bodies, userTotal + groupTotal, query.startIndex))
  })
  methodNotAllowed(app, '/.search', ['POST'])
}

interface Compiled {
  readonly skip: boolean
  readonly where: Expression<SqlBool> | undefined
}

/** Compiles the filter for each type; a type whose attributes it does not know is left out, both → 400. */
function compileBoth(
  filter: FilterNode | undefined,
  dialect: Dialect,
): { users: Compiled; groups: Compiled } {
  if (!filter) return { users: { skip: false, where: undefined }, groups: { skip: false, where: undefined } }
  const errors: ScimError[] = []
  const attempt = (compile: (node: FilterNode, dialect: Dialect) => Expression<SqlBool>): Compiled => {
    try {
      return { skip: false, where: compile(filter, dialect) }
    } catch (error) {
      if (!(error instanceof ScimError)) throw error
      errors.push(error)
      return { skip: true, where: undefined }
    }
  }
  const users = attempt(userFilter)
  const groups = attempt(groupFilter)
  if (errors.length === 2) throw errors[0]
  return { users, groups }
}
