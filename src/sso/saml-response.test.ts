import { describe, expect, it } from 'vitest'
import { readResponse } from './saml-response.js'

const assertion = (id: string, signed = false) =>
  `<saml:Assertion ID="${id}"><saml:Issuer>idp</saml:Issuer>${signed ? signature(id) : ''}<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">joy@acme.com</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="_req" Recipient="https://m/acs" NotOnOrAfter="2030-01-01T00:00:00Z"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2020-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T00:00:00Z"><saml:AudienceRestriction><saml:Audience>https://m/api/v1/authn/saml/p1</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement><saml:Attribute Name="firstName"><saml:AttributeValue>Joy</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`
const signature = (ref: string) =>
  `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#${ref}"/></ds:SignedInfo></ds:Signature>`
const response = (inner: string, signed = false) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp" InResponseTo="_req" Destination="https://m/acs"><saml:Issuer>idp</saml:Issuer>${signed ? signature('_resp') : ''}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${inner}</samlp:Response>`

describe('reading a SAML response', () => {
  it('reads what routing and the test page need', () => {
    const read = readResponse(response(assertion('_a1', true)))!
    expect(read).toMatchObject({
      id: '_resp',
      destination: 'https://m/acs',
      inResponseTo: '_req',
      statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      signing: 'signed',
      assertion: {
        id: '_a1',
        nameId: 'joy@acme.com',
        audiences: ['https://m/api/v1/authn/saml/p1'],
        recipient: 'https://m/acs',
        subjectInResponseTo: '_req',
        attributes: { firstName: ['Joy'] },
      },
    })
  })

  it('tells unsigned from signed', () => {
    expect(readResponse(response(assertion('_a1')))!.signing).toBe('none')
    expect(readResponse(response(assertion('_a1'), true))!.signing).toBe('signed')
  })

  it.each([
    ['two assertions side by side', response(assertion('_forged') + assertion('_a1', true))],
    [
      'the signed assertion hidden in Extensions',
      response(`<samlp:Extensions>${assertion('_a1', true)}</samlp:Extensions>${assertion('_forged')}`),
    ],
    [
      'a signature over an element that is not read',
      response(`<samlp:Extensions ID="_x">${signature('_x')}</samlp:Extensions>${assertion('_a1')}`),
    ],
    ['two elements with one ID', response(`<samlp:Extensions ID="_a1"/>${assertion('_a1', true)}`)],
  ])('flags signature wrapping: %s', (_name, xml) => {
    expect(readResponse(xml)!.signing).toBe('wrapped')
  })

  it('is undefined for anything but a Response', () => {
    expect(
      readResponse('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
    ).toBeUndefined()
  })
})
