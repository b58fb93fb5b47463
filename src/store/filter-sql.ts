// SCIM filters (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2) compiled to Kysely expressions
// over `users` or `projects`. Attributes resolve through the schema registry to an allow-list of
// columns, membership rows and JSON paths in `resource`; values are always bound parameters, and the
// identifiers and JSON path literals in the SQL come from code and the registry's canonical names only.
//
// Semantics where the RFC is vague:
// - A comparison with a missing attribute is false (`title eq "x"`, `title gt "a"`, `title co ""`).
// - `ne` is `not (eq)`: `title ne "x"` includes users without a title; `emails ne "x"` means no email
//   equals x. `not (…)` is the plain complement: SQL NULLs never leak through it.
// - `pr` means present and not null, "", [] or {}; `eq null` is `not (… pr)` and `ne null` is `pr`.
// - Multi-valued attributes match when any element matches; a bare `emails` means `emails.value`, and
//   `emails[…]` evaluates the whole bracketed filter against each element.
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import { invalidFilter, type ScimError } from '../scim/errors.js'
import type { CompareOp, FilterNode, FilterValue } from '../scim/filter.js'
import {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  findAttribute,
  type ResolvedAttribute,
  resolveAttribute,
} from '../scim/schemas/index.js'
import type { AttributeDef, ResourceTypeName } from '../scim/schemas/types.js'
import type { Dialect } from './database.js'

export type { Dialect } from './database.js'

/** `db.selectFrom('users').where(userFilter(node, dialect))` */
export function userFilter(node: FilterNode, dialect: Dialect): Expression<SqlBool> {
  return compile(node, rootScope('User', dialect, invalidFilter))
}

/** `db.selectFrom('projects').where(groupFilter(node, dialect))` */
export function groupFilter(node: FilterNode, dialect: Dialect): Expression<SqlBool> {
  return compile(node, rootScope('Group', dialect, invalidFilter))
}

type Sql = RawBuilder<any>
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

interface Scope {
  readonly dialect: Dialect
  readonly fail: Fail
  resolve(path: string): Target
}

// ---------------------------------------------------------------------------------------------
// Compilation

function compile(node: FilterNode, scope: Scope): Sql {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const parts = flatten(node, node.kind).map((n) => compile(n, scope))
      return sql`(${sql.join(parts, node.kind === 'and' ? sql` and ` : sql` or `)})`
    }
    case 'not':
      return negate(compile(node.filter, scope))
    case 'present':
      return presentOf(scope.resolve(node.attribute))
    case 'compare':
      return compare(scope, node.attribute, node.op, node.value)
    case 'valuePath':
      return valuePath(scope, node.attribute, node.filter)
    default: {
      const unreachable: never = node
      throw scope.fail(`Unsupported filter node ${JSON.stringify(unreachable)}`)
    }
  }
}

/** The operands of a left-nested chain of one logical operator, iteratively (chains can be long). */
function flatten(node: FilterNode, kind: 'and' | 'or'): FilterNode[] {
  const operands: FilterNode[] = []
  const stack = [node]
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.kind === kind) stack.push(n.right, n.left)
    else operands.push(n)
  }
  return operands
}

/** Two-valued negation: a NULL (unknown) operand counts as false, so its negation is true. */
function negate(predicate: Sql): Sql {
  return sql`((${predicate}) is not true)`
}

function presentOf(target: Target): Sql {
  switch (target.kind) {
    case 'scalar':
      return target.scalar.present
    case 'object':
      return target.present
    case 'elements':
      return target.sub
        ? target.elements.exists(target.elements.field(target.sub).present)
        : target.elements.present
  }
}

function compare(scope: Scope, attribute: string, op: CompareOp, value: FilterValue): Sql {
  const target = scope.resolve(attribute)
  if (value === null) {
    if (op === 'eq') return negate(presentOf(target))
    if (op === 'ne') return presentOf(target)
    throw scope.fail(`"${attribute} ${op} null" is not a valid comparison: only eq and ne compare with null`)
  }
  const positive: PositiveOp = op === 'ne' ? 'eq' : op
  const match = (s: Scalar) => compareScalar(scope, s, attribute, positive, value)
  let predicate: Sql
  switch (target.kind) {
    case 'scalar':
      predicate = match(target.scalar)
      break
    case 'object':
      predicate = match(target.field(valueSubAttribute(target.def, attribute, scope.fail)))
      break
    case 'elements': {
      const { elements } = target
      const sub = target.sub ?? valueSubAttribute(elements.def, attribute, scope.fail)
      predicate = elements.exists(match(elements.field(sub)))
      break
    }
  }
  return op === 'ne' ? negate(predicate) : predicate
}

