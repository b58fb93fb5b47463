import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey, revokeApiKey } from '../../src/store/api-keys.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

describe.each(dialects)('SCIM base path on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { BODY_LIMIT: '2048' })
  })
  afterAll(() => t.close())

  it('GET /ServiceProviderConfig with a valid key answers 200 application/scim+json', async () => {
    const res = await t.scim('GET', '/ServiceProviderConfig')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8')
    const body = res.json()
    expect(body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'])
    expect(body.patch.supported).toBe(true)
    expect(body.bulk.supported).toBe(false)
    // rfc9967#section-4: the event URIs a stream can carry, and no asynchronous requests.
    expect(body.securityEvents.asyncRequest).toBe('none')
    expect(body.securityEvents.eventUris).toContain('urn:ietf:params:scim:event:prov:patch:full')
    expect(body.securityEvents.eventUris).toContain('urn:ietf:params:scim:event:prov:deactivate')
    expect(body.meta.location).toBe('https://muster.test/api/v1/scim/v2/ServiceProviderConfig')
  })

  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { authorization: 'Bearer sk-wrongwrongwrong' }],
    ['a non-Bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('%s gets 401 with a SCIM body and WWW-Authenticate', async (_name, headers) => {
    const res = await t.app.inject({ method: 'GET', url: `${SCIM}/ServiceProviderConfig`, headers })
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8')
    expect(res.json()).toMatchObject({ schemas: [ERROR], status: '401' })
  })

  it('a wrong key and a revoked key get the same answer', async () => {
    const { key, secret } = await createApiKey(t.store.db, t.platformId, 'soon revoked')
    expect(
      (await t.scim('GET', '/ServiceProviderConfig', undefined, { authorization: `Bearer ${secret}` }))
        .statusCode,
    ).toBe(200)
    await revokeApiKey(t.store, key.id)
    const revoked = await t.scim('GET', '/ServiceProviderConfig', undefined, {
      authorization: `Bearer ${secret}`,
    })
    const wrong = await t.scim('GET', '/ServiceProviderConfig', undefined, {
      authorization: `Bearer ${secret}x`,
    })
    expect(revoked.statusCode).toBe(401)
    expect(revoked.body).toBe(wrong.body)
  })

  it('an unknown route under the base is a 404 SCIM error, never HTML', async () => {
    const res = await t.scim('GET', '/Nope')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8')
    expect(res.json()).toMatchObject({ schemas: [ERROR], status: '404' })
  })

  it('an unsupported method is a 405 SCIM error with Allow', async () => {
    const res = await t.scim('DELETE', '/ServiceProviderConfig')
    expect(res.statusCode).toBe(405)
    expect(res.headers.allow).toBe('GET')
    expect(res.json()).toMatchObject({ schemas: [ERROR], status: '405' })
  })

  it('malformed JSON is 400 invalidSyntax', async () => {
    const res = await t.scim('POST', '/Users', '{"userName": ')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' })
  })

  it('a body over the limit is 413', async () => {
    const res = await t.scim('POST', '/Users', JSON.stringify({ x: 'y'.repeat(4096) }))
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ schemas: [ERROR], status: '413' })
  })

  it('tolerates a trailing slash, a doubled slash, any case and feature-flag query strings', async () => {
    for (const path of [
      '/ServiceProviderConfig/',
      '//ServiceProviderConfig',
      '/serviceproviderconfig?aadOptscim062020',
    ]) {
      const res = await t.scim('GET', path)
      expect(res.statusCode, path).toBe(200)
    }
  })

  it('returns the request id it was given', async () => {
    const res = await t.scim('GET', '/ServiceProviderConfig', undefined, { 'x-request-id': 'abc-123' })
    expect(res.headers['x-request-id']).toBe('abc-123')
  })
})

describe('health', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite')
  })
  afterAll(() => t.close())

  it('GET /healthz and /readyz answer 200 JSON without a key', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' })
    const ready = await t.app.inject('/readyz')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ok', database: 'sqlite' })
  })
})
