// The attribute allow-list of SCIM filters and sortBy: an attribute path resolves, through the schema
// registry, to a mapped column, membership rows, or a JSON path into `resource`. Identifiers and JSON
// path literals come from code and the registry's canonical names only, never from the request.
import { type RawBuilder, sql } from 'kysely'
import type { ScimError } from '../scim/errors.js'
import { findAttribute, type ResolvedAttribute, resolveAttribute } from '../scim/schemas/index.js'
import type { AttributeDef, ResourceTypeName } from '../scim/schemas/types.js'
import { columnFor } from './columns.js'
import type { Dialect } from './database.js'

export type Sql = RawBuilder<any>
export type Fail = (detail: string) => ScimError

/** One value of an attribute, as SQL. */
export interface Scalar {
  readonly def: AttributeDef
  /** The value: text (or a number, for JSON numbers on SQLite); NULL when absent. */
  readonly value: Sql
  /** The column holds the JS-lower-cased value (email_key, display_key): compare with a lower-cased value. */
  readonly key?: boolean
  /** Present and not null, "", [] or {} (rfc7644#section-3.4.2.2, "pr"). */
  readonly present: Sql
  readonly isBoolean?: (value: boolean) => Sql
  readonly number?: Sql
}

/** The elements of a multi-valued attribute: items of a JSON array or membership rows. */
export interface Elements {
  readonly def: AttributeDef
  readonly present: Sql
  exists(predicate: Sql): Sql
  field(sub: AttributeDef): Scalar
  /** `value` of the primary element, else of the first one (rfc7644#section-3.4.2.3); JSON arrays only. */
  readonly first?: (value: Sql, primary: Sql | undefined) => Sql
}

export type Target =
  | { readonly kind: 'scalar'; readonly scalar: Scalar }
  | { readonly kind: 'elements'; readonly elements: Elements; readonly sub: AttributeDef | undefined }
  | {
      readonly kind: 'object'
      readonly def: AttributeDef
      readonly present: Sql
      readonly field: (sub: AttributeDef) => Scalar
    }

export interface Scope {
  readonly dialect: Dialect
  readonly fail: Fail
  resolve(path: string): Target
}

// Attribute → SQL: the allow-list. Mapped columns first, then JSON paths into `resource`.

export function rootScope(type: ResourceTypeName, dialect: Dialect, fail: Fail): Scope {
  const table = type === 'User' ? 'users' : 'projects'
  return {
    dialect,
    fail,
    resolve(path) {
      const resolved = resolveAttribute(type, path)
      if (!resolved) throw fail(`Unknown attribute "${path}" on ${type}`)
      const { attribute, subAttribute } = resolved
      if (attribute.returned === 'never' || subAttribute?.returned === 'never') {
        throw fail(`"${path}" cannot be used in a filter`)
      }
      const mapped = mappedTarget(type, resolved, path, fail)
      if (mapped) return mapped
      const keys = resolved.extension ? [resolved.schema, attribute.name] : [attribute.name]
      return jsonTarget(dialect, sql.ref(`${table}.resource`), keys, attribute, subAttribute)
    },
  }
}

/**
 * An attribute held by a column (columns.ts declares which), or one with a shape of its own: `active`
 * over the status column, and the membership rows of User `groups` and Group `members`.
 */
function mappedTarget(
  type: ResourceTypeName,
  resolved: ResolvedAttribute,
  path: string,
  fail: Fail,
): Target | undefined {
  const { schema, extension, attribute, subAttribute } = resolved
  const name = extension
    ? `${schema}:${attribute.name}`
    : subAttribute
      ? `${attribute.name}.${subAttribute.name}`
      : attribute.name
  const held = columnFor(type, name)
  if (held) {
    const table = type === 'User' ? 'users' : 'projects'
    return column(`${table}.${held.column}`, subAttribute ?? attribute, held.folded)
  }
  if (extension) return undefined
  switch (attribute.name) {
    case 'active':
      return type === 'User' ? { kind: 'scalar', scalar: activeStatus(attribute) } : undefined
    case 'meta':
      throw fail(`"${path}" cannot be used in a filter; meta.created and meta.lastModified can`)
    case 'groups':
    case 'members': {
      const kind = type === 'User' ? 'groups' : 'members'
      if (attribute.name !== kind) return undefined
      return { kind: 'elements', elements: memberships(kind, attribute, fail), sub: subAttribute }
    }
    default:
      return undefined
  }
}

