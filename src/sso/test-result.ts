// What "Test sign-in" shows the admin: what the IdP sent (claims, NameID, issuer, conditions; never
// the raw XML or a token) and why it was accepted or refused.
import type { OidcAttempt } from './oidc.js'
import { REFUSALS, type SignInRefused } from './refusals.js'
import type { SamlAttempt } from './saml.js'

export interface TestResult {
  readonly protocol: 'saml' | 'oidc'
  readonly accepted: boolean
  readonly code: string | null
  readonly title: string
  readonly message: string
  readonly detail: string | null
  readonly advice: string | null
  readonly subject: string | null
  /** True when the values below come from a verified signature. */
  readonly verified: boolean
  readonly received: Readonly<Record<string, unknown>>
  readonly user: { readonly id: string | null; readonly wouldCreate: boolean } | null
}

export function samlReceived(attempt: SamlAttempt): Record<string, unknown> {
  const response = attempt.received
  const assertion = attempt.verified ?? response?.assertion
  return {
    responseIssuer: response?.issuer ?? null,
    destination: response?.destination ?? null,
    inResponseTo: response?.inResponseTo ?? null,
    status: response?.statusCode ?? null,
    encrypted: response?.encrypted ?? false,
    assertionId: assertion?.id ?? null,
    issuer: assertion?.issuer ?? null,
    nameId: assertion?.nameId ?? null,
    nameIdFormat: assertion?.nameIdFormat ?? null,
    conditions: assertion
      ? {
          notBefore: assertion.notBefore ?? null,
          notOnOrAfter: assertion.notOnOrAfter ?? null,
          audiences: assertion.audiences,
        }
      : null,
    recipient: assertion?.recipient ?? null,
    subjectNotOnOrAfter: assertion?.subjectNotOnOrAfter ?? null,
    authnInstant: assertion?.authnInstant ?? null,
    attributes: assertion?.attributes ?? {},
  }
}

export function oidcReceived(attempt: OidcAttempt): Record<string, unknown> {
  const claims = { ...(attempt.claims ?? {}) }
  // Only what says who and when; hashes of tokens are no use to a person.
  delete claims.at_hash
  delete claims.c_hash
  delete claims.s_hash
  return { issuer: attempt.issuer ?? null, claims }
}

export function acceptedResult(
  protocol: 'saml' | 'oidc',
  subject: string | undefined,
  received: Record<string, unknown>,
  user: { id: string | undefined; wouldCreate: boolean },
): TestResult {
  return {
    protocol,
    accepted: true,
    code: null,
    title: 'Sign-in works',
    message: user.wouldCreate
      ? 'Every check passed. This person has no account yet; a real sign-in would create one (ACTIVE MEMBER).'
      : 'Every check passed. A real sign-in would have signed this person in.',
    detail: null,
    advice: null,
    subject: subject ?? null,
    verified: true,
    received,
    user: { id: user.id ?? null, wouldCreate: user.wouldCreate },
  }
}

export function refusedResult(
  protocol: 'saml' | 'oidc',
  refusal: SignInRefused,
  subject: string | undefined,
  received: Record<string, unknown>,
  verified: boolean,
): TestResult {
  const text = REFUSALS[refusal.code]
  return {
    protocol,
    accepted: false,
    code: refusal.code,
    title: text.title,
    message: text.message,
    detail: refusal.detail ?? null,
    advice: text.advice,
    subject: subject ?? null,
    verified,
    received,
    user: null,
  }
}
