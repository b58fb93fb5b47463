// Changing a platform's SSO settings, shared by the admin API and the CLI so both say and do the
// same. Each function validates its input, throws ConfigureError with a sentence for the person,
// and writes in one transaction.
import { X509Certificate } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { SecretBox } from '../crypto/secret-box.js'
import { type AuditAction, type AuditBy, audit, changes, fromTo } from '../domain/audit.js'
import type { Store } from '../store/database.js'
import type { Database } from '../store/schema.js'
import {
  DomainsTaken,
  getSsoSettings,
  replaceDomains,
  type SsoSettings,
  type SsoToggles,
  setOidc,
  setSaml,
  setToggles,
} from '../store/sso-settings.js'
import { oidcAddresses, samlAddresses } from './addresses.js'
import { normalizeDomain } from './identity.js'
import { fetchMetadata } from './metadata-fetch.js'
import { clientSecretContext, discoverIssuer } from './oidc.js'
import { checkRemoteUrl } from './remote-url.js'
import { MetadataError, parseIdpMetadata } from './saml-metadata.js'

/**
 * Runs in the change's transaction with the settings before and after it: the admin API writes its
 * audit row there, so the row commits with the change or not at all.
 */
export type SsoChangeHook = (trx: Kysely<Database>, before: SsoSettings, after: SsoSettings) => Promise<void>

/** The hook that writes an SSO change's audit row; a change that changed nothing writes none. */
export function auditSso(
  by: AuditBy,
  action: AuditAction,
  name: string,
  extra: Record<string, unknown> = {},
): SsoChangeHook {
  return async (trx, before, after) => {
    const details = { ...ssoChanges(before, after), ...extra }
    if (Object.keys(details).length === 0) return
    await audit(trx, by, { action, target: { type: 'sso', id: by.platformId, name }, details })
  }
}

async function write(
  store: Store,
  platformId: string,
  change: (trx: Kysely<Database>) => Promise<unknown>,
  hook: SsoChangeHook | undefined,
): Promise<void> {
  await store.transaction(async (trx) => {
    const before = hook && (await getSsoSettings(trx, platformId))
    await change(trx)
    if (hook && before) await hook(trx, before, await getSsoSettings(trx, platformId))
  })
}

