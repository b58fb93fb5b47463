// Reads a SAML Response (saml-core-2.0-os §3.3.3, §2.3-2.7) into plain data, before and after
// verification. Before: to route it to a platform (Audience, InResponseTo) and to spot structures
// that only signature wrapping produces. After: run on the XML node-saml returns as *verified*, to
// read Issuer, Recipient, the subject's InResponseTo and the assertion ID from signed content only.
import { attribute, child, children, descendants, isElement, NS, parseXml, text } from './xml.js'

export interface AssertionSummary {
  readonly id: string | undefined
  readonly issuer: string | undefined
  readonly issueInstant: string | undefined
  readonly nameId: string | undefined
  readonly nameIdFormat: string | undefined
  readonly notBefore: string | undefined
  readonly notOnOrAfter: string | undefined
  readonly audiences: readonly string[]
  /** Bearer SubjectConfirmationData (saml-profiles-2.0-os §4.1.4.2). */
  readonly recipient: string | undefined
  readonly subjectInResponseTo: string | undefined
  readonly subjectNotOnOrAfter: string | undefined
  readonly authnInstant: string | undefined
  readonly attributes: Readonly<Record<string, readonly string[]>>
}

export interface ResponseSummary {
  readonly id: string | undefined
  readonly destination: string | undefined
  readonly inResponseTo: string | undefined
  readonly issuer: string | undefined
  readonly statusCode: string | undefined
  readonly statusMessage: string | undefined
  /** The one assertion directly under the Response, when readable (not encrypted). */
  readonly assertion: AssertionSummary | undefined
  readonly encrypted: boolean
  /** How the document is signed, judged by structure (the verifier decides whether it holds). */
  readonly signing: 'none' | 'signed' | 'wrapped'
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'

export { SUCCESS as SAML_SUCCESS }

/** Reads a Response document; throws XmlError when it is not XML. Returns undefined when it is not a Response. */
export function readResponse(xml: string): ResponseSummary | undefined {
  const doc = parseXml(xml)
  const root = doc.documentElement
  if (!isElement(root, NS.samlp, 'Response')) return undefined
  const status = child(root, NS.samlp, 'Status')
  const code = child(status ?? root, NS.samlp, 'StatusCode')
  const assertions = children(root, NS.saml, 'Assertion')
  return {
    id: attribute(root, 'ID'),
    destination: attribute(root, 'Destination'),
    inResponseTo: attribute(root, 'InResponseTo'),
    issuer: text(child(root, NS.saml, 'Issuer')),
    statusCode: attribute(code, 'Value'),
    statusMessage: text(child(status ?? root, NS.samlp, 'StatusMessage')),
    assertion: assertions.length === 1 ? summarizeAssertion(assertions[0]!) : undefined,
    encrypted: children(root, NS.saml, 'EncryptedAssertion').length > 0,
    signing: signing(doc, root),
  }
}

/** Reads the assertion XML that node-saml verified. */
export function readAssertion(xml: string): AssertionSummary | undefined {
  const root = parseXml(xml).documentElement
  return isElement(root, NS.saml, 'Assertion') ? summarizeAssertion(root) : undefined
}

function summarizeAssertion(assertion: Element): AssertionSummary {
  const subject = child(assertion, NS.saml, 'Subject')
  const nameId = subject && child(subject, NS.saml, 'NameID')
  const bearer = subject
    ? children(subject, NS.saml, 'SubjectConfirmation').find((c) => attribute(c, 'Method') === BEARER)
    : undefined
  const confirmation = bearer && child(bearer, NS.saml, 'SubjectConfirmationData')
  const conditions = child(assertion, NS.saml, 'Conditions')
  const audiences = conditions
    ? children(conditions, NS.saml, 'AudienceRestriction').flatMap((r) =>
        children(r, NS.saml, 'Audience').flatMap((a) => text(a) ?? []),
      )
    : []
  const attributes: Record<string, string[]> = {}
  for (const statement of children(assertion, NS.saml, 'AttributeStatement')) {
    for (const element of children(statement, NS.saml, 'Attribute')) {
      const name = attribute(element, 'Name')
      if (!name || name === '__proto__') continue
      const values = children(element, NS.saml, 'AttributeValue').map((v) => v.textContent?.trim() ?? '')
      attributes[name] = [...(attributes[name] ?? []), ...values]
    }
  }
  const authn = child(assertion, NS.saml, 'AuthnStatement')
  return {
    id: attribute(assertion, 'ID'),
    issuer: text(child(assertion, NS.saml, 'Issuer')),
    issueInstant: attribute(assertion, 'IssueInstant'),
    nameId: text(nameId),
    nameIdFormat: attribute(nameId, 'Format'),
    notBefore: attribute(conditions, 'NotBefore'),
    notOnOrAfter: attribute(conditions, 'NotOnOrAfter'),
    audiences,
    recipient: attribute(confirmation, 'Recipient'),
    subjectInResponseTo: attribute(confirmation, 'InResponseTo'),
    subjectNotOnOrAfter: attribute(confirmation, 'NotOnOrAfter'),
    authnInstant: attribute(authn, 'AuthnInstant'),
    attributes,
  }
}

/**
 * 'wrapped' when the document has a shape that only XML signature wrapping produces: more than one
 * assertion anywhere, two elements sharing an ID, or a signature over anything other than the
 * Response itself or its one direct Assertion (the only two elements Muster ever reads).
 */
function signing(doc: Document, root: Element): ResponseSummary['signing'] {
  const assertions =
    descendants(doc, NS.saml, 'Assertion').length + descendants(doc, NS.saml, 'EncryptedAssertion').length
  if (assertions > 1) return 'wrapped'
  const ids = new Map<string, Element>()
  for (const element of allElements(doc)) {
    const id = attribute(element, 'ID')
    if (id === undefined) continue
    if (ids.has(id)) return 'wrapped'
    ids.set(id, element)
  }
  const signatures = descendants(doc, NS.ds, 'Signature')
  if (signatures.length === 0) return 'none'
  const direct = children(root, NS.saml, 'Assertion')[0]
  for (const signature of signatures) {
    const signedInfo = child(signature, NS.ds, 'SignedInfo')
    const references = signedInfo ? children(signedInfo, NS.ds, 'Reference') : []
    if (references.length !== 1) return 'wrapped'
    const target = ids.get((attribute(references[0], 'URI') ?? '').replace(/^#/, ''))
    if (!target || (target !== root && target !== direct)) return 'wrapped'
    // An enveloped signature sits inside the element it signs.
    if (signature.parentNode !== target) return 'wrapped'
  }
  return 'signed'
}

function* allElements(doc: Document): Generator<Element> {
  const stack: Node[] = [doc.documentElement]
  while (stack.length > 0) {
    const node = stack.pop()!
    if (node.nodeType !== 1) continue
    yield node as Element
    for (let c = node.lastChild; c; c = c.previousSibling) stack.push(c)
  }
}
