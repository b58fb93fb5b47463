// What a write touched, for the provisioning log: attribute names, and old → new values (never a password).
import { isDeepStrictEqual } from 'node:util'
import type { ScimResource } from './schemas/types.js'

/** The attributes (and extension URNs) a new resource sets. */
export function attributeNames(resource: ScimResource): string[] {
  return Object.keys(resource).filter((k) => k !== 'schemas')
}

/**
 * Top-level attributes (and extensions) that differ between two resources. `password` is never stored,
 * so a resource that carries one always counts it as changed.
 */
export function changedAttributes(before: ScimResource, after: ScimResource): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  keys.delete('schemas')
  return [...keys].filter((k) => k === 'password' || !isDeepStrictEqual(before[k], after[k])).sort()
}

/** One changed value in the provisioning log: a leaf attribute path with its old and new value. */
export interface ValueChange {
  /** `name.givenName`, `active`, or an extension's `urn:…:platformRole`. */
  readonly path: string
  /** Absent: the attribute had (or now has) no value. */
  readonly from?: unknown
  readonly to?: unknown
  /** Set instead of the values for attributes whose value is never shown (`password`). */
  readonly redacted?: true
}

/** At most this many values per event, and this many characters per value; the names stay complete. */
const MAX_VALUES = 50
const MAX_VALUE_CHARS = 300

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The old and new value of every leaf under the given attributes, for the log. An attribute is a
 * top-level name, a sub-attribute path (`name.familyName`) or an extension's (`urn:…:platformRole`),
 * as a PATCH names them; a value filter (`emails[type eq "work"].value`) compares the whole attribute.
 * Objects are followed into their sub-attributes; arrays and primitives are leaves. A password is
 * named, never shown.
 */
export function valueChanges(
  before: ScimResource | undefined,
  after: ScimResource | undefined,
  attributes: readonly string[],
): ValueChange[] {
  const out: ValueChange[] = []
  const seen = new Set<string>()
  const walk = (path: string, from: unknown, to: unknown, separator: '.' | ':') => {
    if (out.length >= MAX_VALUES || seen.has(path) || isDeepStrictEqual(from, to)) return
    if (isObject(from) || isObject(to)) {
      const a = isObject(from) ? from : {}
      const b = isObject(to) ? to : {}
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(`${path}${separator}${key}`, a[key], b[key], '.')
      return
    }
    seen.add(path)
    out.push({
      path,
      ...(from === undefined || from === null ? {} : { from: bounded(from) }),
      ...(to === undefined || to === null ? {} : { to: bounded(to) }),
    })
  }
  for (const attribute of attributes) {
    if (attribute === 'schemas') continue
    if (/password/i.test(attribute)) {
      if (!seen.has('password')) out.push({ path: 'password', redacted: true })
      seen.add('password')
      continue
    }
    // An extension's attributes read `urn:…:Ext:attr`, their sub-attributes `urn:…:Ext:attr.sub`.
    const [first = attribute, ...rest] = pathSteps(attribute, before, after)
    const path =
      first.startsWith('urn:') && rest.length ? `${first}:${rest.join('.')}` : [first, ...rest].join('.')
    const steps = [first, ...rest]
    walk(
      path,
      valueAt(before, steps),
      valueAt(after, steps),
      first.startsWith('urn:') && !rest.length ? ':' : '.',
    )
  }
  return out
}

/** `name.familyName` → [name, familyName]; `urn:…:Ext:a.b` → [urn:…:Ext, a, b]; filters cut the path. */
function pathSteps(path: string, ...resources: (ScimResource | undefined)[]): string[] {
  const bare = path.split('[')[0] ?? path
  if (bare.startsWith('urn:')) {
    const keys = resources.flatMap((r) => (r ? Object.keys(r) : []))
    const urn = keys
      .filter((k) => bare === k || bare.startsWith(`${k}:`))
      .sort((x, y) => y.length - x.length)[0]
    if (urn === undefined) return [bare]
    const rest = bare.slice(urn.length + 1)
    return rest ? [urn, ...rest.split('.')] : [urn]
  }
  return path.includes('[') ? [bare] : bare.split('.')
}

function valueAt(resource: ScimResource | undefined, steps: readonly string[]): unknown {
  let value: unknown = resource
  for (const step of steps) {
    if (!isObject(value)) return undefined
    const key = Object.keys(value).find((k) => k.toLowerCase() === step.toLowerCase())
    value = key === undefined ? undefined : value[key]
  }
  return value
}

function bounded(value: unknown): unknown {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (text.length <= MAX_VALUE_CHARS) return value
  return `${text.slice(0, MAX_VALUE_CHARS)}…`
}
