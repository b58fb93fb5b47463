// Core Group schema (https://www.rfc-editor.org/rfc/rfc7643#section-4.2 and section-8.7.1).

import { attr, complex } from './attribute.js'
import type { SchemaDef } from './types.js'
import { GROUP_SCHEMA } from './urns.js'

export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'A human-readable name for the Group.', { required: true }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attr('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attr('$ref', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        attr('display', 'A human-readable name, primarily used for display purposes.', {
          mutability: 'readOnly',
        }),
        attr('type', 'A label indicating the type of resource, e.g. User or Group.', {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
      { multiValued: true },
    ),
  ],
}
