// Authentication: revoked keys fail on the very next request; keys are compared by SHA-256 hash in
// constant time (checked structurally, not by a flaky stopwatch); repeated bad keys from one address
// are rate limited; console sessions end on sign-out and on deactivation or demotion of the account.

import * as crypto from 'node:crypto'
import { createHash } from 'node:crypto'
import Sqlite from 'better-sqlite3'
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { authenticateKey, createApiKey, hashSecret, revokeApiKey } from '../../src/store/api-keys.js'
import type { Dialect } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import type { Database } from '../../src/store/schema.js'
import { createAccount, signedIn, signIn } from '../helpers/admin.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { ERROR_SCHEMA, PATCH_OP } from './helpers.js'

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>()
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) }
})

const PLATFORM_ROLE = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole'

describe('API keys are compared as SHA-256 hashes, in constant time', () => {
  it('the database sees only the hash, and the hashes are compared with timingSafeEqual', async () => {
    const queries: CompiledQuery[] = []
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new Sqlite(':memory:') }),
      log: (event) => {
        queries.push(event.query)
      },
    })
    // The store's read path through this logging Kysely instance.
    const store = {
      db,
      read: async <R>(query: CompiledQuery<R>) => (await db.executeQuery(query)).rows,
      // Nothing cached: every call reaches SQL, which is what this test inspects.
      keys: { get: () => undefined, set: () => {}, clear: () => {}, close: async () => {} },
    }
    try {
      await migrate(db)
      const platform = await createPlatform(db, 'Timing')
      const { secret } = await createApiKey(db, platform.id, 'k')
      queries.length = 0
      const spy = vi.mocked(crypto.timingSafeEqual)
      spy.mockClear()
      expect(await authenticateKey(store, secret)).toMatchObject({ platformId: platform.id })
      // The lookup is by hash: the secret itself never reaches SQL, so the index comparison (which is
      // not constant-time) only ever sees SHA-256 outputs an attacker cannot steer byte by byte.
      const parameters = queries.flatMap((q) => q.parameters.map(String))
      expect(parameters).toContain(hashSecret(secret))
      expect(hashSecret(secret)).toBe(createHash('sha256').update(secret).digest('hex'))
      expect(parameters.some((p) => p.includes(secret) || p.includes(secret.slice(3)))).toBe(false)
      // The stored and presented hashes are compared with timingSafeEqual on equal-length buffers.
      expect(spy).toHaveBeenCalledTimes(1)
      const [x, y] = spy.mock.calls[0]! as [Buffer, Buffer]
      expect(x.length).toBe(32)
      expect(y.length).toBe(32)
      // A wrong key: looked up by its own hash, found nothing, no comparison of secrets at all.
      queries.length = 0
      const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
      expect(await authenticateKey(store, wrong)).toBeUndefined()
      expect(queries.flatMap((q) => q.parameters.map(String))).toContain(hashSecret(wrong))
    } finally {
      await db.destroy()
    }
  })
})

