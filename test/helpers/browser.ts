// A real Muster on 127.0.0.1 (fresh SQLite file, first start done) and a headless Debian Chromium
// with a throwaway profile, for the browser tests. Never downloads a browser.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { DEFAULT_WEB_ROOT } from '../../src/http/web.js'
import { firstStart } from '../../src/server.js'
import { createStore, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots')

export interface Running {
  readonly origin: string
  readonly setupToken: string
  readonly app: FastifyInstance
  readonly store: Store
  /** The server's database, for a `muster …` command run beside it. */
  readonly databaseUrl: string
  readonly context: BrowserContext
  readonly page: Page
  screenshot(name: string): Promise<void>
  close(): Promise<void>
}

export async function startMusterAndBrowser(env: Record<string, string> = {}): Promise<Running> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`)
  if (!existsSync(join(DEFAULT_WEB_ROOT, 'index.html')))
    throw new Error('The console is not built: run `npm run build`.')
  const dir = await mkdtemp(join(tmpdir(), 'muster-e2e-'))
  const databaseUrl = `file:${join(dir, 'muster.db')}`
  const store = createStore({ url: databaseUrl })
  await migrate(store.db)
  const config = testConfig(env)
  const banner = await firstStart(store, config)
  const setupToken = /\/setup\/([\w-]+)/.exec(banner ?? '')?.[1]
  if (!setupToken) throw new Error(`No setup link in the first-start banner: ${banner}`)
  const app = await buildApp({ config, store })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('The server has no TCP address')
  const origin = `http://127.0.0.1:${address.port}`

  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(15_000)
  await mkdir(SCREENSHOTS, { recursive: true })

  return {
    origin,
    setupToken,
    app,
    store,
    databaseUrl,
    context,
    page,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
    },
    close: async () => {
      await context.close().catch(() => {})
      await app.close()
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
