import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'

describe('GET /metrics', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('postgres', { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' })
  })
  afterAll(() => t.close())

  it('counts requests by route and status, SCIM operations, rate-limited requests and pool state', async () => {
    await t.scim('POST', '/Users', { userName: 'm@acme.test' })
    await t.scim('GET', '/Users?filter=userName eq "m@acme.test"')
    await Promise.all(Array.from({ length: 10 }, () => t.scim('GET', '/ServiceProviderConfig')))
    const res = await t.app.inject('/metrics')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    const text = res.body
    expect(text).toMatch(
      /muster_http_requests_total\{method="POST",route="\/api\/v1\/scim\/v2\/Users",status="201"\} 1/,
    )
    expect(text).toMatch(
      /muster_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/scim\/v2\/Users".*\}/,
    )
    expect(text).toMatch(
      /muster_scim_operations_total\{resource="User",operation="create",outcome="success"\} 1/,
    )
    expect(text).toMatch(
      /muster_scim_operations_total\{resource="User",operation="list",outcome="success"\} 1/,
    )
    expect(text).toMatch(/muster_rate_limited_total\{reason="api_key"\} [1-9]/)
    expect(text).toMatch(/muster_db_pool_total_connections \d+/)
    expect(text).toMatch(/process_resident_memory_bytes \d+/)
  })
})

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp
  const token = 'metrics-token-0123456789'
  beforeAll(async () => {
    t = await createTestApp('sqlite', { METRICS_TOKEN: token })
  })
  afterAll(() => t.close())

  it('answers 401 without the token and 200 with it', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(401)
    const wrong = await t.app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-9876543210' },
    })
    expect(wrong.statusCode).toBe(401)
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })
    expect(ok.statusCode).toBe(200)
  })
})
