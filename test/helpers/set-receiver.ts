// A push receiver (RFC 8935) on 127.0.0.1 for tests and benchmarks: records each SET it is sent and
// answers as told (202 by default). Bounded: it stops by itself after `lifetimeMs` or `maxRequests`.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose'

export interface Received {
  readonly jwt: string
  readonly claims: JWTPayload & { sub_id?: { uri?: string }; events?: Record<string, any> }
  readonly kid: string | undefined
  readonly at: number
}

/** What to answer: a status and body, or 'drop' to cut the connection. */
export type Answer = { status: number; body?: string; delayMs?: number } | 'drop'

export interface Receiver {
  readonly url: string
  readonly port: number
  readonly received: Received[]
  /** Requests under way right now, and the most ever at once for one jti. */
  readonly inFlight: Map<string, number>
  overlaps: number
  answer: (set: Received) => Answer
  /** Resolves when `count` SETs were received (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>
  close(): Promise<void>
}

export async function startReceiver({
  port = 0,
  maxRequests = 1_000_000,
  lifetimeMs = 30 * 60_000,
}: {
  port?: number
  maxRequests?: number
  lifetimeMs?: number
} = {}): Promise<Receiver> {
  let requests = 0
  const waiters: { count: number; resolve: () => void }[] = []
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    inFlight: new Map(),
    overlaps: 0,
    answer: () => ({ status: 202 }),
    waitFor(count, timeoutMs = 10_000) {
      if (receiver.received.length >= count) return Promise.resolve(receiver.received)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`receiver: ${receiver.received.length} of ${count} SETs after ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve(receiver.received)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => clearTimeout(stop)),
  }
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    if (++requests > maxRequests) {
      res.destroy()
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const jwt = Buffer.concat(chunks).toString('utf8')
    let set: Received
    try {
      set = {
        jwt,
        claims: decodeJwt(jwt) as Received['claims'],
        kid: decodeProtectedHeader(jwt).kid,
        at: Date.now(),
      }
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"err":"invalid_request"}')
      return
    }
    const jti = String(set.claims.jti)
    const now = (receiver.inFlight.get(jti) ?? 0) + 1
    receiver.inFlight.set(jti, now)
    if (now > 1) receiver.overlaps++
    try {
      const answer = receiver.answer(set)
      if (answer === 'drop') {
        res.destroy()
        return
      }
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
      if (answer.status === 202) {
        receiver.received.push(set)
        for (const w of waiters.filter((w) => receiver.received.length >= w.count)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '')
    } finally {
      const left = (receiver.inFlight.get(jti) ?? 1) - 1
      if (left === 0) receiver.inFlight.delete(jti)
      else receiver.inFlight.set(jti, left)
    }
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: bound } = server.address() as AddressInfo
  Object.assign(receiver, { url: `http://127.0.0.1:${bound}/events`, port: bound })
  const stop = setTimeout(() => void receiver.close(), lifetimeMs)
  stop.unref()
  return receiver
}

/** The main event URI of a SET and its resource path, e.g. ['prov:patch:full', '/Groups/…']. */
export function summary(set: Received): [string, string] {
  const uri = Object.keys(set.claims.events ?? {})[0] ?? ''
  return [uri.replace('urn:ietf:params:scim:event:', ''), set.claims.sub_id?.uri ?? '']
}
