import { describe, expect, it } from 'vitest'
import { MetadataError, parseIdpMetadata, toPem } from './saml-metadata.js'

const md = (body: string, entity = 'https://sts.windows.net/t/') =>
  `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entity}">${body}</EntityDescriptor>`
const key = (der: string, use = 'signing') =>
  `<KeyDescriptor use="${use}"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${der}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`
const sso = (binding: string) =>
  `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="https://idp.example/sso/${binding}"/>`

describe('IdP metadata', () => {
  it('reads the entity ID, the HTTP-Redirect endpoint and every signing certificate', () => {
    const parsed = parseIdpMetadata(
      md(
        `<IDPSSODescriptor>${key('QUJD')}${key('REVG')}${key('R0hJ', 'encryption')}${sso('HTTP-POST')}${sso('HTTP-Redirect')}</IDPSSODescriptor>`,
      ),
    )
    expect(parsed).toEqual({
      entityId: 'https://sts.windows.net/t/',
      ssoUrl: 'https://idp.example/sso/HTTP-Redirect',
      certificates: ['QUJD', 'REVG'],
    })
  })

  it('finds the IdP inside an EntitiesDescriptor and ignores WS-Fed role descriptors', () => {
    const xml = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${md(
      `<RoleDescriptor>${key('V1NGRUQ=')}</RoleDescriptor><IDPSSODescriptor>${key('QUJD')}${sso('HTTP-Redirect')}</IDPSSODescriptor>`,
    )}</EntitiesDescriptor>`
    expect(parseIdpMetadata(xml).certificates).toEqual(['QUJD'])
  })

  it.each([
    ['not XML', '<EntityDescriptor'],
    ['SP metadata', md('<SPSSODescriptor/>')],
    ['no redirect binding', md(`<IDPSSODescriptor>${key('QUJD')}${sso('HTTP-POST')}</IDPSSODescriptor>`)],
    ['no certificate', md(`<IDPSSODescriptor>${sso('HTTP-Redirect')}</IDPSSODescriptor>`)],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]>${md('')}`],
  ])('refuses %s with a sentence', (_name, xml) => {
    expect(() => parseIdpMetadata(xml)).toThrow(MetadataError)
  })

  it('wraps a certificate as PEM in 64-character lines', () => {
    expect(toPem('A'.repeat(70))).toBe(
      `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\nAAAAAA\n-----END CERTIFICATE-----\n`,
    )
  })
})
