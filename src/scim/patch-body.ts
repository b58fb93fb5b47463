// The PatchOp request body (https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2), read leniently
// where IdPs deviate, into a plain list of operations.

import { invalidSyntax, invalidValue } from './errors.js'
import { getCaseInsensitive, hasCaseInsensitive, isObject } from './json.js'

export type PatchOpName = 'add' | 'remove' | 'replace'

export interface PatchOperation {
  readonly op: PatchOpName
  /** The raw path; undefined when absent, null or blank. */
  readonly path: string | undefined
  /** Whether the operation carries a `value` member at all (`null` counts as given). */
  readonly hasValue: boolean
  readonly value: unknown
}

export const DEFAULT_MAX_OPERATIONS = 1_000

/**
 * RFC 7644 §3.5.2 wants `schemas: [PatchOp]`; clients that omit it (or send a wrong one) are
 * accepted, since `Operations` alone says what to do.
 */
export function readOperations(body: unknown, maxOperations = DEFAULT_MAX_OPERATIONS): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('The PATCH body must be a JSON object with "Operations"')
  const operations = getCaseInsensitive(body, 'Operations')
  if (!Array.isArray(operations)) throw invalidSyntax('"Operations" must be an array of PATCH operations')
  // invalidValue, not tooMany: RFC 7644 §3.12 reserves tooMany for filters returning too many results.
  if (operations.length > maxOperations) {
    throw invalidValue(`The PATCH has ${operations.length} operations; the limit is ${maxOperations}`)
  }
  return operations.map((operation, i) => readOperation(operation, i))
}

function readOperation(operation: unknown, index: number): PatchOperation {
  if (!isObject(operation)) throw invalidSyntax(`Operation ${index} must be a JSON object`)
  const op = opName(getCaseInsensitive(operation, 'op'))
  if (!op) throw invalidSyntax(`Operation ${index}: "op" must be one of add, remove, replace`)
  const rawPath = getCaseInsensitive(operation, 'path')
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw invalidSyntax(`Operation ${index}: "path" must be a string`)
  }
  const path = typeof rawPath === 'string' && rawPath.trim() !== '' ? rawPath : undefined
  const hasValue = hasCaseInsensitive(operation, 'value')
  return { op, path, hasValue, value: getCaseInsensitive(operation, 'value') }
}

/**
 * Microsoft Entra ID sends capitalised operation names ("Replace", "Add", "Remove"); RFC 7644
 * §3.5.2 spells them in lower case. Any casing is accepted.
 */
export function opName(op: unknown): PatchOpName | undefined {
  if (typeof op !== 'string') return undefined
  const lower = op.toLowerCase()
  return lower === 'add' || lower === 'remove' || lower === 'replace' ? lower : undefined
}
