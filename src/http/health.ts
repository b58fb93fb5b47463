import type { FastifyInstance } from 'fastify'
import { ping, type Store } from '../store/database.js'

export async function healthRoutes(app: FastifyInstance, { store }: { store: Store }): Promise<void> {
  /** The process is up. */
  app.get('/healthz', async () => ({ status: 'ok' }))
  /** The database answers. */
  app.get('/readyz', async (request, reply) => {
    try {
      await ping(store)
      return { status: 'ok', database: store.dialect }
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed')
      return reply.code(503).send({ status: 'unavailable', database: store.dialect })
    }
  })
}
