// The schema registry: attribute definitions as data drive validation, PATCH, projection,
// filter case rules and the discovery endpoints (https://www.rfc-editor.org/rfc/rfc7643#section-7).

export { enforcesCanonicalValues, staysAssigned } from './attribute.js'
export { commonAttributes } from './common.js'
export {
  attributePath,
  findAttribute,
  findSchema,
  type ResolvedAttribute,
  type ResolvedSchema,
  resolveAttribute,
  resolveExtension,
  schemas,
  schemasOf,
} from './resolve.js'
export { resourceType, resourceTypes } from './resource-types.js'
export {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_SCHEMA,
  PATCH_SCHEMA,
  SEARCH_SCHEMA,
  USER_SCHEMA,
} from './urns.js'
