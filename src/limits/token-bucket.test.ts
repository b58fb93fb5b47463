import { describe, expect, it } from 'vitest'
import { memoryBuckets, redisBuckets } from './token-bucket.js'

describe('memory token bucket', () => {
  it('allows a burst, then refuses with Retry-After, then refills at the rate', async () => {
    let now = 0
    const buckets = memoryBuckets({ rate: 2, burst: 3 }, () => now)
    for (let i = 0; i < 3; i++) expect((await buckets.take('k')).allowed).toBe(true)
    const refused = await buckets.take('k')
    expect(refused).toEqual({ allowed: false, retryAfter: 1 })
    now += 500
    expect((await buckets.take('k')).allowed).toBe(true)
    expect((await buckets.take('other')).allowed).toBe(true)
  })
})

describe('Redis token bucket', () => {
  it('is shared by two clients (as by two processes)', async () => {
    const errors: unknown[] = []
    // A refill rate so slow that a loaded machine cannot refill a token between the takes.
    const options = { rate: 0.01, burst: 2 }
    const a = redisBuckets('redis://127.0.0.1:6379', options, (e) => errors.push(e))
    const b = redisBuckets('redis://127.0.0.1:6379', options, (e) => errors.push(e))
    const key = `test-${Math.random()}`
    try {
      await new Promise((r) => setTimeout(r, 100))
      expect((await a.take(key)).allowed).toBe(true)
      expect((await b.take(key)).allowed).toBe(true)
      expect((await a.take(key)).allowed).toBe(false)
      expect((await b.take(key)).allowed).toBe(false)
      expect(errors).toEqual([])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('lets requests through when Redis is unreachable', async () => {
    const errors: unknown[] = []
    const buckets = redisBuckets('redis://127.0.0.1:1', { rate: 1, burst: 1 }, (e) => errors.push(e))
    expect((await buckets.take('k')).allowed).toBe(true)
    expect(errors.length).toBeGreaterThan(0)
    await buckets.close()
  })
})
