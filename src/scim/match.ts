// In-memory evaluation of a value filter against one element of a multi-valued (or one complex)
// attribute, for PATCH valuePaths (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2).
// String comparisons honour each sub-attribute's caseExact (RFC 7643 §2.2).

import type { CompareOp, FilterNode, FilterValue } from './filter.js'
import { getCaseInsensitive, isObject, type JsonObject } from './json.js'
import { findAttribute } from './schemas/index.js'
import type { AttributeDef } from './schemas/types.js'

export function matchesFilter(
  filter: FilterNode,
  element: unknown,
  subAttributes: readonly AttributeDef[],
): boolean {
  switch (filter.kind) {
    case 'compare': {
      const def = findAttribute(subAttributes, filter.attribute)
      return compare(read(element, filter.attribute), filter.op, filter.value, def)
    }
    case 'present':
      return isPresent(read(element, filter.attribute))
    case 'and':
      return (
        matchesFilter(filter.left, element, subAttributes) &&
        matchesFilter(filter.right, element, subAttributes)
      )
    case 'or':
      return (
        matchesFilter(filter.left, element, subAttributes) ||
        matchesFilter(filter.right, element, subAttributes)
      )
    case 'not':
      return !matchesFilter(filter.filter, element, subAttributes)
    case 'valuePath':
      return false
    default: {
      const never: never = filter
      return never
    }
  }
}

/**
 * The sub-attribute values a filter pins down with `eq` (joined by `and`), e.g. `type eq "work"` →
 * `{type: "work"}`, used to create the element a filtered PATCH targets. Undefined when the filter
 * does not determine an element this way.
 */
export function filterEqualities(
  filter: FilterNode,
  subAttributes: readonly AttributeDef[],
): JsonObject | undefined {
  if (filter.kind === 'and') {
    const left = filterEqualities(filter.left, subAttributes)
    const right = filterEqualities(filter.right, subAttributes)
    return left && right ? { ...left, ...right } : undefined
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return undefined
  const def = findAttribute(subAttributes, filter.attribute)
  return def ? { [def.name]: filter.value } : undefined
}

/** A sub-attribute of an element; a primitive element stands for its own `value`. */
function read(element: unknown, name: string): unknown {
  if (isObject(element)) return getCaseInsensitive(element, name)
  return name.toLowerCase() === 'value' ? element : undefined
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  return !isObject(value) || Object.keys(value).length > 0
}

function compare(
  actual: unknown,
  op: CompareOp,
  expected: FilterValue,
  def: AttributeDef | undefined,
): boolean {
  if (expected === null) {
    // `attr eq null` holds for an unassigned attribute (RFC 7643 §2.5: null is unassigned).
    if (op === 'eq') return !isPresent(actual)
    if (op === 'ne') return isPresent(actual)
    return false
  }
  if (actual === null || actual === undefined) return op === 'ne'
  const order = ordering(actual, expected, def)
  switch (op) {
    case 'eq':
      return order === 0
    case 'ne':
      return order !== 0
    case 'co':
    case 'sw':
    case 'ew': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false
      const [a, e] = def?.caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()]
      return op === 'co' ? a.includes(e) : op === 'sw' ? a.startsWith(e) : a.endsWith(e)
    }
    case 'gt':
      return order !== undefined && order > 0
    case 'ge':
      return order !== undefined && order >= 0
    case 'lt':
      return order !== undefined && order < 0
    case 'le':
      return order !== undefined && order <= 0
    default: {
      const never: never = op
      return never
    }
  }
}

/** Sign of actual − expected, or undefined when the two cannot be ordered. */
function ordering(
  actual: unknown,
  expected: Exclude<FilterValue, null>,
  def: AttributeDef | undefined,
): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.sign(actual - expected)
  if (typeof actual === 'boolean') {
    // Booleans compare for equality only; Entra may quote them ("true").
    const e = typeof expected === 'string' ? expected.toLowerCase() : expected
    return String(actual) === String(e) ? 0 : undefined
  }
  if (typeof actual !== 'string' || typeof expected !== 'string') return undefined
  if (def?.type === 'dateTime') {
    const [a, e] = [Date.parse(actual), Date.parse(expected)]
    if (!Number.isNaN(a) && !Number.isNaN(e)) return Math.sign(a - e)
  }
  const [a, e] = def?.caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()]
  return a < e ? -1 : a > e ? 1 : 0
}
