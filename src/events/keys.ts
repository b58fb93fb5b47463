// The keys that sign SETs. Muster generates them (ES256, see README "Events out"), keeps the
// private half sealed with the secret box, and publishes the public halves as a JWKS. Rotation never
// breaks a receiver: a new key is published for a while before it signs, and an old one stays
// published until no unacknowledged SET was signed with it.
import { createPrivateKey, type JsonWebKey, randomBytes, sign } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { Config } from '../config.js'
import { type SecretBox, secretBoxFor } from '../crypto/secret-box.js'
import type { Store } from '../store/database.js'
import { kidInUse } from '../store/event-outbox.js'
import type { Database, EventKeyRow } from '../store/schema.js'

/** The algorithm of new keys. Keys made before (EdDSA, Ed25519) go on signing until rotated. */
export const SET_ALG = 'ES256'
export type SetAlg = 'ES256' | 'EdDSA'
const TYP = 'secevent+jwt'
const purpose = (kid: string) => `event-signing-key:${kid}`

export interface Signer {
  readonly kid: string
  sign(claims: object): Promise<string>
}

export interface KeyOptions {
  /** How long a new key is published before it signs (receivers refresh their JWKS meanwhile). */
  readonly activationSeconds: number
  /** How long a retired key stays published after its last use (JWKS caches). */
  readonly graceSeconds: number
}

/** What node:crypto needs to sign with each algorithm's key (rfc7518#section-3.4, rfc8037#section-3.1). */
const ALGORITHMS: Record<SetAlg, { keyType: string; curve?: string; digest: string | null }> = {
  // The signature is R || S, 64 bytes (rfc7518#section-3.4), not the DER that OpenSSL gives by default.
  ES256: { keyType: 'ec', curve: 'prime256v1', digest: 'sha256' },
  EdDSA: { keyType: 'ed25519', digest: null },
}

/**
 * Signs SETs as compact JWS (rfc7515#section-7.1) with node:crypto (OpenSSL). jose 6 signs only
 * through WebCrypto, at two to three times the CPU per SET here (bench/REPORT.md, Events out).
 * Receivers, and Muster's tests, verify with jose (keys.test.ts).
 */
export function jwsSigner(privateJwk: JWK, kid: string, alg: string): Signer {
  const algorithm = ALGORITHMS[alg as SetAlg]
  if (!algorithm) throw new Error(`key ${kid}: unsupported algorithm ${alg}`)
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' })
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (key.asymmetricKeyType !== algorithm.keyType || (algorithm.curve && curve !== algorithm.curve)) {
    throw new Error(`key ${kid} is not a key for ${alg}`)
  }
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: TYP })).toString('base64url')
  const options = { key, dsaEncoding: 'ieee-p1363' as const }
  return {
    kid,
    sign: async (claims) => {
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
      return `${input}.${sign(algorithm.digest, Buffer.from(input), options).toString('base64url')}`
    },
  }
}

export class KeyRing {
  #signer: { signer: Signer; until: number } | undefined
  readonly #db: Kysely<Database>
  readonly #box: SecretBox
  readonly #options: KeyOptions

  constructor(db: Kysely<Database>, box: SecretBox, options: KeyOptions) {
    this.#db = db
    this.#box = box
    this.#options = options
  }

  /** The key that signs now: the newest active one; the first is created on first use. */
  async signer(): Promise<Signer> {
    const cached = this.#signer
    if (cached && cached.until > Date.now()) return cached.signer
    const now = new Date().toISOString()
    let row = await this.#db
      .selectFrom('event_keys')
      .selectAll()
      .where('removed_at', 'is', null)
      .where('activates_at', '<=', now)
      .orderBy('activates_at', 'desc')
      .orderBy('kid', 'desc')
      .executeTakeFirst()
    row ??= await this.create(0)
    const signer = jwsSigner(
      JSON.parse(this.#box.open(row.private_sealed, purpose(row.kid))) as JWK,
      row.kid,
      row.alg,
    )
    // Re-read now and then, so a key activated by another process (or by time) takes over.
    this.#signer = { signer, until: Date.now() + 10_000 }
    return signer
  }

  /** Creates the first key when there is none, so the JWKS publishes a key before anything is signed. */
  async ensure(): Promise<void> {
    const any = await this.#db
      .selectFrom('event_keys')
      .select('kid')
      .where('removed_at', 'is', null)
      .executeTakeFirst()
    if (!any) await this.create(0)
  }

  /** A new key, published now and signing after `activationSeconds` (0: at once). */
  async create(activationSeconds = this.#options.activationSeconds): Promise<EventKeyRow> {
    const { privateKey, publicKey } = await generateKeyPair(SET_ALG, { extractable: true })
    const kid = randomBytes(12).toString('base64url')
    const now = Date.now()
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SET_ALG, use: 'sig' }
    const row: EventKeyRow = {
      kid,
      alg: SET_ALG,
      public_jwk: JSON.stringify(publicJwk),
      private_sealed: this.#box.seal(JSON.stringify(await exportJWK(privateKey)), purpose(kid)),
      created_at: new Date(now).toISOString(),
      activates_at: new Date(now + activationSeconds * 1000).toISOString(),
      removed_at: null,
    }
    await this.#db.insertInto('event_keys').values(row).execute()
    this.#signer = undefined
    return row
  }

  /** The published keys (rfc7517#section-5), newest first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.#db
      .selectFrom('event_keys')
      .select(['public_jwk'])
      .where('removed_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute()
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) }
  }

  async list(): Promise<Omit<EventKeyRow, 'private_sealed' | 'public_jwk'>[]> {
    return this.#db
      .selectFrom('event_keys')
      .select(['kid', 'alg', 'created_at', 'activates_at', 'removed_at'])
      .orderBy('created_at')
      .execute()
  }

  /**
   * Stops publishing keys that no longer sign (a newer key is active), have been superseded for
   * longer than the grace period, and signed nothing that is still unacknowledged. Returns their kids.
   */
  async retire(): Promise<string[]> {
    const now = Date.now()
    const rows = await this.#db
      .selectFrom('event_keys')
      .select(['kid', 'activates_at'])
      .where('removed_at', 'is', null)
      .orderBy('activates_at', 'desc')
      .execute()
    const active = rows.find((r) => Date.parse(r.activates_at) <= now)
    if (!active) return []
    const retired: string[] = []
    for (const row of rows) {
      if (Date.parse(row.activates_at) >= Date.parse(active.activates_at)) continue
      // Superseded when the active key took over; kept through the grace period and while in use.
      if (Date.parse(active.activates_at) + this.#options.graceSeconds * 1000 > now) continue
      if (await kidInUse(this.#db, row.kid)) continue
      await this.#db
        .updateTable('event_keys')
        .set({ removed_at: new Date(now).toISOString() })
        .where('kid', '=', row.kid)
        .execute()
      retired.push(row.kid)
    }
    return retired
  }
}

/** `box`: the process's secret box, when it has one already (see app.ts). */
export function keyRingFor(store: Store, config: Config, box: SecretBox = secretBoxFor(config)): KeyRing {
  // The grace covers JWKS caches (max-age 300 s) and the 10 s a process keeps its signer.
  return new KeyRing(store.db, box, {
    activationSeconds: config.EVENTS_KEY_ACTIVATION_SECONDS,
    graceSeconds: 600,
  })
}