// valuePath (rfc7644#section-3.4.2.2): the bracketed filter applies to one element at a time.
function valuePath(scope: Scope, attribute: string, filter: FilterNode): Sql {
  const target = scope.resolve(attribute)
  if (target.kind === 'elements' && !target.sub) {
    const { elements } = target
    return elements.exists(compile(filter, subScope(scope, attribute, elements.def, elements.field)))
  }
  if (target.kind === 'object') return compile(filter, subScope(scope, attribute, target.def, target.field))
  throw scope.fail(`"${attribute}[…]" needs a complex attribute; "${attribute}" is not one`)
}

function subScope(
  parent: Scope,
  attribute: string,
  def: AttributeDef,
  field: (s: AttributeDef) => Scalar,
): Scope {
  return {
    dialect: parent.dialect,
    fail: parent.fail,
    resolve(name) {
      const sub = findAttribute(def.subAttributes, name)
      if (!sub) throw parent.fail(`"${name}" is not a sub-attribute of "${attribute}"`)
      return { kind: 'scalar', scalar: field(sub) }
    },
  }
}

/** `emails eq "x"` and Entra's `manager eq "id"` compare the `value` sub-attribute (rfc7644#section-3.4.2.2). */
export function valueSubAttribute(def: AttributeDef, attribute: string, fail: Fail): AttributeDef {
  const value = findAttribute(def.subAttributes, 'value')
  if (!value) throw fail(`"${attribute}" is a complex attribute: name one of its sub-attributes`)
  return value
}

type PositiveOp = Exclude<CompareOp, 'ne'>

const SQL_OPERATORS = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const

/** `ne` never gets here: it is compiled as `not (eq)`. */
function compareScalar(scope: Scope, s: Scalar, attribute: string, op: PositiveOp, value: FilterValue): Sql {
  const { fail } = scope
  switch (s.def.type) {
    case 'boolean':
      if (op !== 'eq' || !s.isBoolean) throw fail(`"${attribute}" is a boolean: only eq, ne and pr apply`)
      return s.isBoolean(toBoolean(value, attribute, fail))
    case 'integer':
    case 'decimal': {
      if (op === 'co' || op === 'sw' || op === 'ew' || !s.number) {
        throw fail(`"${attribute}" is a number: ${op} does not apply`)
      }
      return sql`${s.number} ${sql.raw(SQL_OPERATORS[op])} ${toNumber(value, attribute, fail)}`
    }
    case 'dateTime':
      if (op === 'co' || op === 'sw' || op === 'ew') return compareText(scope, s, op, toText(value))
      // Timestamps are stored as toISOString() text, so normalised ISO strings compare chronologically.
      return sql`${s.value} ${sql.raw(SQL_OPERATORS[op])} ${toIsoDate(value, attribute, fail)}`
    case 'complex':
      throw fail(`"${attribute}" is a complex attribute: name one of its sub-attributes`)
    default:
      if (typeof value === 'boolean') throw fail(`"${attribute}" is a string; ${value} is not`)
      return compareText(scope, s, op, toText(value))
  }
}

