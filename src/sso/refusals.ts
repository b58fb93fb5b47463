// Every way a sign-in can be refused, each with one stable code (kept in the sign-in log and shown on
// the page), a sentence for the log, and what the person should do next. SSO.md "What must be
// refused" lists the cases; the codes are part of the admin API, so never rename one.

export interface Refusal {
  /** HTTP status of the page the person sees. */
  readonly status: 400 | 401 | 403 | 404 | 409 | 502
  /** Headline of the page, in the person's words. */
  readonly title: string
  /** What happened, one sentence; also the message of the sign-in event. */
  readonly message: string
  /** What to do about it. */
  readonly advice: string
}

const RETRY = 'Start the sign-in again from the Muster sign-in page.'
const ADMIN = 'Your administrator can see the details in the sign-in log.'
const IDP_SETUP =
  'Ask your administrator to compare the identity provider with the values on the Single sign-on page.'

export const REFUSALS = {
  // SAML
  saml_not_configured: {
    status: 404,
    title: 'Single sign-on is not set up',
    message: 'SAML sign-in is not configured for this platform.',
    advice: 'Sign in with your password, or ask your administrator to set up single sign-on.',
  },
  saml_malformed: {
    status: 400,
    title: 'The sign-in response could not be read',
    message: 'The request did not carry a readable SAML response.',
    advice: RETRY,
  },
  saml_unknown_platform: {
    status: 400,
    title: 'This sign-in is not meant for Muster',
    message: 'The SAML response names no platform of this Muster (its Audience is unknown).',
    advice: IDP_SETUP,
  },
  saml_idp_error: {
    status: 403,
    title: 'Your identity provider did not sign you in',
    message: 'The identity provider answered with an error status instead of an assertion.',
    advice: `Check with your identity provider that you are assigned to the Muster application. ${RETRY}`,
  },
  saml_encrypted: {
    status: 403,
    title: 'The sign-in response is encrypted',
    message: 'The assertion is encrypted; Muster does not decrypt SAML assertions.',
    advice:
      'Ask your administrator to turn off token (assertion) encryption for Muster in the identity provider.',
  },
  saml_unsigned: {
    status: 403,
    title: 'The sign-in response was not signed',
    message: 'Neither the SAML response nor its assertion carries a signature.',
    advice: `Configure the identity provider to sign the response or the assertion. ${ADMIN}`,
  },
  saml_signature_invalid: {
    status: 403,
    title: 'The sign-in response could not be verified',
    message: 'The signature does not verify with any of the configured IdP signing certificates.',
    advice: `If your identity provider changed its certificate, an administrator must load its metadata again. ${ADMIN}`,
  },
  saml_signature_wrapping: {
    status: 403,
    title: 'The sign-in response was tampered with',
    message:
      'The response holds a signed element beside an unsigned one (XML signature wrapping) and was rejected.',
    advice: `${RETRY} ${ADMIN}`,
  },
  saml_wrong_issuer: {
    status: 403,
    title: 'The sign-in came from an unexpected identity provider',
    message: 'The assertion was issued by another entity than the configured IdP.',
    advice: IDP_SETUP,
  },
  saml_wrong_audience: {
    status: 403,
    title: 'The sign-in was meant for another application',
    message: 'The assertion’s Audience is not this platform’s SP entity ID.',
    advice: `${IDP_SETUP} (Identifier / Audience URI).`,
  },
  saml_wrong_destination: {
    status: 403,
    title: 'The sign-in was sent to the wrong address',
    message: 'The response’s Destination is not Muster’s Assertion Consumer Service URL.',
    advice: `${IDP_SETUP} (Reply URL / Single sign-on URL).`,
  },
  saml_wrong_recipient: {
    status: 403,
    title: 'The sign-in was sent to the wrong address',
    message: 'The assertion’s Recipient is not Muster’s Assertion Consumer Service URL.',
    advice: `${IDP_SETUP} (Reply URL / Single sign-on URL).`,
  },
  saml_expired: {
    status: 403,
    title: 'The sign-in has expired',
    message: 'The assertion is no longer valid (its conditions expired, beyond the allowed clock skew).',
    advice: `${RETRY} If it keeps happening, the clocks of Muster and the identity provider differ.`,
  },
  saml_not_yet_valid: {
    status: 403,
    title: 'The sign-in is not valid yet',
    message: 'The assertion is not valid yet (NotBefore is ahead, beyond the allowed clock skew).',
    advice: 'The clocks of Muster and the identity provider differ; tell your administrator.',
  },
  saml_unknown_request: {
    status: 403,
    title: 'This sign-in was not started here',
    message: 'The response answers a request (InResponseTo) that Muster did not issue.',
    advice: RETRY,
  },
  saml_request_other_platform: {
    status: 403,
    title: 'This sign-in belongs to another platform',
    message: 'The response answers a request that Muster issued for another platform.',
    advice: RETRY,
  },
  saml_request_used: {
    status: 403,
    title: 'This sign-in was already used',
    message: 'The request this response answers (InResponseTo) was already used for a sign-in.',
    advice: RETRY,
  },
  saml_request_expired: {
    status: 403,
    title: 'The sign-in took too long',
    message: 'The request this response answers was issued too long ago.',
    advice: RETRY,
  },
  saml_platform_mismatch: {
    status: 403,
    title: 'This sign-in belongs to another platform',
    message: 'A response for one platform arrived while signing in to another.',
    advice: RETRY,
  },
  saml_replay: {
    status: 403,
    title: 'This sign-in was already used',
    message: 'The same assertion was presented before (replay).',
    advice: RETRY,
  },
  saml_idp_initiated_disabled: {
    status: 403,
    title: 'Start the sign-in from Muster',
    message: 'IdP-initiated sign-in is turned off for this platform.',
    advice: 'Open the Muster sign-in page and choose "Sign in with SSO" instead of the app tile.',
  },
  saml_no_email: {
    status: 403,
    title: 'Your identity provider did not send an email address',
    message: 'The assertion carries no email address (NameID or email claim).',
    advice: `${IDP_SETUP} Muster needs the email address as NameID or as the email claim.`,
  },
  // OIDC
  oidc_not_configured: {
    status: 404,
    title: 'Single sign-on is not set up',
    message: 'OpenID Connect sign-in is not configured for this platform.',
    advice: 'Sign in with your password, or ask your administrator to set up single sign-on.',
  },
  oidc_discovery_failed: {
    status: 502,
    title: 'Your identity provider could not be reached',
    message: 'The OpenID Connect issuer did not answer its discovery document.',
    advice: 'Try again in a minute. If it keeps happening, tell your administrator.',
  },
  oidc_state_mismatch: {
    status: 403,
    title: 'This sign-in was not started in this browser',
    message: 'The state returned by the identity provider does not match a sign-in started here.',
    advice: RETRY,
  },
  oidc_request_expired: {
    status: 403,
    title: 'The sign-in took too long',
    message: 'The sign-in was started too long ago or was already used.',
    advice: RETRY,
  },
  oidc_nonce_mismatch: {
    status: 403,
    title: 'The sign-in could not be verified',
    message: 'The ID token’s nonce does not match the one Muster sent.',
    advice: `${RETRY} ${ADMIN}`,
  },
  oidc_wrong_issuer: {
    status: 403,
    title: 'The sign-in came from an unexpected identity provider',
    message: 'The ID token was issued by another issuer than the configured one.',
    advice: IDP_SETUP,
  },
  oidc_wrong_audience: {
    status: 403,
    title: 'The sign-in was meant for another application',
    message: 'The ID token’s audience is not this platform’s client id.',
    advice: IDP_SETUP,
  },
  oidc_token_expired: {
    status: 403,
    title: 'The sign-in has expired',
    message: 'The ID token has expired.',
    advice: `${RETRY} If it keeps happening, the clocks of Muster and the identity provider differ.`,
  },
  oidc_idp_error: {
    status: 403,
    title: 'Your identity provider did not sign you in',
    message: 'The identity provider answered with an error instead of a code.',
    advice: `Check with your identity provider that you are assigned to the Muster application. ${RETRY}`,
  },
  oidc_failed: {
    status: 403,
    title: 'The sign-in could not be completed',
    message: 'The code could not be exchanged for a valid ID token.',
    advice: `${RETRY} ${ADMIN}`,
  },
  oidc_no_email: {
    status: 403,
    title: 'Your identity provider did not send an email address',
    message: 'The ID token and user info carry no email claim.',
    advice: `${IDP_SETUP} Muster asks for the "email" scope.`,
  },
  oidc_email_unverified: {
    status: 403,
    title: 'Your email address is not verified',
    message: 'The identity provider says the email address is not verified (email_verified is false).',
    advice: 'Verify your email address with your identity provider, then sign in again.',
  },
  // The person
  user_unknown: {
    status: 403,
    title: 'You do not have an account here',
    message: 'No user with this email exists on this platform (never provisioned, or deleted).',
    advice:
      'Ask your administrator to assign you to the Muster application in your identity provider, then try again.',
  },
  user_domain_not_claimed: {
    status: 403,
    title: 'You do not have an account here',
    message: 'No user with this email exists, and its domain is not one this platform claims.',
    advice: 'Ask your administrator to add your email domain or to provision your account.',
  },
  user_inactive: {
    status: 403,
    title: 'Your account is deactivated',
    message: 'The user exists on this platform but is INACTIVE.',
    advice: 'Ask your administrator to reactivate your account in your identity provider.',
  },
  // Password sign-in
  password_incorrect: {
    status: 401,
    title: 'Sign-in failed',
    message: 'Email or password is incorrect (or the account may not use the console).',
    advice: 'Check your email and password.',
  },
  password_sso_required: {
    status: 403,
    title: 'Use single sign-on',
    message: 'The password was correct, but this platform requires single sign-on.',
    advice: 'Choose "Sign in with SSO" and enter your email address.',
  },
  password_not_admin: {
    status: 403,
    title: 'No console access',
    message: 'The password was correct, but the account is not a platform ADMIN.',
    advice:
      'Only platform ADMINs use the console. If your role was changed by mistake, ask another admin or your identity provider administrator.',
  },
  password_throttled: {
    status: 401,
    title: 'Too many attempts',
    message: 'Too many failed attempts; this one was not checked.',
    advice: 'Wait a little and try again.',
  },
} as const satisfies Record<string, Refusal>

export type RefusalCode = keyof typeof REFUSALS

/** A refused sign-in, thrown below the routes and turned into a page and an event at the edge. */
export class SignInRefused extends Error {
  override name = 'SignInRefused'
  constructor(
    readonly code: RefusalCode,
    /** Extra detail for the log and the test page (never a secret). */
    readonly detail?: string,
  ) {
    super(REFUSALS[code].message)
  }
}

export const refuse = (code: RefusalCode, detail?: string) => new SignInRefused(code, detail)
