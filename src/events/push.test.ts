// One push try (RFC 8935) against a real HTTP server on 127.0.0.1: what each answer means, and the
// guards of a try (no redirects, a bounded response, a time limit, the SSRF guard at connect time).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPusher } from './push.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

describe('push delivery of one SET', () => {
  const seen: { path: string; type: string | undefined; body: string }[] = []
  let handler: Handler = (_req, res) => res.writeHead(202).end()
  let base = ''
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({
        path: req.url ?? '',
        type: req.headers['content-type'],
        body: Buffer.concat(chunks).toString(),
      })
      handler(req, res)
    })
  })
  const pusher = createPusher({ allowLoopback: true, allowPrivate: false })

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    pusher.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const answer = (h: Handler) => {
    handler = h
    seen.length = 0
  }

  it('202 is delivered; the SET is POSTed as application/secevent+jwt', async () => {
    answer((_req, res) => res.writeHead(202).end())
    expect(await pusher.push(`${base}/events`, 'a.b.c', 2000)).toEqual({ outcome: 'delivered', status: 202 })
    expect(seen).toEqual([{ path: '/events', type: 'application/secevent+jwt', body: 'a.b.c' }])
  })

  it('a 400 with an RFC 8935 error code refuses the SET for good', async () => {
    answer((_req, res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ err: 'invalid_audience', description: 'not ours' })),
    )
    expect(await pusher.push(`${base}/events`, 'a.b.c', 2000)).toEqual({
      outcome: 'refused',
      status: 400,
      error: 'invalid_audience: not ours',
    })
  })

  it('a 400 without such a code, and a 503, are tried again', async () => {
    answer((_req, res) => res.writeHead(400).end('bad'))
    expect(await pusher.push(`${base}/events`, 'a.b.c', 2000)).toMatchObject({
      outcome: 'retry',
      status: 400,
    })
    answer((_req, res) => res.writeHead(503).end())
    expect(await pusher.push(`${base}/events`, 'a.b.c', 2000)).toEqual({
      outcome: 'retry',
      status: 503,
      error: 'HTTP 503',
    })
  })

  it('a redirect is not followed', async () => {
    answer((req, res) =>
      req.url === '/moved' ? res.writeHead(202).end() : res.writeHead(307, { location: '/moved' }).end(),
    )
    expect(await pusher.push(`${base}/events`, 'a.b.c', 2000)).toEqual({
      outcome: 'retry',
      status: 307,
      error: 'HTTP 307 (redirects are not followed)',
    })
    expect(seen.map((s) => s.path)).toEqual(['/events'])
  })

  it('a huge answer is not read to its end', async () => {
    const chunk = 'x'.repeat(64 * 1024)
    answer((_req, res) => {
      res.writeHead(503)
      // 64 MB if it were all read; the pusher stops after 16 KB.
      let left = 1024
      const more = () => {
        while (left-- > 0) if (!res.write(chunk)) return void res.once('drain', more)
        res.end()
      }
      more()
    })
    const result = await pusher.push(`${base}/events`, 'a.b.c', 5000)
    expect(result).toMatchObject({ outcome: 'retry', status: 503 })
    expect((result as { error: string }).error.length).toBeLessThan(300)
  })

  it('a receiver that does not answer in time is tried again', async () => {
    answer(() => {})
    const started = Date.now()
    expect(await pusher.push(`${base}/events`, 'a.b.c', 300)).toEqual({
      outcome: 'retry',
      error: 'no answer within 300 ms',
    })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('the SSRF guard refuses a name that resolves to a refused address, before connecting', async () => {
    const strict = createPusher({ allowLoopback: false, allowPrivate: false })
    try {
      answer((_req, res) => res.writeHead(202).end())
      const port = new URL(base).port
      const result = await strict.push(`http://localhost:${port}/events`, 'a.b.c', 2000)
      expect(result).toMatchObject({ outcome: 'retry' })
      expect((result as { error: string }).error).toMatch(/SSRF guard/)
      const literal = await strict.push(`http://10.0.0.1:${port}/events`, 'a.b.c', 2000)
      expect(literal).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/SSRF guard/) })
      expect(seen).toEqual([])
    } finally {
      strict.close()
    }
  })

  it('a scheme other than http and https is never sent', async () => {
    expect(await pusher.push('ftp://127.0.0.1/events', 'a.b.c', 2000)).toMatchObject({ outcome: 'retry' })
  })
})
