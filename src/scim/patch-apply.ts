// add / replace / remove at one PATCH path, on a working copy owned by applyPatch
// (https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2.1 to section-3.5.2.3). Values go through the
// same registry-driven coercion as POST/PUT; mutability rules follow RFC 7644 §3.5.2 and RFC 7643 §2.2.

import { coerceAttribute, coerceElement, coerceSimple } from './coerce.js'
import { adaptAttributeValue } from './deviations.js'
import { invalidValue, mutability, noTarget } from './errors.js'
import { deepEqual, isObject, type JsonObject } from './json.js'
import { filterEqualities, matchesFilter } from './match.js'
import type { PatchPath } from './path.js'
import { attributePath, findAttribute, staysAssigned } from './schemas/index.js'
import type { AttributeDef } from './schemas/types.js'

export type SetOp = 'add' | 'replace'

/**
 * Microsoft Entra ID clears an attribute with `replace` and a value of `""` or `null` (name.givenName,
 * filtered sub-attributes, extension attributes). RFC 7644 §3.5.2.3 has no such rule; we read it as a
 * remove of that attribute. `add` on a single-valued attribute is a replace (RFC 7644 §3.5.2.1), so it
 * clears the same way.
 */
export function isClearing(value: unknown): boolean {
  return value === null || value === ''
}

export function setAt(doc: JsonObject, path: PatchPath, value: unknown, op: SetOp): void {
  checkWritable(path)
  if (path.filter) {
    setFiltered(doc, path, value, op)
    return
  }
  if (path.subAttribute) {
    setSub(doc, path, path.subAttribute, value)
    return
  }
  const def = path.attribute
  const label = attributePath(path)
  // Adding nothing to a list changes nothing.
  if (def.multiValued && op === 'add' && isClearing(value)) return
  const holder = holderOf(doc, path, true)
  const adapted = adaptAttributeValue(path.schema, def, value)
  if (isClearing(adapted)) {
    clear(holder, path)
    return
  }
  const coerced = coerceAttribute(path.schema, def, adapted, label)
  if (coerced === undefined) {
    clear(holder, path)
    return
  }
  checkImmutable(def, holder[def.name], coerced, label)
  if (def.multiValued) {
    const list = coerced as unknown[]
    // add appends (RFC 7644 §3.5.2.1, skipping values already there); replace swaps the set (§3.5.2.3).
    const next = op === 'add' ? appendNew(listOf(holder[def.name]), list) : list
    writeList(holder, def, demoteOtherPrimaries(next, list))
  } else if (def.type === 'complex') {
    // A complex value merges: unspecified sub-attributes are left unchanged (RFC 7644 §3.5.2.3).
    const merged: JsonObject = { ...(isObject(holder[def.name]) ? (holder[def.name] as JsonObject) : {}) }
    Object.assign(merged, coerced)
    for (const sub of clearedSubs(def, adapted)) delete merged[sub]
    writeComplex(holder, def, merged)
  } else {
    holder[def.name] = coerced
  }
}

export function removeAt(doc: JsonObject, path: PatchPath, value: unknown): void {
  checkWritable(path)
  const def = path.attribute
  const holder = holderOf(doc, path, false)
  if (!holder) return
  if (path.filter) {
    const subName = path.subAttribute?.name
    const eq = filterEqualities(path.filter, def.subAttributes ?? []) ?? {}
    // Removing what is not there succeeds: IdPs retry failed requests forever (ENTRA.md).
    const list = elementsOf(holder, def).flatMap((el) => {
      if (!matchesFilter(path.filter!, el, def.subAttributes ?? [])) return [el]
      return subName && isObject(el) ? keepIfMeaningful(without(el, subName), eq) : []
    })
    writeElements(holder, def, list)
    return
  }
  if (path.subAttribute) {
    setSub(doc, path, path.subAttribute, null)
    return
  }
  if (def.multiValued && value !== undefined && value !== null) {
    writeList(holder, def, removeListedValues(path, listOf(holder[def.name]), value))
    return
  }
  clear(holder, path)
}

