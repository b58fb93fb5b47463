// Token buckets for per-key rate limits: in process memory by default, in Redis when REDIS_URL is set
// so that every process behind a load balancer draws from the same bucket.
import { Redis } from 'ioredis'

export interface TakeResult {
  readonly allowed: boolean
  /** Seconds until a token is available again (when not allowed). */
  readonly retryAfter: number
}

export interface Buckets {
  /** Synchronous for buckets in memory, so the hot path does not wait a tick for them. */
  take(key: string): TakeResult | Promise<TakeResult>
  close(): Promise<void>
}

export interface BucketOptions {
  /** Tokens added per second. */
  readonly rate: number
  /** Bucket size. */
  readonly burst: number
}

function retryAfter(tokens: number, rate: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / rate))
}

/** One process's buckets. Idle buckets are dropped once they would be full again. */
export function memoryBuckets({ rate, burst }: BucketOptions, now = () => Date.now()): Buckets {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const idleMs = (burst / rate) * 1000
  let lastSweep = now()
  return {
    take(key) {
      const t = now()
      if (t - lastSweep > Math.max(idleMs, 60_000)) {
        for (const [k, b] of buckets) if (t - b.at > idleMs) buckets.delete(k)
        lastSweep = t
      }
      const bucket = buckets.get(key) ?? { tokens: burst, at: t }
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * rate)
      bucket.at = t
      buckets.set(key, bucket)
      if (bucket.tokens < 1) return { allowed: false, retryAfter: retryAfter(bucket.tokens, rate) }
      bucket.tokens -= 1
      return { allowed: true, retryAfter: 0 }
    },
    async close() {},
  }
}

// Refill and take atomically in Redis; the server's clock is used so processes' clocks do not matter.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - updated) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
`

/**
 * Buckets shared through Redis. If Redis does not answer, requests are let through (and the caller
 * logs it): a rate limiter must not stop provisioning.
 */
export function redisBuckets(
  url: string,
  { rate, burst }: BucketOptions,
  onError: (error: unknown) => void,
): Buckets {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
  })
  redis.on('error', onError)
  return {
    async take(key) {
      try {
        const [allowed, tokens] = (await redis.eval(TAKE, 1, `muster:rl:${key}`, rate, burst)) as [
          number,
          string,
        ]
        return allowed === 1
          ? { allowed: true, retryAfter: 0 }
          : { allowed: false, retryAfter: retryAfter(Number(tokens), rate) }
      } catch (error) {
        onError(error)
        return { allowed: true, retryAfter: 0 }
      }
    },
    async close() {
      redis.disconnect()
    },
  }
}