function column(ref: string, def: AttributeDef, key = false): Target {
  return { kind: 'scalar', scalar: columnScalar(ref, def, key) }
}

function columnScalar(ref: string, def: AttributeDef, key = false): Scalar {
  const value = sql.ref(ref)
  return { def, value, key, present: sql`(${value} is not null and ${value} <> '')` }
}

/** SCIM `active` is the `status` column (rfc7643#section-4.1.1). */
function activeStatus(def: AttributeDef): Scalar {
  const value = sql.ref('users.status')
  return {
    def,
    value,
    present: sql`(${value} is not null)`,
    isBoolean: (active) => sql`${value} = ${active ? 'ACTIVE' : 'INACTIVE'}`,
  }
}

/** User `groups` and Group `members` live in project_members, not in the resource JSON. */
function memberships(kind: 'groups' | 'members', def: AttributeDef, fail: Fail): Elements {
  const rows =
    kind === 'groups'
      ? sql`project_members as scim_pm inner join projects as scim_p on scim_p.id = scim_pm.project_id
          where scim_pm.user_id = users.id`
      : sql`project_members as scim_pm inner join users as scim_u on scim_u.id = scim_pm.user_id
          where scim_pm.project_id = projects.id`
  return {
    def,
    present: sql`exists (select 1 from ${rows})`,
    exists: (predicate) => sql`exists (select 1 from ${rows} and ${predicate})`,
    field(sub) {
      switch (sub.name) {
        case 'value': // resource ids are case-exact whatever the schema says
          return columnScalar(kind === 'groups' ? 'scim_pm.project_id' : 'scim_pm.user_id', {
            ...sub,
            caseExact: true,
          })
        case 'display':
          return kind === 'groups'
            ? columnScalar('scim_p.display_key', sub, true)
            : columnScalar('scim_u.display_name', sub)
        default:
          throw fail(
            `"${def.name}.${sub.name}" cannot be used in a filter; ${def.name}.value and .display can`,
          )
      }
    },
  }
}

function jsonTarget(
  dialect: Dialect,
  doc: Sql,
  keys: readonly string[],
  attribute: AttributeDef,
  sub: AttributeDef | undefined,
): Target {
  if (attribute.multiValued)
    return { kind: 'elements', elements: jsonElements(dialect, doc, keys, attribute), sub }
  if (sub) return { kind: 'scalar', scalar: jsonScalar(dialect, doc, [...keys, sub.name], sub) }
  const scalar = jsonScalar(dialect, doc, keys, attribute)
  if (attribute.type !== 'complex') return { kind: 'scalar', scalar }
  return {
    kind: 'object',
    def: attribute,
    present: scalar.present,
    field: (f) => jsonScalar(dialect, doc, [...keys, f.name], f),
  }
}

// ---------------------------------------------------------------------------------------------
// JSON access, the named dialect branch: json_extract/json_each on SQLite (text JSON),
// ->/->>/jsonb_array_elements on PostgreSQL (jsonb).

function jsonScalar(dialect: Dialect, doc: Sql, keys: readonly string[], def: AttributeDef): Scalar {
  return dialect === 'sqlite' ? sqliteScalar(doc, keys, def) : postgresScalar(doc, keys, def)
}

function jsonElements(dialect: Dialect, doc: Sql, keys: readonly string[], def: AttributeDef): Elements {
  return dialect === 'sqlite' ? sqliteElements(doc, keys, def) : postgresElements(doc, keys, def)
}

