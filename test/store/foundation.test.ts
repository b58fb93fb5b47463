import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
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

  it('last_used_at is written at most once a minute per key, in one batch for many keys', async () => {
    const p = await createPlatform(store.db, 'Touch')
    const { key } = await createApiKey(store.db, p.id, 'okta')
    const { key: other } = await createApiKey(store.db, p.id, 'entra')
    const toucher = createKeyToucher(store.db, { flushMs: 60_000 })
    const lastUsed = async (id: string) =>
      await store.db
        .selectFrom('api_keys')
        .select(['last_used_at', 'last_user_agent'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    toucher.touch(key.id, 'Okta SCIM Client')
    toucher.touch(other.id, 'Azure AD SCIM')
    // Queued, not written: no write per request.
    expect((await lastUsed(key.id)).last_used_at).toBeNull()
    await toucher.flush()
    const first = await lastUsed(key.id)
    expect(first).toMatchObject({ last_user_agent: 'Okta SCIM Client' })
    expect(first.last_used_at).not.toBeNull()
    expect((await lastUsed(other.id)).last_user_agent).toBe('Azure AD SCIM')
    await new Promise((r) => setTimeout(r, 5))
    toucher.touch(key.id, 'something else')
    await toucher.flush()
    expect(await lastUsed(key.id)).toEqual(first)
  })

  it('a SCIM request marks its key used by the time the app has closed', async () => {
    const p = await createPlatform(store.db, 'Touch app')
    const { key, secret } = await createApiKey(store.db, p.id, 'entra')
    const app = await buildApp({ config: testConfig(), store })
    const res = await app.inject({
      url: '/api/v1/scim/v2/Users',
      headers: { authorization: `Bearer ${secret}`, 'user-agent': 'Azure AD SCIM' },
    })
    expect(res.statusCode).toBe(200)
    await app.close()
    const row = await store.db
      .selectFrom('api_keys')
      .select(['last_used_at', 'last_user_agent'])
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(row.last_used_at).not.toBeNull()
    expect(row.last_user_agent).toBe('Azure AD SCIM')
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