function setSub(doc: JsonObject, path: PatchPath, sub: AttributeDef, value: unknown): void {
  const def = path.attribute
  const label = attributePath(path)
  const clearing = isClearing(value)
  const holder = holderOf(doc, path, !clearing)
  if (!holder) return
  const set = (el: unknown): unknown[] => {
    const base = isObject(el) ? el : {}
    if (clearing) return keepIfMeaningful(without(base, sub.name), {})
    checkImmutable(sub, base[sub.name], value, label)
    return [{ ...base, [sub.name]: coerceSimple(sub, value, label) }]
  }
  const current = elementsOf(holder, def)
  // Without a filter, a sub-attribute of a multi-valued attribute is set on every value (creating
  // one value when there is none), per RFC 7644 §3.5.2.1's "attribute and all values".
  const next = current.length > 0 ? current.flatMap(set) : clearing ? [] : set({})
  writeElements(holder, def, next)
}

function setFiltered(doc: JsonObject, path: PatchPath, value: unknown, op: SetOp): void {
  const def = path.attribute
  const subs = def.subAttributes ?? []
  const filter = path.filter!
  const sub = path.subAttribute
  const label = attributePath(path)
  const clearing = isClearing(value)
  const holder = holderOf(doc, path, !clearing)
  if (!holder) return
  const eq = filterEqualities(filter, subs)
  const current = elementsOf(holder, def)
  const hits = current.filter((el) => matchesFilter(filter, el, subs))
  if (hits.length === 0) {
    if (clearing) return
    writeElements(holder, def, upsert(path, current, eq, value))
    return
  }
  const update = (el: unknown): unknown[] => {
    const base = isObject(el) ? el : {}
    if (sub) {
      if (clearing) return keepIfMeaningful(without(base, sub.name), eq ?? {})
      checkImmutable(sub, base[sub.name], value, label)
      return [{ ...base, [sub.name]: coerceSimple(sub, value, label) }]
    }
    if (clearing) return []
    if (!isObject(value)) throw invalidValue(`"${label}" needs an object value`)
    // replace swaps each matching value (RFC 7644 §3.5.2.3), keeping what the filter pins; add merges.
    const start = op === 'replace' ? (eq ?? {}) : base
    return [coerceElement(path.schema, def, { ...start, ...value }, label)]
  }
  const next = current.flatMap((el) => (hits.includes(el) ? update(el) : [el]))
  const touched = next.filter((el) => !current.includes(el))
  writeElements(holder, def, demoteOtherPrimaries(next, touched))
}

/**
 * Microsoft Entra ID patches `emails[type eq "work"].value` (and `addresses[type eq "work"].locality`, …)
 * on users that have no such value yet. RFC 7644 §3.5.2.3 would answer noTarget; Entra then retries
 * forever. When the filter pins the element (`eq` joined by `and`), create it: several operations on
 * the same filter build one element.
 */
function upsert(path: PatchPath, current: unknown[], eq: JsonObject | undefined, value: unknown): unknown[] {
  const label = attributePath(path)
  if (!eq) throw noTarget(`No value of "${path.attribute.name}" matches the filter in "${label}"`)
  const sub = path.subAttribute
  if (!sub && !isObject(value)) throw invalidValue(`"${label}" needs an object value`)
  const element = sub ? { ...eq, [sub.name]: value } : { ...eq, ...(value as JsonObject) }
  const created = coerceElement(path.schema, path.attribute, element, label)
  const next = path.attribute.multiValued ? [...current, created] : [created]
  return demoteOtherPrimaries(next, [created])
}

/**
 * Microsoft Entra ID sends `remove` of a multi-valued attribute with a value list (for members, see
 * patch-members.ts). RFC 7644 §3.5.2.2 would drop the whole attribute; we remove only the listed
 * values, matched on `value` when they have one, else as a whole.
 */
function removeListedValues(path: PatchPath, current: unknown[], value: unknown): unknown[] {
  const listed = coerceAttribute(path.schema, path.attribute, value, attributePath(path)) as unknown[]
  const valueIn = (el: unknown): unknown => (isObject(el) ? el.value : el)
  return current.filter(
    (el) =>
      !listed.some((l) => (valueIn(l) !== undefined ? deepEqual(valueIn(l), valueIn(el)) : deepEqual(l, el))),
  )
}

/** RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once." The newest wins. */
function demoteOtherPrimaries(list: unknown[], newcomers: readonly unknown[]): unknown[] {
  const winner = [...newcomers]
    .reverse()
    .find((el) => isObject(el) && el.primary === true && list.includes(el))
  if (!winner) return list
  return list.map((el) =>
    el !== winner && isObject(el) && el.primary === true ? { ...el, primary: false } : el,
  )
}

