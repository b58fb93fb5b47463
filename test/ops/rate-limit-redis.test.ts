// The per-key rate limit through Redis (REDIS_URL): every process draws from one count, and a Redis
// that does not answer lets requests through with a warning in the log instead of stopping them.
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { REDIS_URL } from '../helpers/redis.js'

describe.each(dialects)('per-key rate limit in Redis on %s', (dialect) => {
  // Two Muster processes behind a load balancer: two apps on one database and one Redis.
  const env = { REDIS_URL, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '4' }
  let t: TestApp
  let other: FastifyInstance
  beforeAll(async () => {
    t = await createTestApp(dialect, env)
    other = await buildApp({
      config: testConfig({ PUBLIC_URL: 'https://muster.test', ...env }),
      store: t.store,
    })
  })
  afterAll(async () => {
    await other.close()
    await t.close()
  })

  const viaOther = () =>
    other.inject({ url: `${SCIM}/ServiceProviderConfig`, headers: { authorization: `Bearer ${t.secret}` } })

  it('both processes count against one limit per key', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 2; i++) statuses.push((await t.scim('GET', '/ServiceProviderConfig')).statusCode)
    for (let i = 0; i < 2; i++) statuses.push((await viaOther()).statusCode)
    expect(statuses).toEqual([200, 200, 200, 200])
    const fromFirst = await t.scim('GET', '/ServiceProviderConfig')
    const fromSecond = await viaOther()
    expect([fromFirst.statusCode, fromSecond.statusCode]).toEqual([429, 429])
    expect(Number(fromSecond.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(fromSecond.json()).toMatchObject({ status: '429' })
  })
})

describe.each(dialects)('a Redis that does not answer, on %s', (dialect) => {
  let t: TestApp
  const log = new PassThrough()
  let lines = ''
  log.on('data', (chunk) => {
    lines += chunk
  })
  beforeAll(async () => {
    // Nothing listens on port 1: every command fails.
    t = await createTestApp(
      dialect,
      {
        REDIS_URL: 'redis://127.0.0.1:1',
        RATE_LIMIT_PER_SECOND: '1',
        RATE_LIMIT_BURST: '2',
        LOG_LEVEL: 'warn',
      },
      { logStream: log },
    )
  })
  afterAll(() => t.close())

  it('lets every request through, and logs a warning', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await t.scim('GET', '/ServiceProviderConfig')).statusCode)
    expect(statuses).toEqual(Array(6).fill(200))
    const warnings = lines
      .split('\n')
      .filter((line) => line.includes('rate limiter: Redis is not answering'))
      .map((line) => JSON.parse(line))
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    // Throttled: not one line per request.
    expect(warnings.length).toBeLessThan(6)
    expect(warnings[0].level).toBe(40)
  })
})