/** `$."name"."givenName"`, built from registry names only. */
function sqlitePath(keys: readonly string[]): Sql {
  for (const key of keys) if (/["\\]/.test(key)) throw new Error(`Unexpected JSON key ${key}`)
  return sql.lit(`$${keys.map((key) => `."${key}"`).join('')}`)
}

function sqliteScalar(doc: Sql, keys: readonly string[], def: AttributeDef): Scalar {
  const path = sqlitePath(keys)
  const value = sql`json_extract(${doc}, ${path})`
  const type = sql`json_type(${doc}, ${path})`
  return {
    def,
    value,
    present: sql`(case ${type} when 'text' then ${value} <> '' when 'array' then json_array_length(${doc}, ${path}) > 0
      when 'object' then ${value} <> '{}' else ${type} in ('true', 'false', 'integer', 'real') end)`,
    isBoolean: (b) => sql`${type} = ${b ? 'true' : 'false'}`,
    number: sql`(case when ${type} in ('integer', 'real') then ${value} end)`,
  }
}

function sqliteElements(doc: Sql, keys: readonly string[], def: AttributeDef): Elements {
  const items = sql`json_each(${doc}, ${sqlitePath(keys)}) as scim_el`
  // Only object elements have sub-attributes; json_extract would reject a bare string element.
  const element = sql`(case when scim_el.type = 'object' then scim_el.value end)`
  return {
    def,
    present: sqliteScalar(doc, keys, def).present,
    exists: (predicate) => sql`exists (select 1 from ${items} where ${predicate})`,
    field: (sub) => sqliteScalar(element, [sub.name], sub),
    first: (value, primary) =>
      sql`(select ${value} from ${items} order by ${primary ? sql`(case when ${primary} then 0 else 1 end), ` : sql``}scim_el.key limit 1)`,
  }
}

function postgresPath(doc: Sql, keys: readonly string[]): { json: Sql; text: Sql } {
  let parent = doc
  for (const key of keys.slice(0, -1)) parent = sql`${parent}->${sql.lit(key)}`
  const last = sql.lit(keys.at(-1) ?? '')
  return { json: sql`(${parent}->${last})`, text: sql`(${parent}->>${last})` }
}

function postgresScalar(doc: Sql, keys: readonly string[], def: AttributeDef): Scalar {
  const { json, text } = postgresPath(doc, keys)
  const type = sql`jsonb_typeof(${json})`
  return {
    def,
    value: text,
    present: sql`(case ${type} when 'string' then ${text} <> '' when 'array' then jsonb_array_length(${json}) > 0
      when 'object' then ${json} <> cast('{}' as jsonb) else ${type} in ('number', 'boolean') end)`,
    isBoolean: (b) => sql`${json} = cast(${b ? 'true' : 'false'} as jsonb)`,
    number: sql`(case when ${type} = 'number' then cast(${text} as numeric) end)`,
  }
}

function postgresElements(doc: Sql, keys: readonly string[], def: AttributeDef): Elements {
  const { json } = postgresPath(doc, keys)
  const items = sql`jsonb_array_elements(case when jsonb_typeof(${json}) = 'array' then ${json} else cast('[]' as jsonb) end)
    with ordinality as scim_el(value, ord)`
  return {
    def,
    present: postgresScalar(doc, keys, def).present,
    exists: (predicate) => sql`exists (select 1 from ${items} where ${predicate})`,
    field: (sub) => postgresScalar(sql.ref('scim_el.value'), [sub.name], sub),
    first: (value, primary) =>
      sql`(select ${value} from ${items} order by ${primary ? sql`(case when ${primary} then 0 else 1 end), ` : sql``}scim_el.ord limit 1)`,
  }
}

/** `emails eq "x"` and Entra's `manager eq "id"` compare the `value` sub-attribute (rfc7644#section-3.4.2.2). */
export function valueSubAttribute(def: AttributeDef, attribute: string, fail: Fail): AttributeDef {
  const value = findAttribute(def.subAttributes, 'value')
  if (!value) throw fail(`"${attribute}" is a complex attribute: name one of its sub-attributes`)
  return value
}