function appendNew(current: unknown[], added: unknown[]): unknown[] {
  const out = [...current]
  for (const el of added) if (!out.some((o) => deepEqual(o, el))) out.push(el)
  return out
}

// RFC 7643 §2.4: type, primary and display label a value of a multi-valued attribute; a value left
// with nothing but labels (and what the filter pinned) after a clear is dropped altogether.
const LABELS: ReadonlySet<string> = new Set(['type', 'primary', 'display'])

function keepIfMeaningful(el: JsonObject, pinned: JsonObject): unknown[] {
  return Object.keys(el).some((k) => !LABELS.has(k) && !Object.hasOwn(pinned, k)) ? [el] : []
}

function without(el: JsonObject, key: string): JsonObject {
  const { [key]: _, ...rest } = el
  return rest
}

function clearedSubs(def: AttributeDef, raw: unknown): string[] {
  if (!isObject(raw)) return []
  return Object.keys(raw).flatMap((k) => {
    const sub = isClearing(raw[k]) ? findAttribute(def.subAttributes, k) : undefined
    return sub ? [sub.name] : []
  })
}

/** The object holding the attribute: the resource, or its extension object (created on demand). */
function holderOf(doc: JsonObject, path: PatchPath, create: true): JsonObject
function holderOf(doc: JsonObject, path: PatchPath, create: boolean): JsonObject | undefined
function holderOf(doc: JsonObject, path: PatchPath, create: boolean): JsonObject | undefined {
  if (!path.extension) return doc
  const existing = doc[path.schema]
  if (isObject(existing)) return existing
  if (!create) return undefined
  const fresh: JsonObject = {}
  doc[path.schema] = fresh
  return fresh
}

function clear(holder: JsonObject | undefined, path: PatchPath): void {
  const def = path.attribute
  // Removing a required attribute is "a required value was missing" (RFC 7644 §3.12 invalidValue).
  if (def.required) throw invalidValue(`Attribute "${attributePath(path)}" is required and cannot be removed`)
  // An unassigned `active` reads as true, so a remove (or a clear) would re-activate a suspended user.
  // Refused: RFC 7644 §3.12 Table 9, mutability: "not compatible with the target attribute's …
  // current state".
  if (staysAssigned(def)) {
    throw mutability(
      `Attribute "${attributePath(path)}" cannot be removed or cleared; replace it with true or false`,
    )
  }
  if (def.mutability === 'immutable' && holder?.[def.name] !== undefined) {
    throw mutability(`Attribute "${attributePath(path)}" is immutable`)
  }
  if (holder) delete holder[def.name]
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** The values of a multi-valued attribute, or a single complex value as a one-element list. */
function elementsOf(holder: JsonObject, def: AttributeDef): unknown[] {
  const current = holder[def.name]
  if (def.multiValued) return listOf(current)
  return isObject(current) ? [current] : []
}

function writeElements(holder: JsonObject, def: AttributeDef, list: unknown[]): void {
  if (def.multiValued) {
    writeList(holder, def, list)
    return
  }
  const last = list[list.length - 1]
  if (isObject(last)) writeComplex(holder, def, last)
  else delete holder[def.name]
}

/** An emptied multi-valued attribute is unassigned (RFC 7644 §3.5.2.2). */
function writeList(holder: JsonObject, def: AttributeDef, list: unknown[]): void {
  if (list.length === 0) delete holder[def.name]
  else holder[def.name] = list
}

function writeComplex(holder: JsonObject, def: AttributeDef, value: JsonObject): void {
  if (Object.keys(value).length === 0) delete holder[def.name]
  else holder[def.name] = value
}

/** RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability readOnly". */
function checkWritable(path: PatchPath): void {
  if (path.attribute.mutability === 'readOnly' || path.subAttribute?.mutability === 'readOnly') {
    throw mutability(`Attribute "${attributePath(path)}" is read-only`)
  }
}

/** RFC 7644 §3.5.2: an immutable attribute may be set only when it had no value. */
function checkImmutable(def: AttributeDef, existing: unknown, incoming: unknown, label: string): void {
  if (def.mutability === 'immutable' && existing !== undefined && !deepEqual(existing, incoming)) {
    throw mutability(`Attribute "${label}" is immutable and already set`)
  }
}
