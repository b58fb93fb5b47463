// Attribute characteristics as data (https://www.rfc-editor.org/rfc/rfc7643#section-2.2).
// The registry built from these drives validation, PATCH, projection, filter case rules and
// the discovery endpoints.

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'binary'
  | 'reference'
  | 'complex'
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
export type Returned = 'always' | 'never' | 'default' | 'request'
export type Uniqueness = 'none' | 'server' | 'global'

export interface AttributeDef {
  readonly name: string
  readonly type: AttributeType
  readonly multiValued: boolean
  readonly description: string
  readonly required: boolean
  readonly caseExact: boolean
  readonly mutability: Mutability
  readonly returned: Returned
  readonly uniqueness: Uniqueness
  readonly canonicalValues?: readonly string[]
  readonly referenceTypes?: readonly string[]
  readonly subAttributes?: readonly AttributeDef[]
}

export interface SchemaDef {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly attributes: readonly AttributeDef[]
}

export type ResourceTypeName = 'User' | 'Group'

export interface ResourceTypeDef {
  readonly id: ResourceTypeName
  readonly name: ResourceTypeName
  readonly endpoint: string
  readonly description: string
  readonly schema: string
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[]
}

/** A SCIM resource as plain JSON with canonical attribute names; extensions live under their URN. */
export type ScimResource = Record<string, unknown>
