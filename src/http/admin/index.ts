// The console's JSON API under /api/v1 (sessions and the rest arrive with the console).
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.js'
import type { Store } from '../../store/database.js'
import { setupRoutes } from './setup.js'

export interface AdminOptions {
  readonly store: Store
  readonly config: Config
}

export async function adminRoutes(app: FastifyInstance, { store, config }: AdminOptions): Promise<void> {
  await app.register(setupRoutes, { store, config })
}
