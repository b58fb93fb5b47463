// PATCH (https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2): read the PatchOp body, accept the IdP
// dialects, then apply every operation in order to a copy of the resource. All or nothing: the first
// bad operation throws a ScimError and the caller discards everything. Group members are not applied
// to the resource but returned as ordered deltas for the membership table.

import { extensionRootPath } from './deviations.js'
import { invalidPath, invalidValue, noTarget, ScimError } from './errors.js'
import { cloneJson, isObject, type JsonObject } from './json.js'
import { isClearing, removeAt, type SetOp, setAt } from './patch-apply.js'
import { type PatchOperation, type PatchOpName, readOperations } from './patch-body.js'
import { type MemberOp, memberOp } from './patch-members.js'
import { type PatchPath, parsePath } from './path.js'
import { isMembers, withSchemas } from './resource.js'
import { attributePath, resolveAttribute, resolveExtension } from './schemas/index.js'
import type { ResourceTypeName, SchemaDef, ScimResource } from './schemas/types.js'

export type { MemberOp } from './patch-members.js'

export interface PatchLimits {
  /** Most operations in one PATCH (default 1,000). */
  readonly maxOperations?: number
  /** Most member values in one operation (default 10,000). */
  readonly maxMembersPerOp?: number
}

export interface PatchResult {
  readonly resource: ScimResource
  /** Canonical attribute paths touched, for the audit log; never values. */
  readonly changed: readonly string[]
  /** Group membership deltas, in request order. */
  readonly members: readonly MemberOp[]
}

interface Context {
  readonly type: ResourceTypeName
  readonly doc: JsonObject
  readonly changed: Set<string>
  readonly members: MemberOp[]
  readonly maxMembers: number | undefined
}

export function applyPatch(
  type: ResourceTypeName,
  resource: ScimResource,
  body: unknown,
  limits: PatchLimits = {},
): PatchResult {
  const operations = readOperations(body, limits.maxOperations)
  const ctx: Context = {
    type,
    doc: cloneJson(resource),
    changed: new Set(),
    members: [],
    maxMembers: limits.maxMembersPerOp,
  }
  operations.forEach((operation, index) => {
    try {
      applyOperation(ctx, operation)
    } catch (e) {
      if (e instanceof ScimError)
        throw new ScimError(e.status, `Operation ${index}: ${e.message}`, e.scimType)
      throw e
    }
  })
  return { resource: withSchemas(type, ctx.doc), changed: [...ctx.changed], members: ctx.members }
}

function applyOperation(ctx: Context, { op, path: raw, hasValue, value }: PatchOperation): void {
  if (op !== 'remove' && !hasValue) throw invalidValue(`"${op}" needs a "value"`)
  if (raw === undefined) {
    if (op === 'remove') throw noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2)')
    applyPathless(ctx, op, value)
    return
  }
  const extension = extensionRootPath(ctx.type, raw)
  if (extension) {
    applyToExtension(ctx, op, extension, value)
    return
  }
  const path = parsePath(ctx.type, raw)
  if (isMembers(path)) {
    addMemberOp(ctx, memberOp(op, path, value, ctx.maxMembers))
    return
  }
  if (op === 'remove') removeAt(ctx.doc, path, value)
  else setAt(ctx.doc, path, value, op)
  ctx.changed.add(attributePath(path))
}

/**
 * A path-less add/replace carries an object of attributes (RFC 7644 §3.5.2.1, §3.5.2.3). Microsoft
 * Entra ID's aadOptscim062020 dialect also uses attribute paths as keys
 * (`{"name.givenName":…,"urn:…:enterprise:2.0:User:employeeNumber":…}`); nested objects and
 * extension objects work too. Unknown keys are ignored, as in a PUT body.
 */
function applyPathless(ctx: Context, op: SetOp, value: unknown): void {
  if (!isObject(value)) throw invalidValue(`A path-less "${op}" needs an object "value"`)
  for (const key of Object.keys(value)) {
    const extension = resolveExtension(ctx.type, key)
    const inner = value[key]
    if (extension) {
      if (isClearing(inner)) {
        if (op === 'replace') removeExtension(ctx, extension)
        continue
      }
      if (!isObject(inner)) throw invalidValue(`"${extension.id}" must be an object`)
      for (const k of Object.keys(inner)) applyPathlessKey(ctx, op, `${extension.id}:${k}`, inner[k])
      continue
    }
    if (key.toLowerCase() !== 'schemas') applyPathlessKey(ctx, op, key, inner)
  }
}

function applyPathlessKey(ctx: Context, op: SetOp, key: string, value: unknown): void {
  const path: PatchPath | undefined = key.includes('[')
    ? parsePath(ctx.type, key)
    : resolveAttribute(ctx.type, key)
  if (!path || ignoresReadOnlyInPathlessValue(path)) return
  if (isMembers(path)) {
    addMemberOp(ctx, memberOp(op, path, value, ctx.maxMembers))
    return
  }
  setAt(ctx.doc, path, value, op)
  ctx.changed.add(attributePath(path))
}

/**
 * An operation whose path is a whole extension (see extensionRootPath): add and replace apply each
 * attribute of the value object as if it had been sent with its full path, `urn:…:User:department`, so
 * the attributes it does not list stay as they are, and an unknown or read-only one fails as it would
 * there. `remove`, and `replace` with null or "", remove the extension's attributes one by one (each
 * under its own mutability rules); `add` of nothing changes nothing.
 */
function applyToExtension(ctx: Context, op: PatchOpName, extension: SchemaDef, value: unknown): void {
  if (op === 'remove' || isClearing(value)) {
    if (op !== 'add') removeExtension(ctx, extension)
    return
  }
  if (!isObject(value)) throw invalidValue(`"${extension.id}" needs an object of its attributes as "value"`)
  for (const key of Object.keys(value)) {
    const path = parsePath(ctx.type, `${extension.id}:${key}`)
    setAt(ctx.doc, path, value[key], op)
    ctx.changed.add(attributePath(path))
  }
}

/** Removes every attribute of an extension, each as a `remove` of its path would (RFC 7644 §3.5.2.2). */
function removeExtension(ctx: Context, extension: SchemaDef): void {
  const data = ctx.doc[extension.id]
  if (isObject(data)) {
    for (const attribute of extension.attributes) {
      if (data[attribute.name] === undefined) continue
      removeAt(ctx.doc, { schema: extension.id, extension: true, attribute }, undefined)
    }
  }
  delete ctx.doc[extension.id]
  ctx.changed.add(extension.id)
}

/**
 * Okta's group push sends path-less `{"op":"replace","value":{"id":…,"displayName":…,"members":[…]}}`
 * with the read-only `id`. Read-only attributes inside a path-less value are ignored as in a PUT
 * (RFC 7644 §3.5.1) rather than failing with mutability; an explicit path to them still fails.
 */
function ignoresReadOnlyInPathlessValue(path: PatchPath): boolean {
  return path.attribute.mutability === 'readOnly' || path.subAttribute?.mutability === 'readOnly'
}

function addMemberOp(ctx: Context, op: MemberOp | undefined): void {
  if (ctx.type !== 'Group') throw invalidPath('Only Groups have members')
  ctx.changed.add('members')
  if (op) ctx.members.push(op)
}
