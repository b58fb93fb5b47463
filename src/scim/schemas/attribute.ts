// Compact builders for attribute definitions. Defaults are the RFC 7643 §2.2 defaults
// (https://www.rfc-editor.org/rfc/rfc7643#section-2.2): string, single-valued, optional,
// case-insensitive, readWrite, returned by default, no uniqueness.

import type { AttributeDef } from './types.js'

type Options = Partial<Omit<AttributeDef, 'name' | 'description' | 'subAttributes'>>

const closedVocabulary = new WeakSet<AttributeDef>()

export function attr(name: string, description: string, options: Options = {}): AttributeDef {
  return Object.freeze({
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  })
}

export function complex(
  name: string,
  description: string,
  subAttributes: readonly AttributeDef[],
  options: Options = {},
): AttributeDef {
  return Object.freeze({ ...attr(name, description, { ...options, type: 'complex' }), subAttributes })
}

/**
 * An attribute whose canonicalValues are a closed list. RFC 7643 §2.2 only calls canonical values
 * "suggested" (emails.type may be anything), so enforcement is opt-in per attribute.
 */
export function closed(def: AttributeDef): AttributeDef {
  closedVocabulary.add(def)
  return def
}

/** Whether a value outside `canonicalValues` must be rejected with 400 invalidValue. */
export function enforcesCanonicalValues(def: AttributeDef): boolean {
  return closedVocabulary.has(def)
}

const alwaysValued = new WeakSet<AttributeDef>()

/**
 * An attribute that always reads with a value, because the server derives it (User `active` is the
 * user's status). A POST may omit it (the server's default applies), but a PATCH cannot make it
 * unassigned: nothing could be read back. RFC 7643 §2.2 has no characteristic for this; for a PATCH it
 * is handled like a required attribute (RFC 7644 §3.5.2.2: 400 mutability).
 */
export function assigned(def: AttributeDef): AttributeDef {
  alwaysValued.add(def)
  return def
}

/** Whether a PATCH must not leave the attribute unassigned (remove, or replace with null or ""). */
export function staysAssigned(def: AttributeDef): boolean {
  return alwaysValued.has(def)
}

/** The `value`/`display`/`type`/`primary` quartet of RFC 7643 §2.4 multi-valued attributes. */
export function multiValuedSubAttributes(
  valueDescription: string,
  types: readonly string[],
  valueOptions: Options = {},
): readonly AttributeDef[] {
  return [
    attr('value', valueDescription, valueOptions),
    attr('display', 'A human-readable name, primarily used for display purposes.'),
    attr(
      'type',
      'A label indicating the function of the value.',
      types.length ? { canonicalValues: types } : {},
    ),
    attr('primary', "A Boolean value indicating the 'primary' or preferred attribute value.", {
      type: 'boolean',
    }),
  ]
}
