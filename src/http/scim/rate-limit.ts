// Per-key rate limiting of the SCIM API (429 with Retry-After, rfc6585#section-4), and a brake on
// clients that keep presenting bad keys from one address, both counted by @fastify/rate-limit.
//
// The library counts requests in fixed windows, not a token bucket: a key may send RATE_LIMIT_BURST
// requests per window of RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND seconds, so on average at most
// RATE_LIMIT_PER_SECOND, and a burst of RATE_LIMIT_BURST at once. The checks are called from the SCIM
// scope's one onRequest hook, after authentication (the key is what is counted), instead of as a hook of
// every route: one hook per request is what the hot path pays for.
import rateLimit from '@fastify/rate-limit'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import type { Config } from '../../config.js'
import type { Metrics } from '../../metrics.js'
import { tooManyRequests } from '../../scim/errors.js'
import { SnapshotLocalStore } from './rate-limit-store.js'

type Limiter = ReturnType<FastifyInstance['createRateLimit']>
type Check = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

/**
 * The library's counter with its own options and store. Each lives in a scope of its own: the plugin
 * decorates the scope it is registered in, and the two limiters must not share one.
 */
async function limiter(app: FastifyInstance, options: rateLimit.RateLimitPluginOptions): Promise<Limiter> {
  let limit: Limiter | undefined
  await app.register(async (scope) => {
    await scope.register(rateLimit, { ...options, global: false })
    limit = scope.createRateLimit()
  })
  return limit!
}

/** RATE_LIMIT_* as the library's window: `max` requests per `timeWindow` ms. */
export function keyWindow(config: Config): { max: number; timeWindow: number } {
  const max = config.RATE_LIMIT_BURST
  return { max, timeWindow: Math.max(1, Math.round((max / config.RATE_LIMIT_PER_SECOND) * 1000)) }
}

/**
 * After bearer auth: counts the request against its key, in Redis when REDIS_URL is set (every process
 * draws from one count), else in this process. Throws 429; undefined when RATE_LIMIT_PER_SECOND is 0.
 * If Redis does not answer, requests are let through (`skipOnError`) and a warning is logged: a rate
 * limiter must not stop provisioning.
 */
export async function keyRateLimit(
  app: FastifyInstance,
  config: Config,
  metrics: Metrics,
): Promise<Check | undefined> {
  if (config.RATE_LIMIT_PER_SECOND === 0) return undefined
  const warn = throttledWarning(app.log)
  const redis = config.REDIS_URL ? redisClient(app, config.REDIS_URL, warn) : undefined
  const limit = await limiter(app, {
    ...keyWindow(config),
    keyGenerator: (request) => request.scim.keyId,
    skipOnError: true,
    ...(redis ? { redis, nameSpace: 'muster:rl:key:' } : { store: SnapshotLocalStore }),
  })
  return async function check(request, reply) {
    const result = await limit(request)
    if (result.isAllowed) return
    // A count always has a time to live; with skipOnError the library reports a store error as an
    // empty count (0 requests, ttl 0).
    if (result.ttl === 0) warn(undefined)
    if (!result.isExceeded) return
    metrics.rateLimited.inc({ reason: 'api_key' })
    reply.header('retry-after', String(result.ttlInSeconds))
    throw tooManyRequests(`Too many requests for this API key; retry after ${result.ttlInSeconds} s.`)
  }
}

/**
 * Failed authentications per client address, in this process, AUTH_FAILURES_PER_MINUTE per minute.
 * Only failures are counted, so an address that also carries a valid key is never blocked by it.
 */
export async function authFailureLimit(
  app: FastifyInstance,
  config: Config,
  metrics: Metrics,
): Promise<Check> {
  const limit = await limiter(app, {
    max: config.AUTH_FAILURES_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    store: SnapshotLocalStore,
  })
  return async function onFailure(request, reply) {
    const result = await limit(request)
    if (result.isAllowed || !result.isExceeded) return
    metrics.rateLimited.inc({ reason: 'auth_failures' })
    reply.header('retry-after', String(result.ttlInSeconds))
    throw tooManyRequests(
      `Too many failed authentications from this address; retry after ${result.ttlInSeconds} s.`,
    )
  }
}

/**
 * One client for the process; commands fail at once while it is disconnected instead of queuing. The
 * server waits for it (up to 2 s) before it serves, so the first requests are counted too.
 */
function redisClient(app: FastifyInstance, url: string, warn: (error: unknown) => void): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 })
  redis.on('error', warn)
  app.addHook('onReady', async () => {
    if (redis.status === 'ready') return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2000)
      redis.once('ready', done)
      function done() {
        clearTimeout(timer)
        redis.off('ready', done)
        resolve()
      }
    })
  })
  app.addHook('onClose', async () => redis.disconnect())
  return redis
}

/** At most one warning per 10 s: while Redis is down every request would otherwise log one. */
function throttledWarning(log: FastifyBaseLogger): (error: unknown) => void {
  let last = 0
  return (error) => {
    const now = Date.now()
    if (now - last < 10_000) return
    last = now
    log.warn(
      error ? { err: error } : {},
      'rate limiter: Redis is not answering; requests are let through uncounted',
    )
  }
}
