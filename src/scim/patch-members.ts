// Group membership changes from PATCH operations, as ordered deltas for the membership table
// (one row per member), never applied to the resource (https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2).

import { invalidPath } from './errors.js'
import type { FilterNode } from './filter.js'
import { parseMemberIds } from './members.js'
import type { PatchOpName } from './patch-body.js'
import type { PatchPath } from './path.js'

export type MemberOp =
  | { readonly kind: 'add'; readonly ids: readonly string[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  | { readonly kind: 'removeAll' }
  | { readonly kind: 'replace'; readonly ids: readonly string[] }

/**
 * The membership delta of one operation on `members`; `path` is undefined when `members` came as a
 * key of a path-less value. Undefined when there is nothing to do (adding or removing no one).
 */
export function memberOp(
  op: PatchOpName,
  path: PatchPath | undefined,
  value: unknown,
  maxMembers?: number,
): MemberOp | undefined {
  if (path?.subAttribute) throw invalidPath('Member sub-attributes cannot be patched; add or remove members')
  if (path?.filter) {
    if (op !== 'remove') throw invalidPath('A "members[…]" filter is only supported with "remove"')
    return { kind: 'remove', ids: idsFromFilter(path.filter) }
  }
  switch (op) {
    case 'add': {
      const ids = parseMemberIds(value, maxMembers)
      return ids.length > 0 ? { kind: 'add', ids } : undefined
    }
    case 'replace':
      // Okta group push: `replace members` with the full list, possibly `[]` (RFC 7644 §3.5.2.3).
      return { kind: 'replace', ids: value === '' ? [] : parseMemberIds(value, maxMembers) }
    case 'remove':
      return value === undefined || value === null
        ? { kind: 'removeAll' }
        : removeListedMembers(value, maxMembers)
    default: {
      const never: never = op
      throw invalidPath(`Unsupported operation ${String(never)}`)
    }
  }
}

/**
 * Microsoft Entra ID removes members with `{"op":"Remove","path":"members","value":[{"value":id}]}`.
 * An RFC-literal reading (§3.5.2.2: no filter → remove the attribute) would empty the group, a known
 * data-loss bug of other servers; the value list names exactly the members to remove.
 */
function removeListedMembers(value: unknown, maxMembers?: number): MemberOp | undefined {
  const ids = parseMemberIds(value, maxMembers)
  return ids.length > 0 ? { kind: 'remove', ids } : undefined
}

/** `value eq "id"`, possibly or-ed: the members a `members[…]` remove filter designates. */
function idsFromFilter(filter: FilterNode): string[] {
  if (filter.kind === 'or') return [...idsFromFilter(filter.left), ...idsFromFilter(filter.right)]
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.attribute.toLowerCase() === 'value' &&
    typeof filter.value === 'string'
  ) {
    return [filter.value]
  }
  throw invalidPath('A "members[…]" filter must be of the form value eq "<id>" (optionally joined by "or")')
}
