// `attributes` / `excludedAttributes` (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.5 and
// section-3.9), driven by each attribute's `returned` characteristic (RFC 7643 §2.2):
// "always" is always kept, "never" always dropped, "request" only when asked for.

import { invalidValue } from './errors.js'
import { isObject, type JsonObject } from './json.js'
import {
  commonAttributes,
  findAttribute,
  resolveAttribute,
  resolveExtension,
  resourceType,
  schemasOf,
} from './schemas/index.js'
import type { AttributeDef, ResourceTypeName, ScimResource } from './schemas/types.js'

export interface ProjectionOptions {
  readonly attributes?: readonly string[] | undefined
  readonly excludedAttributes?: readonly string[] | undefined
}

export type ProjectionParameter = 'attributes' | 'excludedAttributes'

/**
 * `"userName, name.givenName"` → `['userName', 'name.givenName']`; undefined when nothing is listed.
 *
 * The list holds attribute names in attribute notation (rfc7644#section-3.9, section-3.10), which has no
 * value filters. `attributes=emails[type eq "work"]` would otherwise select nothing and the emails would
 * silently go missing from the answer, so a client could not tell "no work email" from "not asked";
 * it is refused with 400 invalidValue naming the parameter.
 */
export function parseAttributeList(
  raw: string | undefined,
  parameter: ProjectionParameter = 'attributes',
): string[] | undefined {
  if (raw === undefined) return undefined
  const bracket = raw.search(/[[\]]/)
  if (bracket >= 0) {
    const start = raw.lastIndexOf(',', bracket) + 1
    const close = raw.indexOf(']', bracket)
    const entry = raw.slice(start, close < 0 ? undefined : close + 1).trim()
    throw invalidValue(
      `${parameter} lists attribute names without value filters (RFC 7644 §3.10): ` +
        `${JSON.stringify(entry)} has one; name the attribute (${JSON.stringify(entry.split('[')[0]?.trim() ?? '')}) ` +
        'and select values with filter.',
    )
  }
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  return names.length > 0 ? names : undefined
}

/** Per attribute (keyed `schema|name`): everything, or only some sub-attributes (lower-case names). */
type Selection = Map<string, 'all' | Set<string>>

const coreByType = new Map<ResourceTypeName, readonly AttributeDef[]>()

/** The common attributes and the core schema's, one list per type (kept: findAttribute indexes it). */
function coreAttributesOf(type: ResourceTypeName): readonly AttributeDef[] {
  let attributes = coreByType.get(type)
  if (!attributes) {
    attributes = [...commonAttributes, ...schemasOf(type)[0]!.schema.attributes]
    coreByType.set(type, attributes)
  }
  return attributes
}

export function projectResource(
  type: ResourceTypeName,
  resource: ScimResource,
  options: ProjectionOptions = {},
): ScimResource {
  const included = options.attributes?.length ? select(type, options.attributes) : undefined
  const excluded = select(type, options.excludedAttributes ?? [])
  const coreSchema = resourceType(type).schema
  const coreAttributes = coreAttributesOf(type)
  const out: ScimResource = {}
  for (const key of Object.keys(resource)) {
    const value = resource[key]
    if (key === 'schemas') {
      out[key] = value
      continue
    }
    const extension = resolveExtension(type, key)
    if (extension) {
      if (!isObject(value)) continue
      const projected = projectObject(extension.id, extension.attributes, value, included, excluded)
      if (Object.keys(projected).length > 0) out[extension.id] = projected
      continue
    }
    const def = findAttribute(coreAttributes, key)
    if (!def) {
      if (!included) out[key] = value
      continue
    }
    const projected = projectAttribute(coreSchema, def, value, included, excluded)
    if (projected !== undefined) out[def.name] = projected
  }
  return out
}

function projectObject(
  schema: string,
  defs: readonly AttributeDef[],
  data: JsonObject,
  included: Selection | undefined,
  excluded: Selection,
): JsonObject {
  const out: JsonObject = {}
  for (const key of Object.keys(data)) {
    const def = findAttribute(defs, key)
    const projected = def ? projectAttribute(schema, def, data[key], included, excluded) : undefined
    if (def && projected !== undefined) out[def.name] = projected
  }
  return out
}

function projectAttribute(
  schema: string,
  def: AttributeDef,
  value: unknown,
  included: Selection | undefined,
  excluded: Selection,
): unknown {
  if (def.returned === 'never') return undefined
  const subs = def.type === 'complex' ? (def.subAttributes ?? []) : []
  if (def.returned === 'always') return projectComplex(value, subs, 'all', undefined)
  const key = `${schema}|${def.name}`
  const inclusion = included ? included.get(key) : def.returned === 'request' ? undefined : 'all'
  const exclusion = excluded.get(key)
  if (inclusion === undefined || exclusion === 'all') return undefined
  return projectComplex(value, subs, inclusion, exclusion)
}

/** Keeps the wanted sub-attributes of a complex value (or of each element of a multi-valued one). */
function projectComplex(
  value: unknown,
  subs: readonly AttributeDef[],
  inclusion: 'all' | Set<string>,
  exclusion: Set<string> | undefined,
): unknown {
  if (subs.length === 0) return value
  const keep = (sub: AttributeDef): boolean =>
    sub.returned !== 'never' &&
    (sub.returned === 'always' ||
      ((inclusion === 'all' ? sub.returned !== 'request' : inclusion.has(sub.name.toLowerCase())) &&
        !exclusion?.has(sub.name.toLowerCase())))
  const one = (element: unknown): unknown => {
    if (!isObject(element)) return element
    const out: JsonObject = {}
    for (const k of Object.keys(element)) {
      const sub = findAttribute(subs, k)
      if (sub && keep(sub)) out[sub.name] = element[k]
    }
    return out
  }
  return Array.isArray(value) ? value.map(one) : one(value)
}

function select(type: ResourceTypeName, names: readonly string[]): Selection {
  const selection: Selection = new Map()
  const add = (key: string, sub: string | undefined): void => {
    const current = selection.get(key)
    if (current === 'all') return
    if (sub === undefined) selection.set(key, 'all')
    else selection.set(key, (current ?? new Set()).add(sub.toLowerCase()))
  }
  for (const name of names) {
    const whole = schemasOf(type).find((s) => s.schema.id.toLowerCase() === name.toLowerCase())
    if (whole) {
      for (const def of whole.schema.attributes) add(`${whole.schema.id}|${def.name}`, undefined)
      continue
    }
    const resolved = resolveAttribute(type, name)
    if (resolved) add(`${resolved.schema}|${resolved.attribute.name}`, resolved.subAttribute?.name)
  }
  return selection
}
