// Push delivery of one SET (RFC 8935): POST application/secevent+jwt; 202 means delivered
// (rfc8935#section-2.2), a 400 with an error body refuses it for good (rfc8935#section-2.3),
// anything else is tried again later. Redirects are never followed, responses are read up to a
// bound, and each try has a time limit.
import * as http from 'node:http'
import * as https from 'node:https'
import { isIP } from 'node:net'
import { type AddressPolicy, guardedLookup, hostOf, refusal } from './ssrf.js'

export type PushResult =
  | { readonly outcome: 'delivered'; readonly status: number }
  | { readonly outcome: 'refused'; readonly status: number; readonly error: string }
  | { readonly outcome: 'retry'; readonly status?: number; readonly error: string }

/** rfc8935#section-2.4: the error codes of a SET refused by its recipient. */
const REFUSAL_CODES = new Set([
  'invalid_request',
  'invalid_key',
  'invalid_issuer',
  'invalid_audience',
  'authentication_failed',
  'access_denied',
])

const MAX_RESPONSE_BYTES = 16 * 1024

export interface Pusher {
  push(url: string, jwt: string, timeoutMs: number): Promise<PushResult>
  close(): void
}

export function createPusher(policy: AddressPolicy): Pusher {
  const lookup = guardedLookup(policy) as unknown as http.AgentOptions['lookup']
  const options = { keepAlive: true, maxSockets: 64, lookup }
  const agents = { http: new http.Agent(options), https: new https.Agent(options) }
  // A stream's URL is parsed and checked once, not for every SET (streams are few; the map is
  // dropped when it grows past them, e.g. after many URL changes).
  const targets = new Map<string, URL | PushResult>()
  const targetOf = (url: string): URL | PushResult => {
    let target = targets.get(url)
    if (target) return target
    target = check(url, policy)
    if (targets.size >= 1000) targets.clear()
    targets.set(url, target)
    return target
  }
  return {
    push(url, jwt, timeoutMs) {
      const target = targetOf(url)
      if (!(target instanceof URL)) return Promise.resolve(target)
      return send(target, jwt, timeoutMs, target.protocol === 'https:' ? agents.https : agents.http)
    },
    close() {
      agents.http.destroy()
      agents.https.destroy()
    },
  }
}

/** The URL to send to, or why not (an IP literal is connected to without a lookup: checked here). */
function check(url: string, policy: AddressPolicy): URL | PushResult {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return { outcome: 'retry', error: 'invalid URL' }
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:')
    return { outcome: 'retry', error: `unsupported scheme ${target.protocol}` }
  const host = hostOf(target)
  if (isIP(host)) {
    const why = refusal(host, policy)
    if (why) return { outcome: 'retry', error: `Refused by the SSRF guard: ${why}` }
  }
  return target
}

function send(url: URL, jwt: string, timeoutMs: number, agent: http.Agent): Promise<PushResult> {
  const body = Buffer.from(jwt)
  const request = url.protocol === 'https:' ? https.request : http.request
  return new Promise((resolve) => {
    let settled = false
    const done = (result: PushResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          'content-length': body.length,
          'user-agent': 'Muster-Events/1',
        },
      },
      (res: http.IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk)
          else res.destroy()
        })
        const finish = () => done(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')))
        res.on('end', finish)
        res.on('close', finish)
        res.on('error', finish)
      },
    )
    const timer = setTimeout(() => {
      req.destroy()
      done({ outcome: 'retry', error: `no answer within ${timeoutMs} ms` })
    }, timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ outcome: 'retry', error: `${error.code ?? 'error'}: ${error.message}` }),
    )
    req.end(body)
  })
}

export function classify(status: number, text: string): PushResult {
  if (status === 202) return { outcome: 'delivered', status }
  if (status === 400) {
    const body = parseJson(text)
    if (body && typeof body.err === 'string' && REFUSAL_CODES.has(body.err)) {
      const description = typeof body.description === 'string' ? `: ${body.description}` : ''
      return { outcome: 'refused', status, error: `${body.err}${description}`.slice(0, 500) }
    }
  }
  if (status >= 300 && status < 400)
    return { outcome: 'retry', status, error: `HTTP ${status} (redirects are not followed)` }
  return { outcome: 'retry', status, error: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}` }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
