// Identity-provider deviations from RFC 7643 values, accepted on input ("strict by RFC, lenient by
// name"). Each one is a named function naming the client that needs it (see ENTRA.md); they run
// before the registry-driven validation in coerce.ts, which stays strict.

import { invalidFilter } from './errors.js'
import { isObject, type JsonObject } from './json.js'
import { ENTERPRISE_USER_SCHEMA, resolveExtension, USER_SCHEMA } from './schemas/index.js'
import type { AttributeDef, ResourceTypeName, SchemaDef } from './schemas/types.js'

/**
 * Microsoft Entra ID sends `"active":"True"` / `"False"` (strings, any case). RFC 7643 §2.3.2 wants
 * JSON literals; we coerce exactly these two words and nothing else.
 */
export function booleanFromString(value: string): boolean | undefined {
  const lower = value.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  return undefined
}

/**
 * Microsoft's documentation shows unquoted filter values (`externalId eq jyoung`); Entra-facing docs
 * and some hand-written clients copy them. RFC 7644 §3.4.2.2 wants a JSON string; a bare word that is
 * not true/false/null or a number is read as the string it spells.
 *
 * The leniency stops at quotes: a value in single (or typographic) quotes, `userName eq 'bob@x.com'`,
 * would otherwise be read with its quotes and match nobody, so a hand-written client would conclude
 * that the user does not exist. It is refused with 400 invalidFilter saying how to write it.
 */
export function unquotedFilterValue(text: string, position: number): string {
  const quote = /^['\u2018\u201c]/.exec(text)?.[0]
  if (quote === undefined) return text
  const close = quote === '\u201c' ? '\u201d' : quote === '\u2018' ? '\u2019' : "'"
  const inner = text.length > 1 && text.endsWith(close) ? text.slice(1, -1) : undefined
  const instead = inner === undefined ? '' : `: write ${JSON.stringify(inner)}`
  throw invalidFilter(
    `The value at position ${position} is in ${quote === "'" ? 'single' : 'typographic'} quotes; ` +
      `strings in a filter take double quotes (RFC 7644 §3.4.2.2)${instead}`,
  )
}

/**
 * A PATCH path that names a whole schema extension of the resource type, with no attribute:
 * `{"op":"replace","path":"urn:…:extension:enterprise:2.0:User","value":{"costCenter":…}}`.
 * RFC 7644 §3.5.2's grammar has no such path (an attrPath ends in an ATTRNAME), but clients send it:
 * Ping Identity's SCIM 2 SDK (UnboundID scim2-sdk) writes `Path.root(extension)` as the URN followed by
 * a colon (`urn:…:enterprise:2.0:User:`, "lenient … does not technically conform" in its own tests),
 * and the URN alone was reported to Apache SCIMple from a client's traffic (directory-scimple#695).
 * Either spelling names the extension (case-insensitively, as URNs are matched elsewhere); the PATCH
 * then applies the operation to each attribute of the value object as if sent with its full path.
 */
export function extensionRootPath(type: ResourceTypeName, path: string): SchemaDef | undefined {
  const urn = path.trim()
  return resolveExtension(type, urn.endsWith(':') ? urn.slice(0, -1) : urn)
}

/**
 * Several clients send one object where a multi-valued attribute expects a list
 * (`"emails":{"value":…}`); RFC 7643 §2.4 wants an array. Accept it as a one-element list.
 */
export function acceptSingleValueAsList(value: unknown): unknown {
  return isObject(value) ? [value] : value
}

/**
 * Microsoft Entra ID sends the enterprise manager as a bare id string, as `[{"$ref":…,"value":id}]`,
 * or as `{"value":id}`, and clears it with `""`. Entra breaks when it reads anything but
 * `"manager":{"value":id}` back, so every shape becomes exactly that (RFC 7643 §4.3); `""` is null.
 */
export function managerFromEntra(value: unknown): unknown {
  const single = Array.isArray(value) && value.length <= 1 ? (value[0] ?? null) : value
  if (single === '' || single === null) return null
  if (typeof single === 'string') return { value: single }
  if (isObject(single)) {
    const id = Object.keys(single).find((k) => k.toLowerCase() === 'value')
    if (id === undefined || single[id] === null || single[id] === '') return null
    return { value: single[id] }
  }
  return single
}

/**
 * Microsoft Entra ID's optional role mapping sends each role with its `value` holding a JSON-encoded
 * object: `{"value":"{\"id\":…,\"value\":\"25\",\"displayName\":\"Role1234\"}"}`. Decode it into the
 * role (`displayName` → RFC 7643 §4.1.2 `display`); anything that is not such an object stays as is.
 */
export function roleFromEntra(element: unknown): unknown {
  if (!isObject(element)) return element
  const key = Object.keys(element).find((k) => k.toLowerCase() === 'value')
  const encoded = key === undefined ? undefined : element[key]
  if (typeof encoded !== 'string' || !encoded.trimStart().startsWith('{')) return element
  let decoded: unknown
  try {
    decoded = JSON.parse(encoded)
  } catch {
    return element
  }
  if (!isObject(decoded)) return element
  // A Map, not an object: the keys come from the client (think `__proto__`).
  const role = new Map<string, unknown>()
  for (const k of Object.keys(element)) if (k !== key) role.set(k.toLowerCase(), element[k])
  for (const k of Object.keys(decoded)) role.set(k.toLowerCase(), decoded[k])
  const value = role.get('value')
  const display = role.get('display') ?? role.get('displayname')
  const out: JsonObject = {}
  if (value !== undefined) out.value = typeof value === 'number' ? String(value) : value
  if (display !== undefined) out.display = display
  if (role.has('type')) out.type = role.get('type')
  if (role.has('primary')) out.primary = role.get('primary')
  return out
}

const attributeAdapters: ReadonlyMap<string, (value: unknown) => unknown> = new Map([
  [`${ENTERPRISE_USER_SCHEMA}:manager`, managerFromEntra],
])

const elementAdapters: ReadonlyMap<string, (value: unknown) => unknown> = new Map([
  [`${USER_SCHEMA}:roles`, roleFromEntra],
])

/** Applies the deviation registered for a whole attribute value, if any. */
export function adaptAttributeValue(schema: string, def: AttributeDef, value: unknown): unknown {
  const adapt = attributeAdapters.get(`${schema}:${def.name}`)
  return adapt ? adapt(value) : value
}

/** Applies the deviation registered for one element of a multi-valued attribute, if any. */
export function adaptElement(schema: string, def: AttributeDef, value: unknown): unknown {
  const adapt = elementAdapters.get(`${schema}:${def.name}`)
  return adapt ? adapt(value) : value
}
