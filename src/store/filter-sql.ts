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
import { type Expression, type SqlBool, sql } from 'kysely'
import { invalidFilter } from '../scim/errors.js'
import type { CompareOp, FilterNode, FilterValue } from '../scim/filter.js'
import { findAttribute, resolveAttribute } from '../scim/schemas/index.js'
import type { AttributeDef } from '../scim/schemas/types.js'
import { keyColumnFor } from './columns.js'
import type { Dialect } from './database.js'
import {
  type Fail,
  rootScope,
  type Scalar,
  type Scope,
  type Sql,
  type Target,
  valueSubAttribute,
} from './filter-targets.js'
import { fold, foldText } from './fold.js'
import type { KeyMatch } from './page.js'

export type { Dialect } from './database.js'

/** `db.selectFrom('users').where(userFilter(node, dialect))` */
export function userFilter(node: FilterNode, dialect: Dialect): Expression<SqlBool> {
  return compile(node, rootScope('User', dialect, invalidFilter))
}

/** `db.selectFrom('projects').where(groupFilter(node, dialect))` */
export function groupFilter(node: FilterNode, dialect: Dialect): Expression<SqlBool> {
  return compile(node, rootScope('Group', dialect, invalidFilter))
}

/**
 * The filter as one equality on an indexed key column, when it is one: `userName eq "x"` (and a
 * Group's `displayName eq "x"`) on the lower-cased key column, `externalId eq "x"` and `id eq "x"`
 * case-exact. These are the lookups an IdP sends before every create; they select the same rows as
 * the compiled filter (see `compareText` for key columns), through a prepared statement.
 */
export function keyMatch(node: FilterNode | undefined, type: 'User' | 'Group'): KeyMatch | undefined {
  if (node?.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return undefined
  const resolved = resolveAttribute(type, node.attribute)
  if (!resolved || resolved.extension || resolved.subAttribute) return undefined
  const key = keyColumnFor(type, resolved.attribute.name, resolved.attribute.caseExact === true)
  return key && { column: key.column, value: key.fold ? foldText(node.value) : node.value }
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

/**
 * caseExact false: case-insensitive, by muster_fold on both sides (store/fold.ts: the same Unicode fold
 * on both dialects, for eq, gt/ge/lt/le and the LIKE of co/sw/ew), or against a key column that holds
 * the folded value already, with the value folded the same way in JavaScript (keyMatch's lookup).
 */
function compareText(scope: Scope, s: Scalar, op: PositiveOp, text: string): Sql {
  const folded = !s.def.caseExact && !s.key
  const wanted = s.key ? foldText(text) : text
  const left = folded ? fold(s.value) : s.value
  const right = folded ? fold(sql`${wanted}`) : sql`${wanted}`
  switch (op) {
    case 'co':
    case 'sw':
    case 'ew': {
      if (s.def.caseExact && !s.key) return containsExactly(scope.dialect, left, op, wanted)
      // LIKE after folding: SQLite's LIKE ignores ASCII case only, PostgreSQL's none; both sides are
      // folded, so neither matters. The wildcards of the value are escaped before folding (no fold
      // turns a letter into %, _ or \).
      const pattern = `${op === 'sw' ? '' : '%'}${escapeLike(wanted)}${op === 'ew' ? '' : '%'}`
      return sql`${left} like ${folded ? fold(sql`${pattern}`) : sql`${pattern}`} escape '\\'`
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
