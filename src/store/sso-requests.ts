// What makes SAML and OIDC responses single-use across processes: the requests Muster issued (an
// AuthnRequest ID or an OIDC state, with its platform, `next`, test flag and PKCE/nonce) and the
// assertion IDs already accepted. Both live in the database so that any process behind the load
// balancer can consume a request another one issued, and a replay to a second process fails too.
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { fromJson, toJson } from './json.js'
import type { Database, SsoProtocol } from './schema.js'

/** A started sign-in must come back within this time (Entra and Okta take seconds; MFA minutes). */
export const REQUEST_TTL_MS = 10 * 60_000

/**
 * The OIDC nonce and PKCE code_verifier are kept as they are: each lives minutes, is used once, and is
 * worthless without the authorization code, which only the browser that started the flow receives.
 */
export interface SsoRequest {
  readonly id: string
  readonly platformId: string
  readonly protocol: SsoProtocol
  readonly next: string | null
  readonly test: boolean
  readonly nonce: string | null
  readonly codeVerifier: string | null
  readonly createdAt: string
  readonly usedAt: string | null
}

export async function createSsoRequest(
  db: Kysely<Database>,
  request: Omit<SsoRequest, 'createdAt' | 'usedAt'>,
): Promise<void> {
  await db
    .insertInto('sso_requests')
    .values({
      id: request.id,
      platform_id: request.platformId,
      protocol: request.protocol,
      next: request.next,
      test: request.test ? 1 : 0,
      nonce: request.nonce,
      code_verifier: request.codeVerifier,
      created_at: new Date().toISOString(),
      used_at: null,
    })
    .execute()
}

export async function getSsoRequest(db: Kysely<Database>, id: string): Promise<SsoRequest | undefined> {
  if (id.length > 256) return undefined
  const row = await db.selectFrom('sso_requests').selectAll().where('id', '=', id).executeTakeFirst()
  return (
    row && {
      id: row.id,
      platformId: row.platform_id,
      protocol: row.protocol,
      next: row.next,
      test: Number(row.test) === 1,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      createdAt: row.created_at,
      usedAt: row.used_at,
    }
  )
}

export type Consumed = 'ok' | 'unknown' | 'other_platform' | 'used' | 'expired'

/**
 * Marks a request used, once: the conditional update is atomic on both dialects, so of two
 * processes consuming the same id at once exactly one gets 'ok'. Call inside the transaction that
 * signs the person in, so a failure later in it leaves the request unused.
 */
export async function consumeSsoRequest(
  db: Kysely<Database>,
  id: string,
  platformId: string,
  protocol: SsoProtocol,
  now = Date.now(),
): Promise<Consumed> {
  const result = await db
    .updateTable('sso_requests')
    .set({ used_at: new Date(now).toISOString() })
    .where('id', '=', id)
    .where('platform_id', '=', platformId)
    .where('protocol', '=', protocol)
    .where('used_at', 'is', null)
    .where('created_at', '>', new Date(now - REQUEST_TTL_MS).toISOString())
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 1) return 'ok'
  const request = await getSsoRequest(db, id)
  if (!request || request.protocol !== protocol) return 'unknown'
  if (request.platformId !== platformId) return 'other_platform'
  if (request.usedAt) return 'used'
  return 'expired'
}

/**
 * Records an accepted assertion ID until `expiresAt`. Returns false when it was seen before on this
 * platform (a replay). The primary key decides, so two processes cannot both accept it.
 */
export async function rememberAssertion(
  db: Kysely<Database>,
  platformId: string,
  id: string,
  expiresAt: string,
): Promise<boolean> {
  // An id whose assertion has expired may come again (IdPs reuse nothing, but the row can go).
  await db
    .deleteFrom('sso_assertions')
    .where('platform_id', '=', platformId)
    .where('id', '=', id)
    .where('expires_at', '<=', new Date().toISOString())
    .execute()
  // `do nothing` rather than catching the violation: on PostgreSQL a concurrent insert of the same id
  // waits for the first transaction and then inserts nothing, without aborting this transaction.
  const result = await db
    .insertInto('sso_assertions')
    .values({ platform_id: platformId, id, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['platform_id', 'id']).doNothing())
    .executeTakeFirst()
  if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false
  return true
}

export async function saveTestResult(
  db: Kysely<Database>,
  platformId: string,
  result: object,
): Promise<string> {
  const id = randomBytes(16).toString('base64url')
  await db
    .insertInto('sso_test_results')
    .values({ id, platform_id: platformId, created_at: new Date().toISOString(), result: toJson(result) })
    .execute()
  return id
}

export async function getTestResult(
  db: Kysely<Database>,
  platformId: string,
  id: string,
): Promise<{ createdAt: string; result: Record<string, unknown> } | undefined> {
  const row = await db
    .selectFrom('sso_test_results')
    .select(['created_at', 'result'])
    .where('platform_id', '=', platformId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && { createdAt: row.created_at, result: fromJson(row.result) }
}

/** Drops what can no longer matter: old requests, expired assertion ids, test results after a day. */
export async function pruneSso(db: Kysely<Database>, now = Date.now()): Promise<void> {
  const day = new Date(now - 24 * 3600_000).toISOString()
  await db.deleteFrom('sso_requests').where('created_at', '<', day).execute()
  await db.deleteFrom('sso_assertions').where('expires_at', '<', new Date(now).toISOString()).execute()
  await db.deleteFrom('sso_test_results').where('created_at', '<', day).execute()
}
