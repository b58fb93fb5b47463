// Who a SAML assertion or an ID token says the person is. The email matches a platform user as
// userName does (case-insensitively); names are used only when "Create users on first sign-in" makes
// a new user. Entra's default claim URIs and Activepieces' short names both work (SSO.md).

export interface Identity {
  readonly email: string | undefined
  readonly firstName: string | undefined
  readonly lastName: string | undefined
  readonly displayName: string | undefined
}

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'
const EMAIL_ATTRIBUTES = [
  'email',
  `${CLAIMS}emailaddress`,
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'Email',
  'emailAddress',
]
const FIRST_NAME = ['firstName', `${CLAIMS}givenname`, 'givenName', 'given_name']
const LAST_NAME = ['lastName', `${CLAIMS}surname`, 'surname', 'sn', 'family_name']
const DISPLAY_NAME = [
  'displayName',
  'http://schemas.microsoft.com/identity/claims/displayname',
  `${CLAIMS}name`,
  'name',
]

export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
export const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function looksLikeEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 320 && EMAIL.test(value)
}

const firstOf = (attributes: Readonly<Record<string, readonly string[]>>, names: readonly string[]) => {
  for (const name of names) {
    const value = attributes[name]?.find((v) => v.trim() !== '')
    if (value !== undefined) return value.trim()
  }
  return undefined
}

/**
 * From a verified assertion: the NameID when its format is EmailAddress (or unspecified and it is an
 * email, as Entra's UPN often is), else the first email attribute.
 */
export function samlIdentity(
  nameId: string | undefined,
  nameIdFormat: string | undefined,
  attributes: Readonly<Record<string, readonly string[]>>,
): Identity {
  const fromNameId =
    (nameIdFormat === NAMEID_EMAIL || nameIdFormat === NAMEID_UNSPECIFIED || !nameIdFormat) &&
    looksLikeEmail(nameId?.trim())
      ? nameId?.trim()
      : undefined
  const attribute = firstOf(attributes, EMAIL_ATTRIBUTES)
  return {
    email: fromNameId ?? (looksLikeEmail(attribute) ? attribute : undefined),
    firstName: firstOf(attributes, FIRST_NAME),
    lastName: firstOf(attributes, LAST_NAME),
    displayName: firstOf(attributes, DISPLAY_NAME),
  }
}

/** From verified ID token claims (merged with user info): `email`, `given_name`, `family_name`, `name`. */
export function oidcIdentity(claims: Readonly<Record<string, unknown>>): Identity {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined)
  const email = text(claims.email)
  return {
    email: looksLikeEmail(email) ? email : undefined,
    firstName: text(claims.given_name),
    lastName: text(claims.family_name),
    displayName: text(claims.name),
  }
}

/** The lower-cased domain of an email. */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase()
}

/** A domain as claimed (`Acme.com.` → `acme.com`), or undefined when it is not a domain name. */
export function normalizeDomain(text: string): string | undefined {
  const domain = text.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '')
  if (
    domain.length > 253 ||
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/.test(domain)
  )
    return undefined
  return domain
}
