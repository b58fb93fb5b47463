// Bearer authentication of the SCIM base path: every request resolves to exactly one platform.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { unauthorized } from '../../scim/errors.js'
import { authenticateKey, createKeyToucher, type KeyIdentity } from '../../store/api-keys.js'
import type { Store } from '../../store/database.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The platform and key of an authenticated SCIM request. */
    scim: KeyIdentity
  }
}

/** The same answer for a missing, malformed, wrong or revoked key: nothing tells them apart. */
const rejected = () => unauthorized('A valid bearer token (a platform API key) is required.')

/** `onFailure` may throw instead (e.g. 429 for an address that keeps failing). */
export function bearerAuth(
  store: Store,
  onFailure: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
) {
  const toucher = createKeyToucher(store.db)
  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
    const identity = match?.[1] ? await authenticateKey(store, match[1]) : undefined
    if (!identity) {
      await onFailure(request, reply)
      throw rejected()
    }
    request.scim = identity
    toucher.touch(identity.keyId, request.headers['user-agent'], (error) =>
      request.log.warn({ err: error }, 'could not update last_used_at'),
    )
  }
  /** `flush` writes the queued "last used" times: call it before the store closes. */
  return Object.assign(authenticate, { flush: () => toucher.flush() })
}
