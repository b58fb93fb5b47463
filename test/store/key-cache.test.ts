// Resolved API keys stay in memory only while no key can have changed: a revocation in this process,
// in another process on the same SQLite file, or in another process on the same PostgreSQL takes
// effect on the next request (PostgreSQL: as soon as its NOTIFY arrives, within milliseconds).
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { authenticateKey, createApiKey, hashSecret, revokeApiKey } from '../../src/store/api-keys.js'
import { createStore, type Store } from '../../src/store/database.js'
import { sqliteKeyCache } from '../../src/store/key-cache.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createTestStore, dialects } from '../helpers/db.js'

async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return false
}

describe.each(dialects)('API key cache on %s', (dialect) => {
  const stores: Store[] = []
  afterEach(async () => {
    for (const store of stores.splice(0).reverse()) await store.close()
  })

  async function twoProcesses() {
    const first = await createTestStore(dialect)
    const second = createStore({ url: first.url, poolSize: 2 })
    stores.push(first, second)
    const platform = await createPlatform(first.db, 'Acme')
    const { key, secret } = await createApiKey(first.db, platform.id, 'entra')
    // PostgreSQL caches only once its listener is up.
    await until(async () => {
      await authenticateKey(first, secret)
      return first.keys.get(hashSecret(secret)) !== undefined
    })
    return { first, second, key, secret, platformId: platform.id }
  }

  it('answers a known key from memory', async () => {
    const { first, secret, platformId } = await twoProcesses()
    expect(first.keys.get(hashSecret(secret))).toMatchObject({ platformId })
  })

  it('a revocation in this process fails the very next request', async () => {
    const { first, key, secret } = await twoProcesses()
    expect(await revokeApiKey(first, key.id)).toBe(true)
    expect(await authenticateKey(first, secret)).toBeUndefined()
  })

  it('a revocation by another process is seen here', async () => {
    const { first, second, key, secret } = await twoProcesses()
    expect(await revokeApiKey(second, key.id)).toBe(true)
    if (dialect === 'sqlite') {
      // The writer's data_version moved: the very next lookup goes to the database.
      expect(await authenticateKey(first, secret)).toBeUndefined()
    } else {
      expect(await until(async () => (await authenticateKey(first, secret)) === undefined)).toBe(true)
    }
  })

  it('an unknown or revoked secret is never cached', async () => {
    const { first, key, secret } = await twoProcesses()
    await revokeApiKey(first, key.id)
    await authenticateKey(first, secret)
    expect(first.keys.get(hashSecret(secret))).toBeUndefined()
    await authenticateKey(first, 'sk-not-a-key')
    expect(first.keys.get(hashSecret('sk-not-a-key'))).toBeUndefined()
  })
})

describe('API key cache bounds', () => {
  it('keeps at most its size, dropping the least recently used', () => {
    const database = new Database(':memory:')
    const cache = sqliteKeyCache(database, 3)
    for (const n of [1, 2, 3]) cache.set(`h${n}`, { keyId: `k${n}`, platformId: 'p' })
    cache.get('h1')
    cache.set('h4', { keyId: 'k4', platformId: 'p' })
    expect(['h1', 'h2', 'h3', 'h4'].map((h) => cache.get(h)?.keyId)).toEqual(['k1', undefined, 'k3', 'k4'])
    database.close()
  })
})
