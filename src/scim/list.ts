// Query parameters of a list or .search request and the ListResponse body
// (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2 and section-3.4.3).
import { invalidValue } from './errors.js'
import { isObject } from './json.js'
import { parseAttributeList } from './project.js'
import { LIST_SCHEMA } from './schemas/index.js'

export interface ListQuery {
  readonly filter: string | undefined
  readonly sortBy: string | undefined
  readonly sortOrder: 'ascending' | 'descending'
  /** 1-based; values below 1 are read as 1 (rfc7644#section-3.4.2.4). */
  readonly startIndex: number
  /** Page size after capping; 0 asks only for totalResults. */
  readonly count: number
  readonly attributes: string[] | undefined
  readonly excludedAttributes: string[] | undefined
}

/** Largest startIndex taken as given: beyond any real result set, within every database's integers. */
const MAX_START_INDEX = 2 ** 31

export interface ListLimits {
  readonly defaultCount: number
  readonly maxResults: number
}

/** From GET query parameters, whose names the caller has lower-cased. */
export function listQueryFromParams(
  params: Record<string, string | undefined>,
  limits: ListLimits,
): ListQuery {
  return {
    filter: nonEmpty(params.filter),
    sortBy: nonEmpty(params.sortby),
    sortOrder: sortOrder(params.sortorder),
    // Clamped so that a huge startIndex reads as "past the end" rather than overflowing the database.
    startIndex: Math.min(Math.max(1, integer(params.startindex, 'startIndex') ?? 1), MAX_START_INDEX),
    count: pageSize(integer(params.count, 'count'), limits),
    attributes: parseAttributeList(params.attributes, 'attributes'),
    excludedAttributes: parseAttributeList(params.excludedattributes, 'excludedAttributes'),
  }
}

/** From a POST .search body (rfc7644#section-3.4.3); member names are case-insensitive. */
export function listQueryFromSearch(body: unknown, limits: ListLimits): ListQuery {
  if (body !== undefined && !isObject(body)) throw invalidValue('The .search body must be a JSON object.')
  const params: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(body ?? {})) {
    const name = key.toLowerCase()
    if (name === 'schemas' || value === null || value === undefined) continue
    if (name === 'attributes' || name === 'excludedattributes') {
      params[name] = Array.isArray(value) ? value.map(String).join(',') : String(value)
    } else if (typeof value === 'string' || typeof value === 'number') {
      params[name] = String(value)
    } else {
      throw invalidValue(`"${key}" in a .search body must be a string or number.`)
    }
  }
  return listQueryFromParams(params, limits)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || !Number.isInteger(n))
    throw invalidValue(`${name} must be an integer, not "${value}".`)
  return n
}

function sortOrder(value: string | undefined): 'ascending' | 'descending' {
  if (value === undefined || value === '') return 'ascending'
  const order = value.toLowerCase()
  if (order === 'ascending' || order === 'descending') return order
  throw invalidValue(`sortOrder must be "ascending" or "descending", not "${value}".`)
}

/** Negative counts are read as 0; larger than maxResults is capped silently (rfc7644#section-3.4.2.4). */
function pageSize(count: number | undefined, limits: ListLimits): number {
  if (count === undefined) return Math.min(limits.defaultCount, limits.maxResults)
  return Math.min(Math.max(0, count), limits.maxResults)
}

export interface ListResponse<T> {
  schemas: [typeof LIST_SCHEMA]
  totalResults: number
  startIndex: number
  itemsPerPage: number
  Resources: T[]
}

export function listResponse<T>(resources: T[], totalResults: number, startIndex: number): ListResponse<T> {
  return {
    schemas: [LIST_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  }
}
