// IdP metadata (SAML 2.0 Metadata, saml-metadata-2.0-os §2.4.3): the entity ID, the HTTP-Redirect
// single sign-on endpoint, and every signing certificate. Entra publishes the next certificate beside
// the current one before it rolls over; keeping all of them is what keeps people signing in through
// the rollover. Entra's federation metadata also carries WS-Fed RoleDescriptors: only the
// IDPSSODescriptor is read.
import { attribute, children, descendants, NS, parseXml, text, type XmlError } from './xml.js'

export const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'

export interface IdpMetadata {
  readonly entityId: string
  readonly ssoUrl: string
  /** Base64 DER of each signing certificate, without PEM armour or whitespace. */
  readonly certificates: readonly string[]
}

export class MetadataError extends Error {
  override name = 'MetadataError'
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  let doc: Document
  try {
    doc = parseXml(xml)
  } catch (error) {
    throw new MetadataError(
      `The metadata is not well-formed XML (${(error as XmlError).message.split('\n')[0]}).`,
    )
  }
  const entity = descendants(doc, NS.md, 'EntityDescriptor').find(
    (e) => children(e, NS.md, 'IDPSSODescriptor').length,
  )
  if (!entity)
    throw new MetadataError(
      'The metadata has no EntityDescriptor with an IDPSSODescriptor (is it IdP metadata?).',
    )
  const entityId = attribute(entity, 'entityID')
  if (!entityId) throw new MetadataError('The EntityDescriptor has no entityID.')
  const idp = children(entity, NS.md, 'IDPSSODescriptor')[0]!
  const sso = children(idp, NS.md, 'SingleSignOnService').find(
    (s) => attribute(s, 'Binding') === REDIRECT_BINDING,
  )
  const ssoUrl = attribute(sso, 'Location')
  if (!ssoUrl)
    throw new MetadataError('The IdP offers no SingleSignOnService with the HTTP-Redirect binding.')
  if (!/^https?:\/\//i.test(ssoUrl)) throw new MetadataError('The single sign-on URL is not an http(s) URL.')
  const certificates: string[] = []
  for (const key of children(idp, NS.md, 'KeyDescriptor')) {
    const use = attribute(key, 'use')
    if (use !== undefined && use !== 'signing') continue
    for (const cert of descendants(key, NS.ds, 'X509Certificate')) {
      const value = text(cert)?.replace(/\s+/g, '')
      if (value && /^[A-Za-z0-9+/]+=*$/.test(value) && !certificates.includes(value)) certificates.push(value)
    }
  }
  if (certificates.length === 0) throw new MetadataError('The metadata holds no signing certificate.')
  return { entityId, ssoUrl, certificates }
}

/** A base64 DER certificate as PEM, the form xml-crypto takes. */
export function toPem(certificate: string): string {
  const lines = certificate.match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}
