// Errors raised before any route (by Node's HTTP parser, or while a body is read) are SCIM errors under
// the SCIM base, like every other error there (RFC 7644 §3.12), on real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { listenLocal, type RawResponse, rawRequest } from '../helpers/raw-http.js'

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
const SCIM_JSON = 'application/scim+json; charset=utf-8'
const BODY_LIMIT = 4096

function expectScimError(res: RawResponse, status: number) {
  expect(res.status, res.body).toBe(status)
  expect(res.headers['content-type']).toBe(SCIM_JSON)
  const body = JSON.parse(res.body)
  expect(body).toMatchObject({ schemas: [ERROR], status: String(status) })
  expect(body.detail).toEqual(expect.any(String))
  return body
}

describe.each(dialects)('errors before routing, on real sockets, on %s', (dialect) => {
  let t: TestApp
  let port: number
  beforeAll(async () => {
    t = await createTestApp(dialect, { BODY_LIMIT: String(BODY_LIMIT) })
    port = await listenLocal(t.app)
  })
  afterAll(() => t.close())

  const head = (method: string, path: string, extra = '') =>
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.secret}\r\n${extra}`

  it('headers over the limit are 431 as a SCIM error', async () => {
    const res = await rawRequest(port, [head('GET', `${SCIM}/Users`, `X-Big: ${'a'.repeat(20_000)}\r\n\r\n`)])
    const body = expectScimError(res, 431)
    expect(body.detail).toMatch(/headers are larger than the server accepts/)
    expect(res.headers.connection).toBe('close')
  })

  it('headers that overflow after the request line was read are still a SCIM 431', async () => {
    // The parser fails on the second chunk, which no longer holds the request line.
    const res = await rawRequest(
      port,
      [head('GET', `${SCIM}/Users`), `X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      {
        pauseMs: 50,
      },
    )
    expectScimError(res, 431)
  })

  it('outside the SCIM base the same 431 is the plain JSON error of the admin API', async () => {
    const res = await rawRequest(port, [head('GET', '/api/v1/users', `X-Big: ${'a'.repeat(20_000)}\r\n\r\n`)])
    expect(res.status).toBe(431)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(res.body)).toMatchObject({ error: 'headers_too_large' })
  })

  // Built when the tests are collected, before there is a key: the parser fails before any auth anyway.
  const bare = (method: string, path: string, extra: string) =>
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}`
  it.each([
    ['a control character in a header', bare('GET', `${SCIM}/Users`, 'X-Bad: a\u0001b\r\n\r\n')],
    ['an unknown method', `BREW ${SCIM}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`],
    [
      'a broken chunked body',
      bare(
        'POST',
        `${SCIM}/Users`,
        'Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      ),
    ],
    ['a request line that is not HTTP at all', 'hello there\r\n\r\n'],
  ])('a request the HTTP parser rejects (%s) is 400 as a SCIM error', async (_what, request) => {
    const body = expectScimError(await rawRequest(port, [request]), 400)
    expect(body.detail).toMatch(/^The HTTP request is malformed and could not be read \(HPE_\w+\)\.$/)
  })

  it('a body just over BODY_LIMIT is 413 as a SCIM error', async () => {
    const json = JSON.stringify({ userName: 'big@acme.test', title: 'x'.repeat(BODY_LIMIT) })
    const res = await rawRequest(port, [
      head(
        'POST',
        `${SCIM}/Users`,
        `Content-Type: application/scim+json\r\nContent-Length: ${json.length}\r\n\r\n`,
      ),
      json,
    ])
    expectScimError(res, 413)
  })

  it('a body far over the limit may be cut off, but the answer sent is a SCIM 413', async () => {
    const size = 8 * 1024 * 1024
    const chunks = Array.from({ length: size / 65_536 }, () => Buffer.alloc(65_536, 'x'))
    const res = await rawRequest(port, [
      head('POST', `${SCIM}/Users`, `Content-Type: application/scim+json\r\nContent-Length: ${size}\r\n\r\n`),
      ...chunks,
    ])
    expectScimError(res, 413)
  })

  it('a chunked body that grows past the limit is a SCIM 413', async () => {
    const chunk = `10000\r\n${'x'.repeat(65_536)}\r\n`
    const res = await rawRequest(port, [
      head(
        'POST',
        `${SCIM}/Users`,
        'Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n',
      ),
      ...Array.from({ length: 64 }, () => chunk),
      '0\r\n\r\n',
    ])
    expectScimError(res, 413)
  })

  it('the server keeps serving after each of these', async () => {
    const res = await rawRequest(port, [
      head('GET', `${SCIM}/ServiceProviderConfig`, 'Connection: close\r\n\r\n'),
    ])
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe(SCIM_JSON)
  })
})
