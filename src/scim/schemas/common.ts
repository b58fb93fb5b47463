// Common attributes of every resource (https://www.rfc-editor.org/rfc/rfc7643#section-3.1).
// They belong to no schema in /Schemas (RFC 7643 §8.7.1 leaves them out) but resolve as core.

import { attr, complex } from './attribute.js'
import type { AttributeDef } from './types.js'

const readOnly = { mutability: 'readOnly' } as const

export const commonAttributes: readonly AttributeDef[] = [
  attr('id', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr(
    'externalId',
    'A String that is an identifier for the resource as defined by the provisioning client.',
    {
      caseExact: true,
    },
  ),
  complex(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      attr('resourceType', 'The name of the resource type of the resource.', {
        ...readOnly,
        caseExact: true,
      }),
      attr('created', 'The DateTime that the resource was added to the service provider.', {
        ...readOnly,
        type: 'dateTime',
      }),
      attr('lastModified', 'The most recent DateTime that the details of this resource were updated.', {
        ...readOnly,
        type: 'dateTime',
      }),
      attr('location', 'The URI of the resource being returned.', {
        ...readOnly,
        type: 'reference',
        caseExact: true,
      }),
      attr('version', 'The version (weak ETag) of the resource being returned.', {
        ...readOnly,
        caseExact: true,
      }),
    ],
    readOnly,
  ),
]
