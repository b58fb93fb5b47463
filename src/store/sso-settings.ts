// Per-platform single sign-on settings and claimed email domains. The OIDC client secret arrives here
// already sealed (crypto/secret-box.ts); this file never sees it in clear.
import type { Kysely } from 'kysely'
import { isUniqueViolation } from './errors.js'
import { fromJson, toJson } from './json.js'
import type { Database, Flag } from './schema.js'

export interface SsoSettings {
  readonly platformId: string
  readonly saml:
    | {
        readonly entityId: string
        readonly ssoUrl: string
        readonly certificates: readonly string[]
        readonly metadataUrl: string | null
        readonly updatedAt: string
      }
    | undefined
  readonly oidc:
    | {
        readonly issuer: string
        readonly clientId: string
        readonly sealedSecret: string
        readonly updatedAt: string
      }
    | undefined
  readonly requireSso: boolean
  readonly createUsers: boolean
  readonly allowIdpInitiated: boolean
  readonly domains: readonly string[]
}

export async function getSsoSettings(db: Kysely<Database>, platformId: string): Promise<SsoSettings> {
  const [row, domains] = await Promise.all([
    db.selectFrom('sso_settings').selectAll().where('platform_id', '=', platformId).executeTakeFirst(),
    listDomains(db, platformId),
  ])
  return {
    platformId,
    saml:
      row?.saml_entity_id && row.saml_sso_url && row.saml_certificates
        ? {
            entityId: row.saml_entity_id,
            ssoUrl: row.saml_sso_url,
            certificates: fromJson<string[]>(row.saml_certificates),
            metadataUrl: row.saml_metadata_url,
            updatedAt: row.saml_updated_at ?? row.updated_at,
          }
        : undefined,
    oidc:
      row?.oidc_issuer && row.oidc_client_id && row.oidc_client_secret
        ? {
            issuer: row.oidc_issuer,
            clientId: row.oidc_client_id,
            sealedSecret: row.oidc_client_secret,
            updatedAt: row.oidc_updated_at ?? row.updated_at,
          }
        : undefined,
    // Defaults of SSO.md when nothing was ever set.
    requireSso: Number(row?.require_sso ?? 0) === 1,
    createUsers: Number(row?.create_users ?? 0) === 1,
    allowIdpInitiated: Number(row?.allow_idp_initiated ?? 1) === 1,
    domains,
  }
}

type SettingsChange = Partial<{
  saml_entity_id: string | null
  saml_sso_url: string | null
  saml_certificates: string | null
  saml_metadata_url: string | null
  saml_updated_at: string | null
  oidc_issuer: string | null
  oidc_client_id: string | null
  oidc_client_secret: string | null
  oidc_updated_at: string | null
  require_sso: Flag
  create_users: Flag
  allow_idp_initiated: Flag
}>

/** Inserts the platform's settings row or changes the given columns of it. */
async function upsertSettings(
  db: Kysely<Database>,
  platformId: string,
  change: SettingsChange,
): Promise<void> {
  const now = new Date().toISOString()
  await db
    .insertInto('sso_settings')
    .values({ platform_id: platformId, ...change, updated_at: now })
    .onConflict((oc) => oc.column('platform_id').doUpdateSet({ ...change, updated_at: now }))
    .execute()
}

export function setSaml(
  db: Kysely<Database>,
  platformId: string,
  saml: {
    entityId: string
    ssoUrl: string
    certificates: readonly string[]
    metadataUrl: string | null
  } | null,
): Promise<void> {
  return upsertSettings(db, platformId, {
    saml_entity_id: saml?.entityId ?? null,
    saml_sso_url: saml?.ssoUrl ?? null,
    saml_certificates: saml ? toJson(saml.certificates) : null,
    saml_metadata_url: saml?.metadataUrl ?? null,
    saml_updated_at: saml ? new Date().toISOString() : null,
  })
}

export function setOidc(
  db: Kysely<Database>,
  platformId: string,
  oidc: { issuer: string; clientId: string; sealedSecret: string } | null,
): Promise<void> {
  return upsertSettings(db, platformId, {
    oidc_issuer: oidc?.issuer ?? null,
    oidc_client_id: oidc?.clientId ?? null,
    oidc_client_secret: oidc?.sealedSecret ?? null,
    oidc_updated_at: oidc ? new Date().toISOString() : null,
  })
}

export interface SsoToggles {
  readonly requireSso?: boolean | undefined
  readonly createUsers?: boolean | undefined
  readonly allowIdpInitiated?: boolean | undefined
}

export function setToggles(db: Kysely<Database>, platformId: string, toggles: SsoToggles): Promise<void> {
  const flag = (value: boolean): Flag => (value ? 1 : 0)
  return upsertSettings(db, platformId, {
    ...(toggles.requireSso === undefined ? {} : { require_sso: flag(toggles.requireSso) }),
    ...(toggles.createUsers === undefined ? {} : { create_users: flag(toggles.createUsers) }),
    ...(toggles.allowIdpInitiated === undefined
      ? {}
      : { allow_idp_initiated: flag(toggles.allowIdpInitiated) }),
  })
}

export async function listDomains(db: Kysely<Database>, platformId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sso_domains')
    .select('domain')
    .where('platform_id', '=', platformId)
    .orderBy('domain')
    .execute()
  return rows.map((r) => r.domain)
}

export class DomainsTaken extends Error {
  override name = 'DomainsTaken'
  constructor(readonly domains: readonly string[]) {
    super(`Already claimed by another platform: ${domains.join(', ')}.`)
  }
}

/**
 * Replaces the platform's claimed domains (call inside a transaction). Throws DomainsTaken, so the
 * transaction rolls back, when another platform claims one: one domain belongs to one platform.
 */
export async function replaceDomains(
  db: Kysely<Database>,
  platformId: string,
  domains: readonly string[],
): Promise<void> {
  if (domains.length > 0) {
    const taken = await db
      .selectFrom('sso_domains')
      .select('domain')
      .where('domain', 'in', domains)
      .where('platform_id', '!=', platformId)
      .execute()
    if (taken.length > 0) throw new DomainsTaken(taken.map((t) => t.domain))
  }
  await db.deleteFrom('sso_domains').where('platform_id', '=', platformId).execute()
  const now = new Date().toISOString()
  try {
    if (domains.length > 0)
      await db
        .insertInto('sso_domains')
        .values(domains.map((domain) => ({ domain, platform_id: platformId, created_at: now })))
        .execute()
  } catch (error) {
    // Another platform claimed one of them between the check and the insert.
    if (isUniqueViolation(error)) throw new DomainsTaken(domains)
    throw error
  }
}

/** The platform that claims a (lower-cased) domain. */
export async function platformOfDomain(db: Kysely<Database>, domain: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('sso_domains')
    .select('platform_id')
    .where('domain', '=', domain)
    .executeTakeFirst()
  return row?.platform_id
}
