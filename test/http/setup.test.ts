import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../src/config.js'
import { firstStart } from '../../src/server.js'
import { createSetupToken } from '../../src/store/setup-tokens.js'
import { getUserByEmail } from '../../src/store/users.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { createTestStore } from '../helpers/db.js'

describe('first start', () => {
  it('creates a platform and prints a one-time setup link and the tenant URL, once', async () => {
    const store = await createTestStore('sqlite')
    const config = testConfig({ PUBLIC_URL: 'https://id.acme.test' })
    const banner = await firstStart(store, config)
    expect(banner).toMatch(/https:\/\/id\.acme\.test\/setup\/[A-Za-z0-9_-]{43}/)
    expect(banner).toContain('https://id.acme.test/api/v1/scim/v2')
    expect(await firstStart(store, config)).toBeUndefined()
    await store.close()
  })
})

describe('first-admin setup link', () => {
  let t: TestApp
  let token: string
  beforeAll(async () => {
    t = await createTestApp('sqlite')
    token = await createSetupToken(t.store.db, t.platformId)
  })
  afterAll(() => t.close())

  const post = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: body as object })

  it('shows the platform for a live link', async () => {
    const res = await t.app.inject(`/api/v1/setup/${token}`)
    expect(res.statusCode).toBe(200)
    expect(res.json().platform.name).toBe('Acme')
  })

  it('rejects a weak password with a message for the field', async () => {
    const res = await post({ token, email: 'admin@acme.test', password: 'short' })
    expect(res.statusCode).toBe(400)
    expect(res.json().fields.password).toMatch(/12 characters/)
  })

  it('creates an ADMIN with a hashed password, and works only once', async () => {
    const res = await post({ token, email: 'Admin@Acme.test', password: 'correct horse battery' })
    expect(res.statusCode).toBe(201)
    const user = await getUserByEmail(t.store.db, t.platformId, 'admin@acme.test')
    expect(user).toMatchObject({ email: 'Admin@Acme.test', platform_role: 'ADMIN', status: 'ACTIVE' })
    expect(user?.password_hash).toMatch(/^scrypt\$/)
    expect(user?.password_hash).not.toContain('correct horse')
    const again = await post({ token, email: 'other@acme.test', password: 'correct horse battery' })
    expect(again.statusCode).toBe(404)
    expect((await t.app.inject(`/api/v1/setup/${token}`)).statusCode).toBe(404)
  })
})
