// Attribute names → definitions, case-insensitively (https://www.rfc-editor.org/rfc/rfc7643#section-2.1:
// "Attribute names are case insensitive"), with optional schema URN prefix
// (https://www.rfc-editor.org/rfc/rfc7644#section-3.10).

import { commonAttributes } from './common.js'
import { customGroupSchema, customUserSchema } from './custom.js'
import { enterpriseUserSchema } from './enterprise-user.js'
import { groupSchema } from './group.js'
import { resourceType } from './resource-types.js'
import type { AttributeDef, ResourceTypeName, SchemaDef } from './types.js'
import { userSchema } from './user.js'

export const schemas: readonly SchemaDef[] = [
  userSchema,
  groupSchema,
  enterpriseUserSchema,
  customUserSchema,
  customGroupSchema,
]

export interface ResolvedAttribute {
  readonly schema: string
  readonly extension: boolean
  readonly attribute: AttributeDef
  readonly subAttribute?: AttributeDef
}

export interface ResolvedSchema {
  readonly schema: SchemaDef
  readonly extension: boolean
}

export function findSchema(id: string): SchemaDef | undefined {
  const wanted = id.toLowerCase()
  return schemas.find((s) => s.id.toLowerCase() === wanted)
}

/** Finds a (sub-)attribute definition by name, case-insensitively. */
export function findAttribute(
  defs: readonly AttributeDef[] | undefined,
  name: string,
): AttributeDef | undefined {
  if (!defs) return undefined
  // Names mostly come as the schema spells them (stored resources are written that way): that lookup
  // needs no lower-casing.
  const lookup = byName(defs)
  return lookup.get(name) ?? lookup.get(name.toLowerCase())
}

// The registry is immutable data, so each attribute list's lookup table is built once. Every
// attribute of every request goes through findAttribute (validation, PATCH, projection, filters).
const lookups = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>()

/** Each definition under its lower-case name and under its name as spelled. */
function byName(defs: readonly AttributeDef[]): Map<string, AttributeDef> {
  let lookup = lookups.get(defs)
  if (!lookup) {
    lookup = new Map()
    // The first definition of a name wins, as Array.find did.
    for (const def of defs) if (!lookup.has(def.name.toLowerCase())) lookup.set(def.name.toLowerCase(), def)
    for (const def of defs)
      if (!lookup.has(def.name)) lookup.set(def.name, lookup.get(def.name.toLowerCase())!)
    lookups.set(defs, lookup)
  }
  return lookup
}

const schemasByType = new Map<ResourceTypeName, readonly ResolvedSchema[]>()

/** The schemas of a resource type: the core schema first, then its extensions. */
export function schemasOf(type: ResourceTypeName): readonly ResolvedSchema[] {
  const cached = schemasByType.get(type)
  if (cached) return cached
  const rt = resourceType(type)
  const core = { schema: findSchema(rt.schema)!, extension: false }
  const all = [core, ...rt.schemaExtensions.map((e) => ({ schema: findSchema(e.schema)!, extension: true }))]
  schemasByType.set(type, all)
  return all
}

/** An extension URN of `type`, matched case-insensitively (exact URN only). */
export function resolveExtension(type: ResourceTypeName, urn: string): SchemaDef | undefined {
  // Every key of a resource is asked about; only a URN can name an extension.
  if (urn[0] !== 'u' && urn[0] !== 'U') return undefined
  let extensions = extensionsByType.get(type)
  if (!extensions) {
    extensions = new Map(
      schemasOf(type)
        .filter((s) => s.extension)
        .map((s) => [s.schema.id.toLowerCase(), s.schema]),
    )
    extensionsByType.set(type, extensions)
  }
  return extensions.get(urn.toLowerCase())
}

const extensionsByType = new Map<ResourceTypeName, Map<string, SchemaDef>>()

/**
 * Resolves `userName`, `name.givenName`, `urn:…:User:userName`, `urn:…:enterprise:2.0:User:manager.value`,
 * the Entra variant `urn:…:enterprise:2.0:User.manager`, and common attributes (id, externalId, meta).
 * A bare name that is not core falls back to the extensions (Entra sends `path: "manager"`).
 */
export function resolveAttribute(type: ResourceTypeName, path: string): ResolvedAttribute | undefined {
  const all = schemasOf(type)
  const lower = path.toLowerCase()
  const prefixed = longestUrnFirst(type).find(
    (s) => lower.startsWith(s.schema.id.toLowerCase()) && ':.'.includes(path[s.schema.id.length] ?? '-'),
  )
  if (prefixed) return resolveIn(prefixed, path.slice(prefixed.schema.id.length + 1))
  if (lower.startsWith('urn:')) return undefined
  for (const s of all) {
    const found = resolveIn(s, path)
    if (found) return found
  }
  return undefined
}

const sortedByType = new Map<ResourceTypeName, readonly ResolvedSchema[]>()

/** The schemas of a type, longest URN first, so that no URN can shadow a longer one it prefixes. */
function longestUrnFirst(type: ResourceTypeName): readonly ResolvedSchema[] {
  let sorted = sortedByType.get(type)
  if (!sorted) {
    sorted = [...schemasOf(type)].sort((a, b) => b.schema.id.length - a.schema.id.length)
    sortedByType.set(type, sorted)
  }
  return sorted
}

function resolveIn({ schema, extension }: ResolvedSchema, rest: string): ResolvedAttribute | undefined {
  const [name, sub, ...extra] = rest.split('.')
  if (name === undefined || extra.length > 0) return undefined
  const attribute =
    findAttribute(schema.attributes, name) ?? (extension ? undefined : findAttribute(commonAttributes, name))
  if (!attribute) return undefined
  if (sub === undefined) return { schema: schema.id, extension, attribute }
  const subAttribute = findAttribute(attribute.subAttributes, sub)
  return subAttribute ? { schema: schema.id, extension, attribute, subAttribute } : undefined
}

/**
 * The canonical path of a resolved attribute, as used for audit logs and JSON keys:
 * `name.givenName`, `emails`, `urn:…:enterprise:2.0:User:manager.value`.
 */
export function attributePath(resolved: ResolvedAttribute): string {
  const local = resolved.subAttribute
    ? `${resolved.attribute.name}.${resolved.subAttribute.name}`
    : resolved.attribute.name
  return resolved.extension ? `${resolved.schema}:${local}` : local
}
