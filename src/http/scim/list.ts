// The list pipeline shared by GET /Users, GET /Groups and their .search forms: query → filter and
// sort compiled for the store → page → projected ListResponse.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { type FilterNode, parseFilter } from '../../scim/filter.js'
import { type ListQuery, listQueryFromParams, listQueryFromSearch } from '../../scim/list.js'
import type { Dialect } from '../../store/database.js'
import { groupFilter, keyMatch, userFilter } from '../../store/filter-sql.js'
import type { ListOptions } from '../../store/page.js'
import { groupSort, userSort } from '../../store/sort-sql.js'
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

const compilers = {
  User: { filter: userFilter, sort: userSort },
  Group: { filter: groupFilter, sort: groupSort },
} as const

/**
 * Store list options for a query on one resource type: the filter compiled (or, when it is one
 * equality on a key column, its key match), the sort, offset and limit.
 */
export function storeListOptions(
  query: ListQuery,
  filter: FilterNode | undefined,
  type: 'User' | 'Group',
  dialect: Dialect,
): ListOptions {
  const key = query.sortBy === undefined ? keyMatch(filter, type) : undefined
  return {
    where: filter && !key ? compilers[type].filter(filter, dialect) : undefined,
    key,
    orderBy: query.sortBy === undefined ? undefined : compilers[type].sort(query.sortBy, dialect),
    descending: query.sortOrder === 'descending',
    offset: query.startIndex - 1,
    limit: query.count,
  }
}
