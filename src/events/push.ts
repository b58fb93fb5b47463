// Push delivery of one SET (RFC 8935): POST application/secevent+jwt; 202 means delivered
// (rfc8935#section-2.2), a 400 with an error body refuses it for good (rfc8935#section-2.3),
// anything else is tried again later. Redirects are never followed, responses are read up to a
// bound, and each try has a time limit.
import { isIP } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
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
const HEADERS = {
  'content-type': 'application/secevent+jwt',
  accept: 'application/json',
  'user-agent': 'Muster-Events/1',
}

export interface Pusher {
  push(url: string, jwt: string, timeoutMs: number): Promise<PushResult>
  close(): void
}

export function createPusher(policy: AddressPolicy): Pusher {
  // undici rather than node:http: a push costs the worker about a third less CPU (bench/REPORT.md).
  // Its connections are kept alive per origin; the guarded lookup checks each new connection's
  // addresses. One agent for http and https; its default never follows a redirect.
  const agent = new Agent({ connections: 64, connect: { lookup: guardedLookup(policy) } })
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
      return send(agent, target, jwt, timeoutMs)
    },
    close() {
      void agent.destroy()
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

/**
 * One try through undici's dispatch handler (no response stream is built: the answer is at most
 * MAX_RESPONSE_BYTES). The result is settled within `timeoutMs` whatever the receiver does; a request
 * still connecting then is aborted before it is sent.
 */
function send(agent: Dispatcher, url: URL, jwt: string, timeoutMs: number): Promise<PushResult> {
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined
    let settled = false
    let status = 0
    let text = ''
    let size = 0
    const done = (result: PushResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
      if (controller && !controller.aborted) controller.abort(new Error('push try settled'))
    }
    const failed = (error: Error) => {
      const { code, message } = error as NodeJS.ErrnoException
      done({ outcome: 'retry', error: `${code ?? 'error'}: ${message}` })
    }
    const timer = setTimeout(
      () => done({ outcome: 'retry', error: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    )
    const options: Dispatcher.DispatchOptions = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: HEADERS,
      body: jwt,
    }
    try {
      agent.dispatch(options, {
        onRequestStart(c) {
          controller = c
          if (settled) c.abort(new Error('push try settled'))
        },
        onResponseStart(_c, statusCode) {
          status = statusCode
        },
        onResponseData(_c, chunk) {
          size += chunk.length
          if (size > MAX_RESPONSE_BYTES) return done(classify(status, text))
          text += chunk.toString('utf8')
        },
        onResponseEnd() {
          controller = undefined
          done(classify(status, text))
        },
        onResponseError(_c, error) {
          failed(error)
        },
      })
    } catch (error) {
      failed(error as Error)
    }
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
