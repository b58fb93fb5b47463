// Starting and stopping the server: migrations, first start, listen, graceful shutdown.
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { type Config, publicOrigin } from './config.js'
import { SCIM_BASE } from './scim/base-path.js'
import { createStore, type DbOptions, ping, type Store } from './store/database.js'
import { migrate } from './store/migrations/index.js'
import { countPlatforms, createPlatform } from './store/platforms.js'
import { createSetupToken } from './store/setup-tokens.js'

/** The store's options from the configuration (also the benchmarks' server's). */
export function storeOptions(config: Config): DbOptions {
  return {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    sqliteMmapBytes: config.SQLITE_MMAP_SIZE,
  }
}

/** Opens and migrates the database; fails with a clear message when it cannot be reached. */
export async function openStore(config: Config): Promise<Store> {
  const store = createStore(storeOptions(config))
  try {
    await ping(store)
    await migrate(store.db)
  } catch (error) {
    await store.close().catch(() => {})
    throw error
  }
  return store
}

/**
 * On an empty database, creates the first platform and returns the banner that tells how to set up
 * its first admin. Two processes starting at once may both see zero; the loser's platform is harmless.
 */
export async function firstStart(store: Store, config: Config): Promise<string | undefined> {
  if ((await countPlatforms(store.db)) > 0) return undefined
  const platform = await createPlatform(store.db, 'Default')
  const token = await createSetupToken(store.db, platform.id)
  const origin = publicOrigin(config)
  return [
    '',
    'Muster is set up with a first platform. Create its first admin account here (the link works once):',
    `  ${origin}/setup/${token}`,
    '',
    `SCIM tenant URL for your identity provider: ${origin}${SCIM_BASE}`,
    'Create the secret token (an API key) in the console at /platform/security/api-keys,',
    `or with: npx muster api-key create --platform ${platform.id} --name entra`,
    '',
  ].join('\n')
}

export interface Running {
  readonly app: FastifyInstance
  readonly store: Store
  stop(): Promise<void>
}

export async function startServer(config: Config): Promise<Running> {
  const store = await openStore(config)
  const banner = await firstStart(store, config)
  const app = await buildApp({ config, store })
  await app.listen({ port: config.PORT, host: config.HOST })
  // The banner holds a one-time secret: it goes to the terminal (stderr), never to the JSON log.
  if (banner) process.stderr.write(`${banner}\n`)
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      await app.close()
      await store.close()
    })()
    return stopping
  }
  return { app, store, stop }
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish (bounded), close the database, exit 0. */
export function handleSignals(running: Running, graceMs = 10_000): void {
  const onSignal = (signal: NodeJS.Signals) => {
    running.app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      running.app.log.error('shutdown took too long; exiting')
      process.exit(1)
    }, graceMs)
    timer.unref()
    running.stop().then(
      () => process.exit(0),
      (error) => {
        running.app.log.error({ err: error }, 'error during shutdown')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}
