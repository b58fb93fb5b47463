// PATCH paths (https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2, Figure 3):
//   PATH = attrPath / valuePath [subAttr]
// e.g. `name.familyName`, `emails[type eq "work"].value`, `members[value eq "id"]`,
// `urn:…:enterprise:2.0:User:manager` and Entra's `urn:…:enterprise:2.0:User.manager`.

import { invalidPath, ScimError } from './errors.js'
import { type FilterNode, parseFilter } from './filter.js'
import { findAttribute, type ResolvedAttribute, resolveAttribute } from './schemas/index.js'
import type { AttributeDef, ResourceTypeName } from './schemas/types.js'

export interface PatchPath extends ResolvedAttribute {
  /** The value filter of a valuePath, over the sub-attributes of `attribute`. */
  readonly filter?: FilterNode
}

export function parsePath(type: ResourceTypeName, raw: string): PatchPath {
  const path = raw.trim()
  const open = path.indexOf('[')
  if (open < 0) {
    const resolved = resolveAttribute(type, path)
    if (!resolved) throw invalidPath(`Unknown attribute path "${raw}"`)
    return resolved
  }
  const close = closingBracket(path, open)
  if (close < 0) throw invalidPath(`Unclosed "[" in path "${raw}"`)
  const resolved = resolveAttribute(type, path.slice(0, open).trim())
  if (!resolved || resolved.subAttribute) throw invalidPath(`Unknown attribute path "${raw}"`)
  const { attribute } = resolved
  if (attribute.type !== 'complex')
    throw invalidPath(`"${attribute.name}" has no sub-attributes to filter on`)
  const filter = parseValueFilter(path.slice(open + 1, close), attribute, raw)
  const rest = path.slice(close + 1).trim()
  if (rest === '') return { ...resolved, filter }
  const sub = rest.startsWith('.') ? findAttribute(attribute.subAttributes, rest.slice(1)) : undefined
  if (!sub) throw invalidPath(`Unknown sub-attribute "${rest}" in path "${raw}"`)
  return { ...resolved, subAttribute: sub, filter }
}

/** Index of the `]` closing the `[` at `open`, skipping quoted strings (values may contain `]`). */
function closingBracket(path: string, open: number): number {
  let quoted = false
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i]
    if (quoted && c === '\\') i++
    else if (c === '"') quoted = !quoted
    else if (!quoted && c === ']') return i
  }
  return -1
}

function parseValueFilter(text: string, attribute: AttributeDef, raw: string): FilterNode {
  let filter: FilterNode
  try {
    filter = parseFilter(text)
  } catch (e) {
    // RFC 7644 §3.5.2: a malformed path is `invalidPath`, whatever part of it is malformed.
    if (e instanceof ScimError) throw invalidPath(`Invalid filter in path "${raw}": ${e.message}`)
    throw e
  }
  checkNames(filter, attribute, raw)
  return filter
}

/** Filter attributes must be sub-attributes of the filtered attribute; value paths do not nest. */
function checkNames(filter: FilterNode, attribute: AttributeDef, raw: string): void {
  switch (filter.kind) {
    case 'compare':
    case 'present':
      if (!findAttribute(attribute.subAttributes, filter.attribute)) {
        throw invalidPath(
          `"${filter.attribute}" is not a sub-attribute of "${attribute.name}" in path "${raw}"`,
        )
      }
      return
    case 'and':
    case 'or':
      checkNames(filter.left, attribute, raw)
      checkNames(filter.right, attribute, raw)
      return
    case 'not':
      checkNames(filter.filter, attribute, raw)
      return
    case 'valuePath':
      throw invalidPath(`Nested value filters are not allowed in path "${raw}"`)
    default: {
      const never: never = filter
      throw invalidPath(`Unsupported filter ${String(never)}`)
    }
  }
}