/** caseExact false: case-insensitive, by lower() on both sides or by the JS-lower-cased key column. */
function compareText(scope: Scope, s: Scalar, op: PositiveOp, text: string): Sql {
  const folded = !s.def.caseExact && !s.key
  const wanted = s.key ? text.toLowerCase() : text
  const left = folded ? sql`lower(${s.value})` : s.value
  const right = folded ? sql`lower(${wanted})` : sql`${wanted}`
  switch (op) {
    case 'co':
    case 'sw':
    case 'ew': {
      if (s.def.caseExact && !s.key) return containsExactly(scope.dialect, left, op, wanted)
      const pattern = `${op === 'sw' ? '' : '%'}${escapeLike(wanted)}${op === 'ew' ? '' : '%'}`
      return sql`${left} like ${folded ? sql`lower(${pattern})` : sql`${pattern}`} escape '\\'`
    }
    default:
      return sql`${left} ${sql.raw(SQL_OPERATORS[op])} ${right}`
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&')
}

/**
 * Case-exact co/sw/ew without LIKE, which SQLite folds for ASCII. Lengths count code points, like
 * SQL length() on both dialects. The one dialect branch: SQLite has instr(), PostgreSQL strpos().
 */
function containsExactly(dialect: Dialect, left: Sql, op: 'co' | 'sw' | 'ew', text: string): Sql {
  const length = [...text].length
  if (op === 'sw') return sql`substr(${left}, 1, ${length}) = ${text}`
  if (op === 'ew') return sql`substr(${left}, length(${left}) - ${length} + 1) = ${text}`
  return dialect === 'sqlite' ? sql`instr(${left}, ${text}) > 0` : sql`strpos(${left}, ${text}) > 0`
}

function toText(value: FilterValue): string {
  return String(value)
}

function toBoolean(value: FilterValue, attribute: string, fail: Fail): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw fail(`"${attribute}" is a boolean; ${JSON.stringify(value)} is not`)
}

function toNumber(value: FilterValue, attribute: string, fail: Fail): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : Number.NaN
  if (Number.isFinite(n)) return n
  throw fail(`"${attribute}" is a number; ${JSON.stringify(value)} is not`)
}

// xsd:dateTime as RFC 7643 §2.3.5 uses it; a time without a zone is read as UTC.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/

function toIsoDate(value: FilterValue, attribute: string, fail: Fail): string {
  const text = typeof value === 'string' ? value.trim() : ''
  const match = ISO_DATE.exec(text)
  const zoned = match && !match[1] && text.length > 10 ? `${text}Z` : text
  const date = match ? new Date(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : undefined
  if (date && !Number.isNaN(date.getTime())) return date.toISOString()
  throw fail(`"${attribute}" is a dateTime; ${JSON.stringify(value)} is not an ISO 8601 date`)
}

// ---------------------------------------------------------------------------------------------
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
      const mapped = type === 'User' ? userColumn(resolved, path, fail) : groupColumn(resolved, path, fail)
      if (mapped) return mapped
      const keys = resolved.extension ? [resolved.schema, attribute.name] : [attribute.name]
      return jsonTarget(dialect, sql.ref(`${table}.resource`), keys, attribute, subAttribute)
    },
  }
}

function userColumn(resolved: ResolvedAttribute, path: string, fail: Fail): Target | undefined {
  const { schema, extension, attribute, subAttribute } = resolved
  if (schema === CUSTOM_USER_SCHEMA && attribute.name === 'platformRole')
    return column('users.platform_role', attribute)
  if (extension) return undefined
  switch (attribute.name) {
    case 'id':
      return column('users.id', attribute)
    case 'externalId':
      return column('users.external_id', attribute)
    case 'userName':
      return column('users.email_key', attribute, true)
    case 'displayName':
      return column('users.display_name', attribute)
    case 'active':
      return { kind: 'scalar', scalar: activeStatus(attribute) }
    case 'meta':
      return metaColumn('users', subAttribute, path, fail)
    case 'groups':
      return { kind: 'elements', elements: memberships('groups', attribute, fail), sub: subAttribute }
    default:
      return undefined
  }
}

function groupColumn(resolved: ResolvedAttribute, path: string, fail: Fail): Target | undefined {
  const { schema, extension, attribute, subAttribute } = resolved
  if (schema === CUSTOM_GROUP_SCHEMA && attribute.name === 'projectRole') {
    return column('projects.project_role', attribute)
  }
  if (extension) return undefined
  switch (attribute.name) {
    case 'id':
      return column('projects.id', attribute)
    case 'externalId':
      return column('projects.external_id', attribute)
    case 'displayName':
      return column('projects.display_key', attribute, true)
    case 'meta':
      return metaColumn('projects', subAttribute, path, fail)
    case 'members':
      return { kind: 'elements', elements: memberships('members', attribute, fail), sub: subAttribute }
    default:
      return undefined
  }
}

function metaColumn(
  table: 'users' | 'projects',
  sub: AttributeDef | undefined,
  path: string,
  fail: Fail,
): Target {
  if (sub?.name === 'created') return column(`${table}.created_at`, sub)
  if (sub?.name === 'lastModified') return column(`${table}.updated_at`, sub)
  throw fail(`"${path}" cannot be used in a filter; meta.created and meta.lastModified can`)
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
