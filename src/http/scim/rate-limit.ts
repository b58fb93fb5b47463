// Per-key rate limiting of the SCIM API (429 with Retry-After, rfc6585#section-4), and a brake on
// clients that keep presenting bad keys from one address.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { type Buckets, memoryBuckets, type TakeResult } from '../../limits/token-bucket.js'
import type { Metrics } from '../../metrics.js'
import { tooManyRequests } from '../../scim/errors.js'

/**
 * After bearer auth: one token per request from the key's bucket. Throws 429; returns a promise only
 * when the buckets are remote (Redis).
 */
export function keyRateLimit(buckets: Buckets | undefined, metrics: Metrics) {
  const check = (reply: FastifyReply, { allowed, retryAfter }: TakeResult) => {
    if (allowed) return
    metrics.rateLimited.inc({ reason: 'api_key' })
    reply.header('retry-after', String(retryAfter))
    throw tooManyRequests(`Too many requests for this API key; retry after ${retryAfter} s.`)
  }
  return function limit(request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    if (!buckets) return
    const taken = buckets.take(`key:${request.scim.keyId}`)
    return taken instanceof Promise ? taken.then((result) => check(reply, result)) : check(reply, taken)
  }
}

/**
 * Failed authentications per client address, in this process. Only failures draw from the bucket, so
 * an address that also carries a valid key is never blocked by it.
 */
export function authFailureLimit(config: Config, metrics: Metrics) {
  const perMinute = config.AUTH_FAILURES_PER_MINUTE
  const buckets = memoryBuckets({ rate: perMinute / 60, burst: perMinute })
  return async function onFailure(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { allowed, retryAfter } = await buckets.take(request.ip)
    if (allowed) return
    metrics.rateLimited.inc({ reason: 'auth_failures' })
    reply.header('retry-after', String(retryAfter))
    throw tooManyRequests(`Too many failed authentications from this address; retry after ${retryAfter} s.`)
  }
}
