import { describe, expect, it } from 'vitest'
import { domainOf, NAMEID_EMAIL, normalizeDomain, oidcIdentity, samlIdentity } from './identity.js'

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'

describe('who a SAML assertion names', () => {
  it('an EmailAddress NameID', () => {
    expect(samlIdentity('joy@acme.com', NAMEID_EMAIL, {}).email).toBe('joy@acme.com')
  })

  it("Entra's claim URIs when the NameID is persistent", () => {
    const identity = samlIdentity(
      'AAAAAAAAAAAAAAAAAAAAAFqwPcKmSBKJ',
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      {
        [`${CLAIMS}emailaddress`]: ['joy@acme.com'],
        [`${CLAIMS}givenname`]: ['Joy'],
        [`${CLAIMS}surname`]: ['Young'],
        [`${CLAIMS}name`]: ['joy@acme.com'],
      },
    )
    expect(identity).toEqual({
      email: 'joy@acme.com',
      firstName: 'Joy',
      lastName: 'Young',
      displayName: 'joy@acme.com',
    })
  })

  it("Activepieces' short names", () => {
    const identity = samlIdentity('00u1', 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', {
      email: ['joy@acme.com'],
      firstName: ['Joy'],
      lastName: ['Young'],
    })
    expect(identity).toMatchObject({ email: 'joy@acme.com', firstName: 'Joy', lastName: 'Young' })
  })

  it('no email anywhere', () => {
    expect(samlIdentity('00u1', undefined, { email: ['not an email'] }).email).toBeUndefined()
  })
})

describe('who an ID token names', () => {
  it('email, given_name, family_name, name', () => {
    expect(oidcIdentity({ email: 'a@b.co', given_name: 'A', family_name: 'B', name: 'A B' })).toEqual({
      email: 'a@b.co',
      firstName: 'A',
      lastName: 'B',
      displayName: 'A B',
    })
    expect(oidcIdentity({ sub: 'x' }).email).toBeUndefined()
  })
})

describe('domains', () => {
  it('normalises and refuses what is not a domain', () => {
    expect(normalizeDomain(' Acme.COM. ')).toBe('acme.com')
    expect(normalizeDomain('@acme.com')).toBe('acme.com')
    expect(normalizeDomain('acme')).toBeUndefined()
    expect(normalizeDomain('acme .com')).toBeUndefined()
    expect(domainOf('Joy@Sub.Acme.com')).toBe('sub.acme.com')
  })
})
