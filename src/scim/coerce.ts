// Registry-driven validation of attribute values (https://www.rfc-editor.org/rfc/rfc7643#section-2.3),
// shared by POST/PUT (resource.ts) and PATCH (patch-apply.ts). Outputs carry canonical names only
// (never a client-supplied key), so hostile keys such as `__proto__` are simply unknown and dropped.

import {
  acceptSingleValueAsList,
  adaptAttributeValue,
  adaptElement,
  booleanFromString,
} from './deviations.js'
import { invalidValue } from './errors.js'
import { isObject, type JsonObject } from './json.js'
import { enforcesCanonicalValues, findAttribute } from './schemas/index.js'
import type { AttributeDef } from './schemas/types.js'
import { isStorableText } from './text.js'

/** Longest accepted string value, in UTF-8 bytes. */
export const MAX_STRING_BYTES = 64 * 1024
/** Most elements accepted in one multi-valued attribute. */
export const MAX_ARRAY_ELEMENTS = 10_000

/**
 * A whole attribute value (an array for multi-valued ones). Returns `undefined` for `null`, which
 * means "absent" (RFC 7643 §2.5: unassigned and null are equivalent).
 */
export function coerceAttribute(schema: string, def: AttributeDef, raw: unknown, path: string): unknown {
  const value = adaptAttributeValue(schema, def, raw)
  if (value === null || value === undefined) return undefined
  if (!def.multiValued) return coerceElement(schema, def, value, path)
  const list = acceptSingleValueAsList(value)
  if (!Array.isArray(list)) throw invalidValue(`Attribute "${path}" must be an array`)
  if (list.length > MAX_ARRAY_ELEMENTS) {
    throw invalidValue(`Attribute "${path}" has ${list.length} values; the limit is ${MAX_ARRAY_ELEMENTS}`)
  }
  return list.filter((e) => e !== null).map((e) => coerceElement(schema, def, e, path))
}

/** One value of `def`: the single value, or one element of a multi-valued attribute. */
export function coerceElement(schema: string, def: AttributeDef, raw: unknown, path: string): unknown {
  const value = adaptElement(schema, def, raw)
  if (def.type === 'complex') return coerceComplex(def, value, path)
  return coerceSimple(def, value, path)
}

function coerceComplex(def: AttributeDef, value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalidValue(`Attribute "${path}" must be an object`)
  const out: JsonObject = {}
  for (const key of Object.keys(value)) {
    const sub = findAttribute(def.subAttributes, key)
    // Unknown and read-only sub-attributes are ignored, as for PUT (RFC 7644 §3.5.1).
    if (!sub || sub.mutability === 'readOnly' || value[key] === null) continue
    out[sub.name] = coerceSimple(sub, value[key], `${path}.${sub.name}`)
  }
  return out
}

/** A value of a non-complex attribute or sub-attribute (RFC 7643 §2.3.1–2.3.7). */
export function coerceSimple(def: AttributeDef, value: unknown, path: string): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return checkCanonical(def, checkString(value, path), path)
    case 'dateTime': {
      const s = checkString(value, path)
      if (Number.isNaN(Date.parse(s))) throw invalidValue(`Attribute "${path}" must be an xsd:dateTime`)
      return s
    }
    case 'boolean':
      return checkBoolean(value, path)
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw invalidValue(`Attribute "${path}" must be an integer`)
      }
      return value
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalidValue(`Attribute "${path}" must be a number`)
      }
      return value
    case 'complex':
      throw invalidValue(`Attribute "${path}" cannot hold a nested complex value`)
    default: {
      const never: never = def.type
      throw invalidValue(`Attribute "${path}" has an unsupported type ${String(never)}`)
    }
  }
}

function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string')
    throw invalidValue(`Attribute "${path}" must be a string, got ${describe(value)}`)
  if (value.length > MAX_STRING_BYTES / 4 && new TextEncoder().encode(value).length > MAX_STRING_BYTES) {
    throw invalidValue(`Attribute "${path}" is longer than ${MAX_STRING_BYTES} bytes`)
  }
  if (!isStorableText(value)) {
    throw invalidValue(`Attribute "${path}" contains a NUL character or an unpaired surrogate`)
  }
  return value
}

function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value
  const coerced = typeof value === 'string' ? booleanFromString(value) : undefined
  if (coerced === undefined)
    throw invalidValue(`Attribute "${path}" must be a boolean, got ${describe(value)}`)
  return coerced
}

function checkCanonical(def: AttributeDef, value: string, path: string): string {
  const accepted = def.canonicalValues
  if (!accepted || !enforcesCanonicalValues(def)) return value
  const ok = def.caseExact
    ? accepted.includes(value)
    : accepted.some((v) => v.toLowerCase() === value.toLowerCase())
  if (!ok) throw invalidValue(`Attribute "${path}" must be one of ${accepted.join(', ')}; got "${value}"`)
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a string' : `"${value}"`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}
