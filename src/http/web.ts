// Serves the console (the Vite build in dist/web) at /. Any GET outside /api/ that is not a file gets
// index.html, so a reload on a deep link like /platform/users works. Without a build (unit tests, a
// checkout before `npm run build`) / says so in plain text.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** dist/web, from both src/http (tests) and dist/http (built). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url))

const NOT_BUILT = 'Muster is running, but the console is not built. Run `npm run build` and restart.\n'

// The console loads only its own files; the setup link's token must not leak through Referer.
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

export async function webRoutes(app: FastifyInstance, { root }: { root: string | null }): Promise<void> {
  const built = root !== null && existsSync(join(root, 'index.html'))

  const apiNotFound = (request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `No endpoint at ${request.method} ${request.url.split('?')[0]}.` })

  if (!built) {
    app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(NOT_BUILT))
    app.setNotFoundHandler(apiNotFound)
    return
  }

  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    cacheControl: false,
    // Vite names assets by content hash, so they never change; index.html must always be fresh.
    setHeaders: (res, path) => {
      const immutable = path.includes(`${join('/', 'assets', '/')}`)
      res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      if (path.endsWith('.html'))
        for (const [name, value] of Object.entries(HTML_HEADERS)) res.setHeader(name, value)
    },
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const page = (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/api/')
    if (!page || path.startsWith('/assets/')) return apiNotFound(request, reply)
    return reply.headers({ ...HTML_HEADERS, 'cache-control': 'no-cache' }).sendFile('index.html')
  })
}
