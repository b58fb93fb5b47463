// POST and PUT bodies → a canonical resource (https://www.rfc-editor.org/rfc/rfc7644#section-3.3 and
// section-3.5.1): canonical attribute names, extensions under their canonical URN, `schemas` recomputed.
// Unknown and read-only attributes are ignored (RFC 7644 §3.5.1); values are otherwise kept verbatim.

import { coerceAttribute } from './coerce.js'
import { invalidSyntax, invalidValue } from './errors.js'
import { getCaseInsensitive, hasCaseInsensitive, isObject, type JsonObject } from './json.js'
import { parseMemberIds } from './members.js'
import {
  type ResolvedAttribute,
  resolveAttribute,
  resolveExtension,
  resourceType,
  schemasOf,
} from './schemas/index.js'
import type { ResourceTypeName, ScimResource } from './schemas/types.js'

export function normalizeResource(type: ResourceTypeName, body: unknown): ScimResource {
  if (!isObject(body)) throw invalidSyntax(`The ${type} body must be a JSON object`)
  const resource: ScimResource = {}
  for (const key of Object.keys(body)) {
    const raw = body[key]
    if (raw === null || key.toLowerCase() === 'schemas') continue
    const extension = resolveExtension(type, key)
    if (extension) {
      if (!isObject(raw)) throw invalidValue(`"${extension.id}" must be an object`)
      for (const inner of Object.keys(raw)) {
        const resolved = resolveAttribute(type, `${extension.id}:${inner}`)
        if (resolved && !resolved.subAttribute) assign(resource, resolved, raw[inner])
      }
      continue
    }
    const resolved = resolveAttribute(type, key)
    // Only core names and URN-prefixed names at the top level; `name.givenName` keys are not RFC.
    if (!resolved || resolved.subAttribute || (resolved.extension && !key.toLowerCase().startsWith('urn:')))
      continue
    assign(resource, resolved, raw)
  }
  checkRequired(type, resource)
  return withSchemas(type, resource)
}

function assign(resource: ScimResource, resolved: ResolvedAttribute, raw: unknown): void {
  const { attribute, schema, extension } = resolved
  if (attribute.mutability === 'readOnly' || isMembers(resolved)) return
  const path = extension ? `${schema}:${attribute.name}` : attribute.name
  const value = coerceAttribute(schema, attribute, raw, path)
  if (value === undefined) return
  if (!extension) {
    resource[attribute.name] = value
    return
  }
  const data = isObject(resource[schema]) ? (resource[schema] as JsonObject) : {}
  data[attribute.name] = value
  resource[schema] = data
}

/** Required attributes of the core schema must be present and non-empty (RFC 7643 §2.2 "required"). */
function checkRequired(type: ResourceTypeName, resource: ScimResource): void {
  for (const def of schemasOf(type)[0]!.schema.attributes) {
    const value = resource[def.name]
    if (def.required && (value === undefined || (typeof value === 'string' && value.trim() === ''))) {
      throw invalidValue(`Attribute "${def.name}" is required`)
    }
  }
}

/** Group members are stored as rows, not in the resource: see readMembers. */
export function isMembers(resolved: ResolvedAttribute): boolean {
  return resolved.schema === resourceType('Group').schema && resolved.attribute.name === 'members'
}

/**
 * `schemas` = the core schema plus each extension that holds data (RFC 7643 §3: "schemas" lists the
 * schemas the resource uses); empty extension objects are dropped. Returns a new object.
 */
export function withSchemas(type: ResourceTypeName, resource: ScimResource): ScimResource {
  const [core, ...extensions] = schemasOf(type)
  const out: ScimResource = { schemas: [core!.schema.id] }
  for (const key of Object.keys(resource)) if (key !== 'schemas') out[key] = resource[key]
  for (const { schema } of extensions) {
    const data = out[schema.id]
    if (isObject(data) && Object.keys(data).length > 0) (out.schemas as string[]).push(schema.id)
    else delete out[schema.id]
  }
  return out
}

/**
 * The member ids of a POST/PUT Group body, or `undefined` when the body has no `members` key
 * (the caller decides whether PUT without `members` empties the group; RFC 7644 §3.5.1 says it does).
 */
export function readMembers(body: unknown, maxMembers?: number): string[] | undefined {
  if (!isObject(body)) throw invalidSyntax('The Group body must be a JSON object')
  if (!hasCaseInsensitive(body, 'members')) return undefined
  return parseMemberIds(getCaseInsensitive(body, 'members'), maxMembers)
}
