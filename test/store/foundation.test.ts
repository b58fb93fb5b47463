import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  authenticateKey,
  createApiKey,
  createKeyToucher,
  listApiKeys,
  revokeApiKey,
} from '../../src/store/api-keys.js'
import type { Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform, listPlatforms } from '../../src/store/platforms.js'
import { consumeSetupToken, createSetupToken, peekSetupToken } from '../../src/store/setup-tokens.js'
import { getUserByEmail, insertUser } from '../../src/store/users.js'
import { createTestStore, dialects } from '../helpers/db.js'

const user = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName })

describe.each(dialects)('store on %s', (dialect) => {
  let store: Store

  beforeAll(async () => {
    store = await createTestStore(dialect)
  })
  afterAll(() => store.close())

  it('migrations are idempotent: a second run applies nothing', async () => {
    expect(await migrate(store.db)).toEqual([])
  })

  it('keeps userName unique per platform case-insensitively, in the database itself', async () => {
    const a = await createPlatform(store.db, 'A')
    const b = await createPlatform(store.db, 'B')
    await insertUser(store.db, a.id, user('Joy.Young@Contoso.com'))
    await expect(insertUser(store.db, a.id, user('joy.young@contoso.COM'))).rejects.toThrow()
    // Another platform may hold the same email.
    await insertUser(store.db, b.id, user('joy.young@contoso.com'))
    const found = await getUserByEmail(store.db, a.id, 'JOY.YOUNG@contoso.com')
    expect(found?.email).toBe('Joy.Young@Contoso.com')
  })

  it('keeps project display names unique per platform case-insensitively', async () => {
    const p = await createPlatform(store.db, 'P')
    const now = new Date().toISOString()
    const row = (name: string, id: string) => ({
      id,
      platform_id: p.id,
      display_name: name,
      display_key: name.toLowerCase(),
      external_id: null,
      project_role: null,
      resource: '{}',
      version: 1,
      created_at: now,
      updated_at: now,
    })
    await store.db.insertInto('projects').values(row('Sales', 'p1')).execute()
    await expect(store.db.insertInto('projects').values(row('SALES', 'p2')).execute()).rejects.toThrow()
  })

  it('API keys: secret shown once, only a hash stored, revocation immediate', async () => {
    const p = await createPlatform(store.db, 'Keys')
    const { key, secret } = await createApiKey(store.db, p.id, 'entra')
    expect(secret).toMatch(/^sk-[A-Za-z0-9_-]{43}$/)
    const stored = await store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(secret.slice(3))
    expect(stored.truncated).toBe(secret.slice(-4))
    expect(await authenticateKey(store, secret)).toEqual({ keyId: key.id, platformId: p.id })
    expect(await authenticateKey(store, `${secret}x`)).toBeUndefined()
    const listed = await listApiKeys(store.db, p.id)
    expect(listed).toHaveLength(1)
    expect(JSON.stringify(listed)).not.toContain(stored.hash)
    expect(await revokeApiKey(store, key.id)).toBe(true)
    expect(await authenticateKey(store, secret)).toBeUndefined()
    expect(await revokeApiKey(store, key.id)).toBe(false)
  })

  it('last_used_at is written at most once a minute per key', async () => {
    const p = await createPlatform(store.db, 'Touch')
    const { key } = await createApiKey(store.db, p.id, 'okta')
    const touch = createKeyToucher(store.db)
    await touch(key.id)
    const first = await store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(first.last_used_at).not.toBeNull()
    await new Promise((r) => setTimeout(r, 5))
    await touch(key.id)
    const second = await store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(second.last_used_at).toBe(first.last_used_at)
  })

  it('a setup token works once', async () => {
    const p = await createPlatform(store.db, 'Setup')
    const token = await createSetupToken(store.db, p.id, 'admin@acme.test')
    expect(await peekSetupToken(store.db, token)).toEqual({ platformId: p.id, email: 'admin@acme.test' })
    expect(await consumeSetupToken(store.db, token)).toBeDefined()
    expect(await consumeSetupToken(store.db, token)).toBeUndefined()
    expect(await peekSetupToken(store.db, 'nope')).toBeUndefined()
  })

  it('a failed transaction leaves nothing behind', async () => {
    const before = (await listPlatforms(store.db)).length
    await expect(
      store.transaction(async (trx) => {
        await createPlatform(trx, 'Half')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect((await listPlatforms(store.db)).length).toBe(before)
  })
})
