// What a write touched, for the provisioning log: attribute names, never values.
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
