// A test SAML identity provider: a key and self-signed certificate generated at test time
// (selfsigned), IdP metadata, Responses shaped like Entra's and Okta's, and signatures computed by
// xml-crypto (enveloped, exclusive c14n, RSA-SHA256), never written by hand.
import { randomBytes } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import { generate } from 'selfsigned'
import { SignedXml } from 'xml-crypto'

export interface IdpKey {
  readonly key: string
  readonly cert: string
  /** The certificate as base64 DER, as metadata carries it. */
  readonly der: string
}

export async function idpKey(name = 'Test IdP'): Promise<IdpKey> {
  const pems = await generate([{ name: 'commonName', value: name }], { keySize: 2048, algorithm: 'sha256' })
  const der = pems.cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')
  return { key: pems.private, cert: pems.cert, der }
}

export const IDP_ENTITY_ID = 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/'
export const IDP_SSO_URL = 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2'

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  )

/** IdP metadata with one KeyDescriptor per certificate (Entra lists the next one before rollover). */
export function idpMetadata({
  entityId = IDP_ENTITY_ID,
  ssoUrl = IDP_SSO_URL,
  certs,
}: {
  entityId?: string
  ssoUrl?: string
  certs: readonly string[]
}): string {
  const keys = certs
    .map(
      (der) =>
        `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${der}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`,
    )
    .join('')
  return `<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_m${randomBytes(8).toString('hex')}" entityID="${escapeXml(entityId)}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>MIIBnotAnIdpSsoCert</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(ssoUrl)}"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(ssoUrl)}"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(ssoUrl)}"/>
  </IDPSSODescriptor>
</EntityDescriptor>`
}

export const ENTRA_CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'

export interface ResponseOptions {
  readonly audience: string
  readonly acsUrl: string
  readonly nameId: string
  readonly nameIdFormat?: string
  readonly issuer?: string
  readonly inResponseTo?: string | undefined
  /** Defaults to inResponseTo. */
  readonly subjectInResponseTo?: string | undefined
  readonly destination?: string | null
  readonly recipient?: string
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>
  readonly notBefore?: Date
  readonly notOnOrAfter?: Date
  /** SubjectConfirmationData NotOnOrAfter; defaults to notOnOrAfter. */
  readonly subjectNotOnOrAfter?: Date
  readonly assertionId?: string
  readonly status?: string
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** An unsigned samlp:Response with one assertion, the shape Entra and Okta send. */
export function samlResponse(o: ResponseOptions): string {
  const now = new Date()
  const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000)
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)
  const subjectNotOnOrAfter = o.subjectNotOnOrAfter ?? notOnOrAfter
  const issuer = escapeXml(o.issuer ?? IDP_ENTITY_ID)
  const irt = o.inResponseTo ? ` InResponseTo="${escapeXml(o.inResponseTo)}"` : ''
  const subjectIrtValue = o.subjectInResponseTo ?? o.inResponseTo
  const subjectIrt = subjectIrtValue ? ` InResponseTo="${escapeXml(subjectIrtValue)}"` : ''
  const destination = o.destination === null ? '' : ` Destination="${escapeXml(o.destination ?? o.acsUrl)}"`
  const attributes = Object.entries(o.attributes ?? {})
    .map(
      ([name, value]) =>
        `<Attribute Name="${escapeXml(name)}">${([] as string[])
          .concat(value as string | string[])
          .map((v) => `<AttributeValue>${escapeXml(v)}</AttributeValue>`)
          .join('')}</Attribute>`,
    )
    .join('')
  const status = o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'
  const assertionId = o.assertionId ?? `_a${randomBytes(16).toString('hex')}`
  const assertion =
    status === 'urn:oasis:names:tc:SAML:2.0:status:Success'
      ? `<Assertion ID="${assertionId}" IssueInstant="${iso(now)}" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion">
<Issuer>${issuer}</Issuer>
<Subject><NameID Format="${escapeXml(o.nameIdFormat ?? NAMEID_EMAIL)}">${escapeXml(o.nameId)}</NameID>
<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData${subjectIrt} NotOnOrAfter="${iso(subjectNotOnOrAfter)}" Recipient="${escapeXml(o.recipient ?? o.acsUrl)}"/></SubjectConfirmation></Subject>
<Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><AudienceRestriction><Audience>${escapeXml(o.audience)}</Audience></AudienceRestriction></Conditions>
<AttributeStatement>${attributes}</AttributeStatement>
<AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${assertionId}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>
</Assertion>`
      : ''
  return `<samlp:Response ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(now)}"${destination}${irt} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${issuer}</Issuer><samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status>${assertion}</samlp:Response>`
}

