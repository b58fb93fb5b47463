import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('limits', () => {
  let t: TestApp
  let userId: string
  let groupId: string
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      BODY_LIMIT: '4096',
      SCIM_MAX_OPERATIONS: '3',
      SCIM_MAX_MEMBERS_PER_OPERATION: '2',
      SCIM_MAX_FILTER_LENGTH: '64',
      SCIM_MAX_FILTER_DEPTH: '3',
      SCIM_MAX_RESULTS: '2',
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '1000',
      AUTH_FAILURES_PER_MINUTE: '3',
    })
    userId = (await t.scim('POST', '/Users', { userName: 'lim@acme.test' })).json().id
    for (const name of ['a', 'b', 'c']) await t.scim('POST', '/Users', { userName: `${name}@acme.test` })
    groupId = (await t.scim('POST', '/Groups', { displayName: 'Limits' })).json().id
  })
  afterAll(() => t.close())

  it('a body over BODY_LIMIT is 413', async () => {
    const res = await t.scim('POST', '/Users', { userName: 'big@acme.test', title: 'x'.repeat(5000) })
    expect(res.statusCode).toBe(413)
  })

  it('more operations than SCIM_MAX_OPERATIONS is 400 and changes nothing', async () => {
    const ops = Array.from({ length: 4 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }))
    const res = await t.scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: ops })
    expect(res.statusCode).toBe(400)
    expect(res.json().detail).toMatch(/operations/i)
    expect((await t.scim('GET', `/Users/${userId}`)).json().title).toBeUndefined()
  })

  it('more members in one operation than SCIM_MAX_MEMBERS_PER_OPERATION is 400', async () => {
    const value = ['a', 'b', 'c'].map((v) => ({ value: v }))
    const res = await t.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value }],
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().detail).toMatch(/members/i)
  })

  it('a filter over SCIM_MAX_FILTER_LENGTH or deeper than SCIM_MAX_FILTER_DEPTH is 400 invalidFilter', async () => {
    const long = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${'x'.repeat(80)}"`)}`)
    expect(long.statusCode).toBe(400)
    expect(long.json().scimType).toBe('invalidFilter')
    const deep = await t.scim('GET', `/Users?filter=${encodeURIComponent('((((userName eq "a"))))')}`)
    expect(deep.statusCode).toBe(400)
    expect(deep.json().scimType).toBe('invalidFilter')
  })

  it('a page larger than SCIM_MAX_RESULTS is capped silently', async () => {
    const res = await t.scim('GET', '/Users?count=50')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ totalResults: 4, itemsPerPage: 2 })
  })

  it('repeated bad keys from one address get 429 with Retry-After; a good key still works', async () => {
    const bad = () =>
      t.app.inject({
        url: `${SCIM}/Users`,
        headers: { authorization: 'Bearer sk-nope' },
        remoteAddress: '10.9.9.9',
      })
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await bad()).statusCode)
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    const limited = await bad()
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.json()).toMatchObject({ status: '429' })
    // A valid key from the braked address is served, every time, and does not lift the brake.
    for (let i = 0; i < 3; i++) {
      const good = await t.app.inject({
        url: `${SCIM}/ServiceProviderConfig`,
        headers: { authorization: `Bearer ${t.secret}` },
        remoteAddress: '10.9.9.9',
      })
      expect(good.statusCode).toBe(200)
    }
    expect((await bad()).statusCode).toBe(429)
    // Another address is not braked by this one's failures.
    const elsewhere = await t.app.inject({
      url: `${SCIM}/Users`,
      headers: { authorization: 'Bearer sk-nope' },
      remoteAddress: '10.9.9.10',
    })
    expect(elsewhere.statusCode).toBe(401)
  })
})

// The per-key limit is @fastify/rate-limit's fixed window: RATE_LIMIT_BURST requests per
// RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND seconds. (With the former token bucket, Retry-After was the
// time to the next token, 1 s here; now it is the time left in the window.)
describe.each(dialects)('per-key rate limit on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '5' })
  })
  afterAll(() => t.close())

  it('twenty requests at once: the burst passes, the rest get 429 with Retry-After, as SCIM errors', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.scim('GET', '/ServiceProviderConfig')),
    )
    const statuses = responses.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 200)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(15)
    const limited = responses.find((r) => r.statusCode === 429)!
    // The seconds left in the 5 s window.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(5)
    expect(limited.headers['content-type']).toBe('application/scim+json; charset=utf-8')
    expect(limited.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '429',
      detail: expect.stringMatching(/^Too many requests for this API key; retry after [1-5] s\.$/),
    })
  })

  it('another key of the platform has a count of its own', async () => {
    const { secret } = await createApiKey(t.store.db, t.platformId, 'second')
    const res = await t.scim('GET', '/ServiceProviderConfig', undefined, {
      authorization: `Bearer ${secret}`,
    })
    expect(res.statusCode).toBe(200)
  })
})

describe('per-key rate limit windows', () => {
  it('a limited key is served again when its window ends', async () => {
    // 5 per 50 ms.
    const t = await createTestApp('sqlite', { RATE_LIMIT_PER_SECOND: '100', RATE_LIMIT_BURST: '5' })
    try {
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => t.scim('GET', '/ServiceProviderConfig')),
      )
      expect(burst.filter((r) => r.statusCode === 429).length).toBeGreaterThan(0)
      await new Promise((resolve) => setTimeout(resolve, 120))
      expect((await t.scim('GET', '/ServiceProviderConfig')).statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('RATE_LIMIT_PER_SECOND=0 turns the limit off', async () => {
    const t = await createTestApp('sqlite', { RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_BURST: '1' })
    try {
      const responses = await Promise.all(
        Array.from({ length: 30 }, () => t.scim('GET', '/ServiceProviderConfig')),
      )
      expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(200))
      expect(responses[0]!.headers['retry-after']).toBeUndefined()
    } finally {
      await t.close()
    }
  })
})
