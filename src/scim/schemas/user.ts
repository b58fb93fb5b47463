// Core User schema (https://www.rfc-editor.org/rfc/rfc7643#section-4.1), characteristics as in
// the normative representation of https://www.rfc-editor.org/rfc/rfc7643#section-8.7.1.

import { assigned, attr, complex, multiValuedSubAttributes } from './attribute.js'
import type { SchemaDef } from './types.js'
import { USER_SCHEMA } from './urns.js'

const name = complex('name', "The components of the user's real name.", [
  attr(
    'formatted',
    'The full name, including all middle names, titles, and suffixes, formatted for display.',
  ),
  attr('familyName', 'The family name of the User, or last name.'),
  attr('givenName', 'The given name of the User, or first name.'),
  attr('middleName', 'The middle name(s) of the User.'),
  attr('honorificPrefix', "The honorific prefix(es) of the User, or title (e.g. 'Ms.')."),
  attr('honorificSuffix', "The honorific suffix(es) of the User, or suffix (e.g. 'III')."),
])

const addresses = complex(
  'addresses',
  'A physical mailing address for this User.',
  [
    attr('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
    attr('streetAddress', 'The full street address component.'),
    attr('locality', 'The city or locality component.'),
    attr('region', 'The state or region component.'),
    attr('postalCode', 'The zip code or postal code component.'),
    attr('country', 'The country name component, ISO 3166-1 alpha-2.'),
    attr('type', 'A label indicating the function of the address.', {
      canonicalValues: ['work', 'home', 'other'],
    }),
    attr('primary', "A Boolean value indicating the 'primary' or preferred address.", { type: 'boolean' }),
  ],
  { multiValued: true },
)

const groupsReadOnly = { mutability: 'readOnly' } as const

// Membership is managed through the Group resource (https://www.rfc-editor.org/rfc/rfc7643#section-4.1.2).
const groups = complex(
  'groups',
  'A list of groups to which the user belongs, either through direct membership or nested groups.',
  [
    attr('value', "The identifier of the User's group.", groupsReadOnly),
    attr('$ref', 'The URI of the corresponding Group resource.', {
      ...groupsReadOnly,
      type: 'reference',
      referenceTypes: ['User', 'Group'],
    }),
    attr('display', 'A human-readable name, primarily used for display purposes.', groupsReadOnly),
    attr('type', "A label indicating the attribute's function.", {
      ...groupsReadOnly,
      canonicalValues: ['direct', 'indirect'],
    }),
  ],
  { multiValued: true, mutability: 'readOnly' },
)

export const userSchema: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'Unique identifier for the User, here the email address.', {
      required: true,
      uniqueness: 'server',
    }),
    name,
    attr('displayName', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'The casual way to address the user in real life.'),
    attr('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.", {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    attr('title', "The user's title, such as 'Vice President'."),
    attr('userType', 'Used to identify the relationship between the organization and the user.'),
    attr('preferredLanguage', "Indicates the User's preferred written or spoken language."),
    attr('locale', "Used to indicate the User's default location for purposes of localizing items."),
    attr('timezone', "The User's time zone in the 'Olson' time zone database format."),
    assigned(
      attr('active', "A Boolean value indicating the User's administrative status.", { type: 'boolean' }),
    ),
    attr('password', "The User's cleartext password, never returned.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    complex(
      'emails',
      'Email addresses for the user.',
      multiValuedSubAttributes('Email addresses for the user.', ['work', 'home', 'other']),
      { multiValued: true },
    ),
    complex(
      'phoneNumbers',
      'Phone numbers for the User.',
      multiValuedSubAttributes('Phone number of the User.', [
        'work',
        'home',
        'mobile',
        'fax',
        'pager',
        'other',
      ]),
      { multiValued: true },
    ),
    complex(
      'ims',
      'Instant messaging addresses for the User.',
      multiValuedSubAttributes('Instant messaging address for the User.', [
        'aim',
        'gtalk',
        'icq',
        'xmpp',
        'msn',
        'skype',
        'qq',
        'yahoo',
      ]),
      { multiValued: true },
    ),
    complex(
      'photos',
      'URLs of photos of the User.',
      multiValuedSubAttributes('URL of a photo of the User.', ['photo', 'thumbnail'], {
        type: 'reference',
        referenceTypes: ['external'],
      }),
      { multiValued: true },
    ),
    addresses,
    groups,
    complex(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      multiValuedSubAttributes('The value of an entitlement.', []),
      { multiValued: true },
    ),
    complex(
      'roles',
      'A list of roles for the User that collectively represent who the User is.',
      multiValuedSubAttributes('The value of a role.', []),
      { multiValued: true },
    ),
    complex(
      'x509Certificates',
      'A list of certificates issued to the User.',
      multiValuedSubAttributes('The value of an X.509 certificate.', [], { type: 'binary' }),
      { multiValued: true },
    ),
  ],
}
