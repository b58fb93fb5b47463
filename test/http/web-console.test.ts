import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import type { Store } from '../../src/store/database.js'
import { createTestStore } from '../helpers/db.js'

describe('console files', () => {
  let store: Store
  let root: string
  beforeAll(async () => {
    store = await createTestStore('sqlite')
    root = await mkdtemp(join(tmpdir(), 'muster-web-'))
    await mkdir(join(root, 'assets'))
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="root"></div>')
    await writeFile(join(root, 'assets', 'app-123.js'), 'console.log(1)')
  })
  afterAll(async () => {
    await store.close()
    await rm(root, { recursive: true, force: true })
  })

  it('serves index.html on / and on any deep link (reload works), with a strict CSP', async () => {
    const app = await buildApp({ config: testConfig(), store, webRoot: root })
    for (const url of [
      '/',
      '/platform/security/api-keys',
      '/platform/projects/abc?x=1',
      '/setup/sometoken',
    ]) {
      const res = await app.inject(url)
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.body).toContain('<div id="root">')
      expect(res.headers['content-security-policy']).toContain("default-src 'self'")
      expect(res.headers['referrer-policy']).toBe('no-referrer')
    }
    const asset = await app.inject('/assets/app-123.js')
    expect(asset.headers['cache-control']).toContain('immutable')
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404)
    const api = await app.inject('/api/v2/anything')
    expect(api.statusCode).toBe(404)
    expect(api.json().error).toBe('not_found')
    expect((await app.inject({ method: 'POST', url: '/platform/users' })).statusCode).toBe(404)
    await app.close()
  })

  it('says the console is not built when there is no build', async () => {
    const app = await buildApp({ config: testConfig(), store, webRoot: null })
    const res = await app.inject('/')
    expect(res.statusCode).toBe(200)
    expect(res.body).toMatch(/console is not built/)
    expect((await app.inject('/api/v1/nope')).json().error).toBe('not_found')
    await app.close()
  })
})