function sign(xml: string, key: IdpKey, xpath: string, after: string): string {
  const signer = new SignedXml({
    privateKey: key.key,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  })
  signer.addReference({
    xpath,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  })
  signer.computeSignature(xml, { location: { reference: after, action: 'after' } })
  return signer.getSignedXml()
}

/** Signs the assertion (Entra's default), the signature right after its Issuer as the schema wants. */
export function signAssertion(xml: string, key: IdpKey): string {
  return sign(
    xml,
    key,
    "/*[local-name()='Response']/*[local-name()='Assertion']",
    "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Issuer']",
  )
}

/** Signs the whole Response (Okta's default, often on top of a signed assertion). */
export function signResponse(xml: string, key: IdpKey): string {
  return sign(xml, key, "/*[local-name()='Response']", "/*[local-name()='Response']/*[local-name()='Issuer']")
}

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion'

/**
 * XML signature wrapping: the signed assertion stays (so its signature still verifies) but an
 * unsigned copy with another NameID is put where a naive SP reads. `placement` says where the signed
 * original goes: beside the forged one, or hidden in an Extensions element.
 */
export function wrapSignature(
  signedXml: string,
  nameId: string,
  placement: 'sibling' | 'extensions',
): string {
  const doc = new DOMParser().parseFromString(signedXml, 'text/xml')
  const response = doc.documentElement!
  const original = doc.getElementsByTagNameNS(ASSERTION_NS, 'Assertion')[0]!
  const forged = original.cloneNode(true) as unknown as Element
  forged.setAttribute('ID', `_forged${randomBytes(8).toString('hex')}`)
  const signature = forged.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]
  signature?.parentNode?.removeChild(signature)
  const name = forged.getElementsByTagNameNS(ASSERTION_NS, 'NameID')[0]!
  while (name.firstChild) name.removeChild(name.firstChild)
  name.appendChild(doc.createTextNode(nameId))
  response.insertBefore(forged as never, original)
  if (placement === 'extensions') {
    const extensions = doc.createElementNS('urn:oasis:names:tc:SAML:2.0:protocol', 'samlp:Extensions')
    response.removeChild(original)
    extensions.appendChild(original)
    response.insertBefore(extensions, forged as never)
  }
  return new XMLSerializer().serializeToString(doc)
}

export function encodeResponse(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64')
}

export interface AuthnRequest {
  readonly id: string
  readonly issuer: string
  readonly acsUrl: string | null
  readonly destination: string | null
  readonly relayState: string | null
}

/** Reads the AuthnRequest of an HTTP-Redirect binding URL (deflated, base64, saml-bindings §3.4.4.1). */
export function readAuthnRequest(location: string): AuthnRequest {
  const url = new URL(location)
  const encoded = url.searchParams.get('SAMLRequest')
  if (!encoded) throw new Error(`no SAMLRequest in ${location}`)
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const root = doc.documentElement!
  return {
    id: root.getAttribute('ID')!,
    issuer: doc.getElementsByTagNameNS(ASSERTION_NS, 'Issuer')[0]?.textContent ?? '',
    acsUrl: root.getAttribute('AssertionConsumerServiceURL'),
    destination: root.getAttribute('Destination'),
    relayState: url.searchParams.get('RelayState'),
  }
}
