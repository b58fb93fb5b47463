// A Muster app on a fresh database with one platform and one API key, driven through app.inject.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { createApiKey } from '../../src/store/api-keys.js'
import type { Dialect, Store } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createTestStore } from './db.js'

export const SCIM = '/api/v1/scim/v2'

export interface TestApp {
  readonly app: FastifyInstance
  readonly store: Store
  readonly platformId: string
  readonly secret: string
  /** A SCIM request with the platform's key (override headers to send another). */
  scim(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

export async function createTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  {
    logStream,
    databaseUrl = false,
  }: {
    logStream?: NodeJS.WritableStream
    /** Puts the store's URL in the config, for parts that open connections of their own (a delivery thread). */
    databaseUrl?: boolean
  } = {},
): Promise<TestApp> {
  const store = await createTestStore(dialect)
  const config = testConfig({
    PUBLIC_URL: 'https://muster.test',
    ...(databaseUrl ? { DATABASE_URL: store.url } : {}),
    ...env,
  })
  const app = await buildApp({ config, store, ...(logStream ? { logStream } : {}) })
  const platform = await createPlatform(store.db, 'Acme')
  const { secret } = await createApiKey(store.db, platform.id, 'test')
  return {
    app,
    store,
    platformId: platform.id,
    secret,
    scim: (method, path, body, headers = {}) =>
      app.inject({
        method,
        url: SCIM + path,
        headers: {
          authorization: `Bearer ${secret}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    close: async () => {
      await app.close()
      await store.close()
    },
  }
}
