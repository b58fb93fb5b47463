import { describe, expect, it } from 'vitest'
import { platformFromEntityId, safeNext, samlAddresses } from './addresses.js'

describe('SSO addresses', () => {
  it('are the fixed addresses of SSO.md', () => {
    expect(samlAddresses('https://id.example.com', 'p1')).toEqual({
      entityId: 'https://id.example.com/api/v1/authn/saml/p1',
      metadataUrl: 'https://id.example.com/api/v1/authn/saml/p1/metadata',
      acsUrl: 'https://id.example.com/api/v1/authn/saml/acs',
      loginUrl: 'https://id.example.com/api/v1/authn/saml/p1/login',
    })
  })

  it('an Audience routes to the platform its path names, and nothing else does', () => {
    expect(platformFromEntityId('https://id.example.com/api/v1/authn/saml/p1')).toBe('p1')
    expect(platformFromEntityId('https://id.example.com/api/v1/authn/saml/acs')).toBeUndefined()
    expect(platformFromEntityId('https://id.example.com/api/v1/authn/saml/p1/login')).toBeUndefined()
    expect(platformFromEntityId('urn:acme:muster')).toBeUndefined()
    expect(platformFromEntityId('not a url')).toBeUndefined()
  })
})

describe('safeNext', () => {
  it.each(['/platform/users', '/platform/users?q=a#top', '/account'])(
    'keeps the same-origin path %s',
    (path) => {
      expect(safeNext(path)).toBe(path)
    },
  )

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    'platform/users',
    '/a\nb',
    '',
    undefined,
    42,
  ])('refuses %s', (value) => {
    expect(safeNext(value)).toBeUndefined()
  })
})
