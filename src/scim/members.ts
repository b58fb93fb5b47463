// Group members travel as deltas, not as part of the stored resource (one row per membership):
// this reads the member ids out of a `members` value (https://www.rfc-editor.org/rfc/rfc7643#section-4.2).

import { acceptSingleValueAsList } from './deviations.js'
import { invalidValue } from './errors.js'
import { getCaseInsensitive, isObject } from './json.js'
import { isStorableText } from './text.js'

/** Most member values accepted in one `members` value (one POST/PUT body or one PATCH operation). */
export const DEFAULT_MAX_MEMBERS_PER_OP = 10_000

/**
 * The ids of a `members` value: a list of `{"value": id}` objects; `$ref` (even `null`, as Entra
 * sends it), `type` and `display` are ignored. `null` is an empty list. Duplicates are dropped.
 */
export function parseMemberIds(value: unknown, maxMembers = DEFAULT_MAX_MEMBERS_PER_OP): string[] {
  if (value === null || value === undefined) return []
  const list = acceptSingleValueAsList(value)
  if (!Array.isArray(list)) throw invalidValue('"members" must be an array of {"value": "<id>"} objects')
  // invalidValue, not tooMany: RFC 7644 §3.12 reserves tooMany for filters returning too many results.
  if (list.length > maxMembers) {
    throw invalidValue(`"members" has ${list.length} values in one operation; the limit is ${maxMembers}`)
  }
  const ids = new Set<string>()
  for (const member of list) {
    const id = isObject(member) ? getCaseInsensitive(member, 'value') : undefined
    if (typeof id !== 'string' || id === '') {
      throw invalidValue('Each member must be an object with a non-empty string "value" (the member id)')
    }
    if (!isStorableText(id))
      throw invalidValue('A member id contains a NUL character or an unpaired surrogate')
    ids.add(id)
  }
  return [...ids]
}
