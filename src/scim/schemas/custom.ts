// Platform extensions, following the Activepieces contract (see SPEC.md).

import { attr, closed } from './attribute.js'
import type { SchemaDef } from './types.js'
import { CUSTOM_GROUP_SCHEMA, CUSTOM_USER_SCHEMA } from './urns.js'

export const customUserSchema: SchemaDef = {
  id: CUSTOM_USER_SCHEMA,
  name: 'CustomUserAttributes',
  description: 'Platform attributes of a User',
  attributes: [
    closed(
      attr(
        'platformRole',
        'The platform role of the User: MEMBER (the default when absent), OPERATOR or ADMIN.',
        {
          caseExact: true,
          canonicalValues: ['MEMBER', 'OPERATOR', 'ADMIN'],
        },
      ),
    ),
  ],
}

export const customGroupSchema: SchemaDef = {
  id: CUSTOM_GROUP_SCHEMA,
  name: 'CustomGroupAttributes',
  description: 'Platform attributes of a Group (project)',
  attributes: [
    closed(
      attr(
        'projectRole',
        'The project role given to the members of this Group: Admin, Editor or Viewer. ' +
          'When absent, the platform default (SCIM_DEFAULT_PROJECT_ROLE, Editor) applies.',
        { caseExact: true, canonicalValues: ['Admin', 'Editor', 'Viewer'] },
      ),
    ),
  ],
}
