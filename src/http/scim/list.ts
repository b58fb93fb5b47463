// The list pipeline shared by GET /Users, GET /Groups and their .search forms: query → filter and
// sort compiled for the store → page → projected ListResponse.
import type { FastifyRequest } from 'fastify'
import type { Expression, SqlBool } from 'kysely'
import type { Config } from '../../config.js'
import { type FilterNode, parseFilter } from '../../scim/filter.js'
import { type ListQuery, listQueryFromParams, listQueryFromSearch } from '../../scim/list.js'
import type { Dialect } from '../../store/database.js'
import type { KeyMatch } from '../../store/page.js'
import { scimQuery } from './request.js'

export function listLimits(config: Config) {
  return { defaultCount: 100, maxResults: config.SCIM_MAX_RESULTS }
}

/** The list query of a GET (query string) or a POST .search (body). */
export function readListQuery(request: FastifyRequest, config: Config): ListQuery {
  return request.method === 'POST'
    ? listQueryFromSearch(request.body, listLimits(config))
    : listQueryFromParams(scimQuery(request), listLimits(config))
}

export function parseListFilter(query: ListQuery, config: Config): FilterNode | undefined {
  return query.filter === undefined
    ? undefined
    : parseFilter(query.filter, {
        maxLength: config.SCIM_MAX_FILTER_LENGTH,
        maxDepth: config.SCIM_MAX_FILTER_DEPTH,
      })
}

export interface Compilers {
  filter(node: FilterNode, dialect: Dialect): Expression<SqlBool>
  sort(sortBy: string, dialect: Dialect): Expression<unknown>
  key(node: FilterNode | undefined): KeyMatch | undefined
}

/** Store list options for a query: compiled filter (or key match) and sort, offset and limit. */
export function storeListOptions(
  query: ListQuery,
  filter: FilterNode | undefined,
  compilers: Compilers,
  dialect: Dialect,
) {
  const key = query.sortBy === undefined ? compilers.key(filter) : undefined
  return {
    where: filter && !key ? compilers.filter(filter, dialect) : undefined,
    key,
    orderBy: query.sortBy === undefined ? undefined : compilers.sort(query.sortBy, dialect),
    descending: query.sortOrder === 'descending',
    offset: query.startIndex - 1,
    limit: query.count,
  }
}
