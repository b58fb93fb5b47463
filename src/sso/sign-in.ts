// The end every SSO sign-in shares, once the protocol has verified who the IdP says the person is:
// in ONE transaction, use up the request (SAML InResponseTo / OIDC state) and the assertion ID, find
// the user of *that* platform by email, create them when the platform allows it, open a session
// (not in test mode) and write the accepted sign-in event. Any refusal rolls all of it back; the
// caller then records the refused event on its own.
import type { Store } from '../store/database.js'
import type { PlatformRole, ProjectRole } from '../store/schema.js'
import { createSession } from '../store/sessions.js'
import { recordSignIn } from '../store/sign-in-events.js'
import { consumeSsoRequest, rememberAssertion } from '../store/sso-requests.js'
import { platformOfDomain } from '../store/sso-settings.js'
import { getUserByEmail } from '../store/users.js'
import { createUserOnFirstSignIn } from './first-sign-in.js'
import { domainOf, type Identity } from './identity.js'
import { type RefusalCode, refuse } from './refusals.js'

export interface VerifiedSignIn {
  readonly platformId: string
  readonly method: 'saml' | 'oidc'
  readonly identity: Identity & { readonly email: string }
  readonly test: boolean
  readonly createUsers: boolean
  /** The request this answers, to use up (absent for IdP-initiated SAML). */
  readonly request?: { readonly id: string } | undefined
  /** SAML: the assertion ID and when its replay protection may end. */
  readonly assertion?: { readonly id: string; readonly expiresAt: string } | undefined
  /** Where the response arrived, for the provisioning event of a created user. */
  readonly path: string
  /** SCIM_DEFAULT_PROJECT_ROLE, which the shared write path carries (a created user joins no project). */
  readonly defaultProjectRole: ProjectRole
  readonly requestId?: string | undefined
}

export interface SignedIn {
  readonly userId: string | undefined
  readonly platformRole: PlatformRole | undefined
  /** The new session token; undefined in test mode. */
  readonly token: string | undefined
  /** Test mode only: what would have happened to an unknown person. */
  readonly wouldCreate: boolean
}

const REQUEST_REFUSALS = {
  saml: {
    unknown: 'saml_unknown_request',
    other_platform: 'saml_request_other_platform',
    used: 'saml_request_used',
    expired: 'saml_request_expired',
  },
  oidc: {
    unknown: 'oidc_state_mismatch',
    other_platform: 'oidc_state_mismatch',
    used: 'oidc_request_expired',
    expired: 'oidc_request_expired',
  },
} as const satisfies Record<string, Record<string, RefusalCode>>

export function completeSignIn(store: Store, v: VerifiedSignIn): Promise<SignedIn> {
  return store.transaction(async (trx) => {
    if (v.assertion && !(await rememberAssertion(trx, v.platformId, v.assertion.id, v.assertion.expiresAt)))
      throw refuse('saml_replay', `Assertion ID ${v.assertion.id}`)
    if (v.request) {
      const consumed = await consumeSsoRequest(trx, v.request.id, v.platformId, v.method)
      if (consumed !== 'ok') throw refuse(REQUEST_REFUSALS[v.method][consumed])
    }
    let user = await getUserByEmail(trx, v.platformId, v.identity.email)
    let wouldCreate = false
    if (!user) {
      if (!v.createUsers) throw refuse('user_unknown')
      if ((await platformOfDomain(trx, domainOf(v.identity.email))) !== v.platformId)
        throw refuse('user_domain_not_claimed')
      if (v.test) wouldCreate = true
      else
        user = await createUserOnFirstSignIn(trx, store, v.platformId, v.identity, {
          path: v.path,
          requestId: v.requestId,
          defaultProjectRole: v.defaultProjectRole,
        })
    }
    if (user && user.status !== 'ACTIVE') throw refuse('user_inactive')
    const token = user && !v.test ? await createSession(trx, user.id, v.platformId) : undefined
    await recordSignIn(trx, {
      platformId: v.platformId,
      method: v.method,
      subject: v.identity.email,
      userId: user?.id,
      outcome: 'accepted',
      message: wouldCreate
        ? 'Test sign-in accepted: a new MEMBER user would be created.'
        : v.test
          ? 'Test sign-in accepted (no session was created).'
          : 'Signed in.',
      test: v.test,
      requestId: v.requestId,
    })
    return { userId: user?.id, platformRole: user?.platform_role, token, wouldCreate }
  })
}