describe.each(dialects)('authentication on %s', (dialect: Dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { AUTH_FAILURES_PER_MINUTE: '5' })
  })
  afterAll(async () => {
    await t?.close()
  })
  const get = (authorization: string | undefined, remoteAddress = '10.9.0.1') =>
    t.app.inject({
      method: 'GET',
      url: `${SCIM}/Users?count=0`,
      headers: authorization === undefined ? {} : { authorization },
      remoteAddress,
    })

  it('a key revoked in the store or in the console fails on the very next request', async () => {
    const other = await createApiKey(t.store.db, t.platformId, 'other')
    expect((await get(`Bearer ${other.secret}`, '10.1.0.1')).statusCode).toBe(200)
    expect(await revokeApiKey(t.store, other.key.id)).toBe(true)
    const revoked = await get(`Bearer ${other.secret}`, '10.1.0.2')
    expect(revoked.statusCode).toBe(401)
    expect(revoked.headers['www-authenticate']).toMatch(/^Bearer/)
    expect(revoked.json().schemas).toEqual([ERROR_SCHEMA])
    // The platform's other key still works.
    expect((await get(`Bearer ${t.secret}`, '10.1.0.3')).statusCode).toBe(200)

    await createAccount(t, t.platformId, 'keys@auth.test')
    const admin = await signedIn(t, 'keys@auth.test')
    const created = await admin.call('POST', '/api-keys', { name: 'console' })
    expect(created.statusCode).toBe(201)
    const { key, secret } = created.json() as { key: { id: string }; secret: string }
    expect((await get(`Bearer ${secret}`, '10.1.0.4')).statusCode).toBe(200)
    expect((await admin.call('DELETE', `/api-keys/${key.id}`)).statusCode).toBe(204)
    expect((await get(`Bearer ${secret}`, '10.1.0.5')).statusCode).toBe(401)
    // Writes too.
    const write = await t.app.inject({
      method: 'POST',
      url: `${SCIM}/Users`,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ userName: 'after-revoke@auth.test' }),
      remoteAddress: '10.1.0.6',
    })
    expect(write.statusCode).toBe(401)
    const stored = await t.store.db
      .selectFrom('users')
      .select('id')
      .where('email_key', '=', 'after-revoke@auth.test')
      .execute()
    expect(stored).toEqual([])
  })

  it('wrong keys are rejected alike, whichever character differs and whatever their shape', async () => {
    const flip = (c: string) => (c === 'A' ? 'B' : 'A')
    const s = t.secret
    const variants = [
      `${s.slice(0, 3)}${flip(s[3]!)}${s.slice(4)}`, // first character after the prefix
      `${s.slice(0, -1)}${flip(s.at(-1)!)}`, // last character
      s.slice(0, -1), // one short
      `${s}A`, // one long
      s.toUpperCase(),
      `sk-${'A'.repeat(300)}`,
      'not-a-key',
      '',
    ]
    const answers = []
    for (const [i, variant] of variants.entries()) {
      const res = await get(`Bearer ${variant}`, `10.2.0.${i + 1}`)
      expect(res.statusCode, variant).toBe(401)
      answers.push({
        body: res.body,
        auth: res.headers['www-authenticate'],
        type: res.headers['content-type'],
      })
    }
    for (const missing of [undefined, 'Basic Zm9vOmJhcg==', 'Bearer', `bearer  ${s}x`]) {
      const res = await get(missing, '10.2.1.1')
      expect(res.statusCode, String(missing)).toBe(401)
      answers.push({
        body: res.body,
        auth: res.headers['www-authenticate'],
        type: res.headers['content-type'],
      })
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)
  })

  it('repeated bad keys from one address get 429 with Retry-After; other addresses and good keys do not', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await get('Bearer sk-wrong', '10.3.0.1')).statusCode)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429, 429])
    const limited = await get('Bearer sk-wrong', '10.3.0.1')
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' })
    // Even the right key from the limited address is served, and another address is unaffected.
    expect((await get(`Bearer ${t.secret}`, '10.3.0.1')).statusCode).toBe(200)
    expect((await get('Bearer sk-wrong', '10.3.0.2')).statusCode).toBe(401)
  })

  it('console sign-in slows down repeated failures for an account', async () => {
    await createAccount(t, t.platformId, 'guess@auth.test')
    const statuses: number[] = []
    for (let i = 0; i < 6; i++)
      statuses.push((await signIn(t, 'guess@auth.test', `wrong password ${i}`, '10.4.0.1')).statusCode)
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    expect(statuses.at(-1)).toBe(429)
  })

  describe('console sessions', () => {
    const me = (cookie: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })
    const users = (cookie: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })
    const scimPatch = (id: string, operations: unknown[]) =>
      t.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: operations })

    it('end on sign-out', async () => {
      await createAccount(t, t.platformId, 'out@auth.test')
      const admin = await signedIn(t, 'out@auth.test')
      expect((await me(admin.cookie)).statusCode).toBe(200)
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
        headers: { cookie: admin.cookie },
      })
      expect(out.statusCode).toBe(204)
      expect((await me(admin.cookie)).statusCode).toBe(401)
      expect((await users(admin.cookie)).statusCode).toBe(401)
    })

    it('end when another admin deactivates or demotes the account in the console', async () => {
      await createAccount(t, t.platformId, 'boss@auth.test')
      const boss = await signedIn(t, 'boss@auth.test')
      for (const change of [{ active: false }, { platformRole: 'MEMBER' }]) {
        const email = `victim-${Object.keys(change)[0]}@auth.test`
        const victim = await createAccount(t, t.platformId, email)
        const session = await signedIn(t, email)
        expect((await me(session.cookie)).statusCode).toBe(200)
        expect((await boss.call('PATCH', `/users/${victim.id}`, change)).statusCode).toBe(200)
        expect((await me(session.cookie)).statusCode, JSON.stringify(change)).toBe(401)
        // Restoring the account does not bring the old session back.
        const restore = 'active' in change ? { active: true } : { platformRole: 'ADMIN' }
        expect((await boss.call('PATCH', `/users/${victim.id}`, restore)).statusCode).toBe(200)
        expect((await me(session.cookie)).statusCode, `after restoring ${JSON.stringify(change)}`).toBe(401)
      }
    })

    it('end when the identity provider deactivates, demotes or deletes the account over SCIM', async () => {
      const cases: [string, unknown[] | 'delete', unknown[] | undefined][] = [
        [
          'deactivate',
          [{ op: 'Replace', path: 'active', value: 'False' }],
          [{ op: 'Replace', path: 'active', value: 'True' }],
        ],
        [
          'demote',
          [{ op: 'replace', path: PLATFORM_ROLE, value: 'MEMBER' }],
          [{ op: 'replace', path: PLATFORM_ROLE, value: 'ADMIN' }],
        ],
        ['delete', 'delete', undefined],
      ]
      for (const [name, change, restore] of cases) {
        const email = `scim-${name}@auth.test`
        const victim = await createAccount(t, t.platformId, email)
        const session = await signedIn(t, email)
        expect((await me(session.cookie)).statusCode).toBe(200)
        const res =
          change === 'delete'
            ? await t.scim('DELETE', `/Users/${victim.id}`)
            : await scimPatch(victim.id, change)
        expect(res.statusCode, name).toBeLessThan(300)
        expect((await me(session.cookie)).statusCode, name).toBe(401)
        if (restore) {
          // Reactivating (or re-promoting) the user must not revive a session that ended.
          expect((await scimPatch(victim.id, restore)).statusCode).toBe(200)
          expect((await me(session.cookie)).statusCode, `${name}, then restored over SCIM`).toBe(401)
          // A fresh sign-in works again.
          expect((await signIn(t, email)).statusCode).toBe(200)
        }
      }
    })
  })
})
