// API keys are the SCIM bearer tokens. Only a SHA-256 hash of the secret is stored; the secret is
// shown once at creation. Resolved keys are kept in memory only while no key can have changed
// (key-cache.ts), so a revocation takes effect on the very next request.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Store } from './database.js'
import { isPostgres } from './dialect.js'
import { KEY_CHANNEL, type KeyIdentity } from './key-cache.js'
import { prepare } from './prepared.js'
import type { ApiKeyRow, Database } from './schema.js'

const PREFIX = 'sk-'
/** last_used_at is written at most this often per key and process. */
const TOUCH_INTERVAL_MS = 60_000

export type { KeyIdentity } from './key-cache.js'

export type ApiKeyView = Omit<ApiKeyRow, 'hash'>

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export async function createApiKey(
  db: Kysely<Database>,
  platformId: string,
  name: string,
): Promise<{ key: ApiKeyView; secret: string }> {
  // 32 random bytes = 256 bits of entropy, base64url without padding.
  const secret = PREFIX + randomBytes(32).toString('base64url')
  const row: ApiKeyRow = {
    id: randomUUID(),
    platform_id: platformId,
    name,
    hash: hashSecret(secret),
    truncated: secret.slice(-4),
    created_at: new Date().toISOString(),
    last_used_at: null,
    revoked_at: null,
    last_user_agent: null,
  }
  await db.insertInto('api_keys').values(row).execute()
  const { hash: _hash, ...key } = row
  return { key, secret }
}

const viewColumns = [
  'id',
  'platform_id',
  'name',
  'truncated',
  'created_at',
  'last_used_at',
  'revoked_at',
  'last_user_agent',
] as const

export function listApiKeys(db: Kysely<Database>, platformId: string): Promise<ApiKeyView[]> {
  return db
    .selectFrom('api_keys')
    .select(viewColumns)
    .where('platform_id', '=', platformId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
}

export function getApiKey(db: Kysely<Database>, id: string): Promise<ApiKeyView | undefined> {
  return db.selectFrom('api_keys').select(viewColumns).where('id', '=', id).executeTakeFirst()
}

/**
 * Revokes a key (scoped to a platform when one is given) in its own transaction, with `also` for
 * what must commit with it, then forgets resolved keys. Returns false when no live key matched.
 */
export async function revokeApiKey(
  store: Pick<Store, 'transaction' | 'keys'>,
  id: string,
  platformId?: string,
  also?: (trx: Kysely<Database>) => Promise<void>,
): Promise<boolean> {
  const revoked = await store.transaction(async (trx) => {
    let query = trx
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
    if (platformId) query = query.where('platform_id', '=', platformId)
    const result = await query.executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) return false
    // Other processes on PostgreSQL forget their resolved keys when this commits (key-cache.ts).
    if (isPostgres(trx)) await sql`select pg_notify(${KEY_CHANNEL}, '')`.execute(trx)
    await also?.(trx)
    return true
  })
  // After the commit: a request resolved between a clear and the commit would cache the live key again.
  if (revoked) store.keys.clear()
  return revoked
}

const liveKeyByHash = prepare((db, v: { hash: string }) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'platform_id', 'hash'])
    .where('hash', '=', v.hash)
    .where('revoked_at', 'is', null),
)

/**
 * Resolves a presented secret to its live key. The row is found by its hash; the hashes are then
 * compared in constant time, so nothing about the stored value leaks through timing.
 */
export async function authenticateKey(
  store: Pick<Store, 'db' | 'read' | 'keys'>,
  secret: string,
): Promise<KeyIdentity | undefined> {
  if (!secret.startsWith(PREFIX) || secret.length > 256) return undefined
  const hash = hashSecret(secret)
  // The cache is keyed by the full hash of a secret that carries 256 random bits: a hit is a match.
  const known = store.keys.get(hash)
  if (known) return known
  const [row] = await store.read(liveKeyByHash(store.db, { hash }))
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined
  const identity = { keyId: row.id, platformId: row.platform_id }
  store.keys.set(hash, identity)
  return identity
}

/** Longest User-Agent kept: enough for any IdP's name and version. */
const USER_AGENT_MAX = 200

/**
 * Keeps last_used_at (and the User-Agent of that request, to tell which IdP uses the key) current
 * without a write per request: at most one update per key per minute in this process, and the update
 * itself only fires when the stored value is a minute old, so several processes do not each write.
 * The updates are gathered and written together, in one transaction, `flushMs` after the first of
 * them: a host of 10,000 platforms whose IdPs each call now and then pays one commit every so often,
 * not one per request. What a crash loses is at most that much of "last used".
 */
export function createKeyToucher(db: Kysely<Database>, { flushMs = 1000 } = {}) {
  /** Keys queued in the last minute; older entries go at each flush, so this holds active keys only. */
  const queued = new Map<string, number>()
  const pending = new Map<string, { at: number; userAgent: string | null }>()
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()

  async function write(batch: [string, { at: number; userAgent: string | null }][]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      for (const [keyId, { at, userAgent }] of batch) {
        await trx
          .updateTable('api_keys')
          .set({ last_used_at: new Date(at).toISOString(), last_user_agent: userAgent })
          .where('id', '=', keyId)
          .where((eb) =>
            eb.or([
              eb('last_used_at', 'is', null),
              eb('last_used_at', '<', new Date(at - TOUCH_INTERVAL_MS).toISOString()),
            ]),
          )
          .execute()
      }
    })
  }

  /** Writes what is queued now; resolves when it is written (or failed: the error is returned). */
  function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    const now = Date.now()
    for (const [keyId, at] of queued) if (now - at >= TOUCH_INTERVAL_MS) queued.delete(keyId)
    if (pending.size === 0) return flushing
    const batch = [...pending]
    pending.clear()
    flushing = flushing.then(() => write(batch))
    return flushing
  }

  return {
    touch(keyId: string, userAgent?: string, onError?: (error: unknown) => void): void {
      const now = Date.now()
      const last = queued.get(keyId)
      if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return
      queued.set(keyId, now)
      pending.set(keyId, { at: now, userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null })
      timer ??= setTimeout(() => {
        flush().catch((error) => onError?.(error))
      }, flushMs).unref()
    },
    flush,
  }
}
