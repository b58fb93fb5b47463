// Enterprise User extension (https://www.rfc-editor.org/rfc/rfc7643#section-4.3 and section-8.7.1).

import { attr, complex } from './attribute.js'
import type { SchemaDef } from './types.js'
import { ENTERPRISE_USER_SCHEMA } from './urns.js'

export const enterpriseUserSchema: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    attr('costCenter', 'Identifies the name of a cost center.'),
    attr('organization', 'Identifies the name of an organization.'),
    attr('division', 'Identifies the name of a division.'),
    attr('department', 'Identifies the name of a department.'),
    complex('manager', "The User's manager.", [
      attr('value', "The id of the SCIM resource representing the User's manager."),
      attr('$ref', "The URI of the SCIM resource representing the User's manager.", {
        type: 'reference',
        referenceTypes: ['User'],
      }),
      attr('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
}