export class ConfigureError extends Error {
  override name = 'ConfigureError'
  constructor(
    /** The input at fault: metadataXml, metadataUrl, issuer, clientId, clientSecret, domains. */
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

/** Loads IdP metadata from XML or a URL and stores entity ID, SSO URL and all signing certificates. */
export async function configureSaml(
  store: Store,
  platformId: string,
  source: { xml: string } | { url: string },
  hook?: SsoChangeHook,
): Promise<void> {
  const field = 'xml' in source ? 'metadataXml' : 'metadataUrl'
  try {
    const xml = 'xml' in source ? source.xml : await fetchMetadata(source.url)
    const metadata = parseIdpMetadata(xml)
    const metadataUrl = 'url' in source ? checkUrl(source.url, field) : null
    await write(store, platformId, (trx) => setSaml(trx, platformId, { ...metadata, metadataUrl }), hook)
  } catch (error) {
    if (error instanceof MetadataError) throw new ConfigureError(field, error.message)
    throw error
  }
}

/**
 * Stores issuer, client id and (sealed) secret after checking that the issuer's discovery document
 * answers, so a typo shows now rather than at the first sign-in. Without a new secret the stored one
 * is kept (the console never shows it again).
 */
export async function configureOidc(
  store: Store,
  box: SecretBox,
  platformId: string,
  input: { issuer: string; clientId: string; clientSecret?: string | undefined },
  hook?: SsoChangeHook,
): Promise<void> {
  const issuer = checkUrl(input.issuer, 'issuer').replace(/\/+$/, '')
  const clientId = input.clientId.trim()
  if (!clientId || clientId.length > 500) throw new ConfigureError('clientId', 'Enter the client id.')
  let secret = input.clientSecret
  if (!secret) {
    const current = (await getSsoSettings(store.db, platformId)).oidc
    if (!current) throw new ConfigureError('clientSecret', 'Enter the client secret.')
    secret = box.open(current.sealedSecret, clientSecretContext(platformId))
  }
  if (secret.length > 2000) throw new ConfigureError('clientSecret', 'The client secret is too long.')
  try {
    await discoverIssuer(issuer, clientId, secret)
  } catch (error) {
    throw new ConfigureError(
      'issuer',
      `The issuer's discovery document (${issuer}/.well-known/openid-configuration) could not be used: ${(error as Error).message}`,
    )
  }
  const sealedSecret = box.seal(secret, clientSecretContext(platformId))
  await write(store, platformId, (trx) => setOidc(trx, platformId, { issuer, clientId, sealedSecret }), hook)
}

export async function configureDomains(
  store: Store,
  platformId: string,
  input: readonly string[],
  hook?: SsoChangeHook,
): Promise<string[]> {
  const domains: string[] = []
  for (const text of input) {
    const domain = normalizeDomain(text)
    if (!domain)
      throw new ConfigureError('domains', `"${text.slice(0, 100)}" is not a domain name (e.g. acme.com).`)
    if (!domains.includes(domain)) domains.push(domain)
  }
  if (domains.length > 100) throw new ConfigureError('domains', 'Claim at most 100 domains.')
  try {
    await write(store, platformId, (trx) => replaceDomains(trx, platformId, domains), hook)
  } catch (error) {
    if (error instanceof DomainsTaken)
      throw new ConfigureError('domains', `Another platform already claims ${error.domains.join(', ')}.`)
    throw error
  }
  return domains
}

export function configureToggles(
  store: Store,
  platformId: string,
  toggles: SsoToggles,
  hook?: SsoChangeHook,
): Promise<void> {
  return write(store, platformId, (trx) => setToggles(trx, platformId, toggles), hook)
}

export function removeSaml(store: Store, platformId: string, hook?: SsoChangeHook): Promise<void> {
  return write(store, platformId, (trx) => setSaml(trx, platformId, null), hook)
}

export function removeOidc(store: Store, platformId: string, hook?: SsoChangeHook): Promise<void> {
  return write(store, platformId, (trx) => setOidc(trx, platformId, null), hook)
}

/**
 * What an SSO change changed, for the audit trail: never the client secret (sealed or not) and no
 * certificate itself, only its SHA-256 fingerprint.
 */
export function ssoChanges(before: SsoSettings, after: SsoSettings): Record<string, unknown> {
  const fingerprints = (s: SsoSettings) =>
    (s.saml?.certificates ?? []).map((der) => describeCertificate(der).fingerprint ?? '(unreadable)')
  return changes({
    entityId: fromTo(before.saml?.entityId ?? null, after.saml?.entityId ?? null),
    ssoUrl: fromTo(before.saml?.ssoUrl ?? null, after.saml?.ssoUrl ?? null),
    metadataUrl: fromTo(before.saml?.metadataUrl ?? null, after.saml?.metadataUrl ?? null),
    certificates: fromTo(fingerprints(before), fingerprints(after)),
    issuer: fromTo(before.oidc?.issuer ?? null, after.oidc?.issuer ?? null),
    clientId: fromTo(before.oidc?.clientId ?? null, after.oidc?.clientId ?? null),
    domains: fromTo(before.domains, after.domains),
    requireSso: fromTo(before.requireSso, after.requireSso),
    createUsers: fromTo(before.createUsers, after.createUsers),
    allowIdpInitiated: fromTo(before.allowIdpInitiated, after.allowIdpInitiated),
  })
}

function checkUrl(text: string, field: string): string {
  const checked = checkRemoteUrl(text)
  if ('error' in checked) throw new ConfigureError(field, checked.error)
  return checked.url.href
}

/** What the console, the admin API and `muster sso show` display: never the client secret. */
export function ssoView(settings: SsoSettings, origin: string) {
  const saml = samlAddresses(origin, settings.platformId)
  const oidc = oidcAddresses(origin, settings.platformId)
  return {
    platformId: settings.platformId,
    sp: {
      entityId: saml.entityId,
      acsUrl: saml.acsUrl,
      loginUrl: saml.loginUrl,
      metadataUrl: saml.metadataUrl,
      oidcRedirectUri: oidc.redirectUri,
      oidcLoginUrl: oidc.loginUrl,
    },
    saml: settings.saml
      ? {
          idpEntityId: settings.saml.entityId,
          ssoUrl: settings.saml.ssoUrl,
          certificates: settings.saml.certificates.map(describeCertificate),
          metadataUrl: settings.saml.metadataUrl,
          updatedAt: settings.saml.updatedAt,
        }
      : null,
    oidc: settings.oidc
      ? {
          issuer: settings.oidc.issuer,
          clientId: settings.oidc.clientId,
          clientSecretSet: true,
          updatedAt: settings.oidc.updatedAt,
        }
      : null,
    domains: settings.domains,
    requireSso: settings.requireSso,
    createUsers: settings.createUsers,
    allowIdpInitiated: settings.allowIdpInitiated,
  }
}

export type SsoView = ReturnType<typeof ssoView>

/** Subject, validity and SHA-256 fingerprint of a base64 DER certificate, for people to compare. */
function describeCertificate(der: string) {
  try {
    const cert = new X509Certificate(Buffer.from(der, 'base64'))
    return {
      subject: cert.subject.replace(/\n/g, ', '),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      fingerprint: cert.fingerprint256,
    }
  } catch {
    return { subject: '(unreadable certificate)', notBefore: null, notAfter: null, fingerprint: null }
  }
}
