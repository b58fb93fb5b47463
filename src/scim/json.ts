// Small helpers for untrusted JSON values.

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Own keys of a JSON object. Keys are only ever read, never copied, so `__proto__` cannot pollute. */
export function entries(value: JsonObject): [string, unknown][] {
  return Object.keys(value).map((k) => [k, value[k]])
}

/** The value under `key`, matched case-insensitively (RFC 7643 §2.1: attribute names are case-insensitive). */
export function getCaseInsensitive(value: JsonObject, key: string): unknown {
  if (Object.hasOwn(value, key)) return value[key]
  const wanted = key.toLowerCase()
  const found = Object.keys(value).find((k) => k.toLowerCase() === wanted)
  return found === undefined ? undefined : value[found]
}

export function hasCaseInsensitive(value: JsonObject, key: string): boolean {
  const wanted = key.toLowerCase()
  return Object.keys(value).some((k) => k.toLowerCase() === wanted)
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    )
  }
  return false
}

/** A deep copy of plain JSON data. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value)
}
