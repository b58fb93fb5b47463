// Resource types (https://www.rfc-editor.org/rfc/rfc7643#section-6).

import type { ResourceTypeDef, ResourceTypeName } from './types.js'
import {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
} from './urns.js'

export const resourceTypes: readonly ResourceTypeDef[] = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: CUSTOM_USER_SCHEMA, required: false },
    ],
  },
  {
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group (a project)',
    schema: GROUP_SCHEMA,
    schemaExtensions: [{ schema: CUSTOM_GROUP_SCHEMA, required: false }],
  },
]

export function resourceType(name: ResourceTypeName): ResourceTypeDef {
  const found = resourceTypes.find((r) => r.id === name)
  if (!found) throw new Error(`Unknown resource type ${name}`)
  return found
}
