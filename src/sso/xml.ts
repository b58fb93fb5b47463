// A strict, namespace-aware reading of SAML XML for what the verifier does not need to tell us:
// routing a response to its platform, summarising it for the test page, and reading IdP metadata.
// Nothing here decides trust: signatures are verified by node-saml (xml-crypto) alone.
import { DOMParser } from '@xmldom/xmldom'

export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const

export class XmlError extends Error {
  override name = 'XmlError'
}

/** Parses a document; any error or warning, or a DOCTYPE (entity tricks), makes it unreadable. */
export function parseXml(text: string): Document {
  if (/<!DOCTYPE/i.test(text)) throw new XmlError('XML with a DOCTYPE is not accepted.')
  const problems: string[] = []
  const doc = new DOMParser({
    errorHandler: {
      warning: (message: string) => problems.push(message),
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(text, 'text/xml')
  if (problems.length > 0 || !doc?.documentElement) throw new XmlError(problems[0] ?? 'Not an XML document.')
  return doc as unknown as Document
}

export function isElement(node: Node | null | undefined, ns: string, name: string): node is Element {
  return (
    !!node &&
    node.nodeType === 1 &&
    (node as Element).namespaceURI === ns &&
    (node as Element).localName === name
  )
}

/** Direct child elements with that name. */
export function children(parent: Node, ns: string, name: string): Element[] {
  const found: Element[] = []
  for (let node = parent.firstChild; node; node = node.nextSibling)
    if (isElement(node, ns, name)) found.push(node)
  return found
}

export function child(parent: Node, ns: string, name: string): Element | undefined {
  return children(parent, ns, name)[0]
}

/** Every descendant element with that name. */
export function descendants(parent: Document | Element, ns: string, name: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, name) as unknown as ArrayLike<Element>)
}

export function text(element: Element | undefined): string | undefined {
  const value = element?.textContent?.trim()
  return value ? value : undefined
}

export function attribute(element: Element | undefined, name: string): string | undefined {
  return element?.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined
}
