// Errors that Node's HTTP parser raises before Fastify sees a request: headers too large (431), a
// malformed request (400) or one that did not arrive in time (408). No request or reply exists yet, so
// the answer is written to the socket by hand (https://nodejs.org/api/http.html#event-clienterror).
//
// Under the SCIM base the answer is an RFC 7644 §3.12 error body as `application/scim+json`, like every
// other SCIM error. The path is known only when the parser's last chunk still holds the request line;
// when it does not (a request line that cannot be read, or headers that overflowed in a later chunk),
// the answer is SCIM too: the SCIM API is the one client here that reads error bodies, and a SCIM error
// is valid JSON for anyone. Only a request line that names another path gets the admin API's plain
// JSON error.
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { SCIM_BASE } from '../scim/base-path.js'
import { toErrorBody } from '../scim/errors.js'
import { SCIM_CONTENT_TYPE } from './scim/errors.js'

interface ClientError extends Error {
  readonly code?: string
  /** The chunk the parser was reading when it failed, a Buffer (may hold a bearer token: never logged). */
  readonly rawPacket?: unknown
}

/** The `error` codes of the admin API's plain JSON errors (src/http/admin/errors.ts) for other paths. */
const ADMIN_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  408: 'request_timeout',
  431: 'headers_too_large',
}

function detailOf(status: number, code: string | undefined): string {
  if (status === 431)
    return `The request line and headers are larger than the server accepts (${maxHeaderSize} bytes in all).`
  if (status === 408) return 'The request did not arrive in time.'
  return `The HTTP request is malformed and could not be read (${code ?? 'parse error'}).`
}

export function clientErrorHandler(this: FastifyInstance, error: ClientError, socket: Socket): void {
  // A reset connection has nobody to answer; a response already under way cannot take another.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent) {
    socket.destroy()
    return
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const target = requestTarget(error.rawPacket)
  const scim = target === undefined || isScimPath(target)
  const detail = detailOf(status, error.code)
  const body = scim
    ? JSON.stringify(toErrorBody(status, detail))
    : JSON.stringify({ error: ADMIN_CODES[status], message: detail })
  this.log.debug({ code: error.code, status }, 'HTTP client error')
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: ${scim ? SCIM_CONTENT_TYPE : 'application/json; charset=utf-8'}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
  // Whatever the client still sends is not read: close once the answer is out.
  socket.once('finish', () => socket.destroy())
}

/** The request target of the request line at the start of `packet`, when there is one. */
export function requestTarget(packet: unknown): string | undefined {
  if (!Buffer.isBuffer(packet)) return undefined
  const line = packet.subarray(0, 8192).toString('latin1').split(/\r?\n/, 1)[0] ?? ''
  // origin-form (`GET /path`) or absolute-form (`GET http://host/path`), rfc9112#section-3.2.
  const target = /^[!#$%&'*+.^_`|~\w-]+ (\/\S*|https?:\/\/\S+)/i.exec(line)?.[1]
  if (target === undefined) return undefined
  return /^https?:/i.test(target) ? target.replace(/^https?:\/\/[^/?#]*/i, '') || '/' : target
}

/** Whether a request target is under the SCIM base (case-insensitively, with `//` as `/`, like the router). */
export function isScimPath(target: string): boolean {
  const path = target
    .split('?', 1)[0]!
    .replace(/\/{2,}/g, '/')
    .toLowerCase()
  const base = SCIM_BASE.toLowerCase()
  return path === base || path.startsWith(`${base}/`)
}
