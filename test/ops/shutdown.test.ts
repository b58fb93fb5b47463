import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { createStore } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'

const dir = mkdtempSync(join(tmpdir(), 'muster-shutdown-'))
const url = `file:${join(dir, 'db.sqlite')}`
let child: ChildProcess | undefined
afterAll(() => {
  child?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Starts `src/main.ts` (what npm start runs) and resolves with its port once it listens. */
function start(): Promise<{ port: number; exited: Promise<number | null> }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '5000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000)
    let out = ''
    child!.stdout!.on('data', (chunk) => {
      out += chunk
      const port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]
      if (port) {
        clearTimeout(timer)
        resolve({ port: Number(port), exited })
      }
    })
  })
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the request in flight, refuses new connections and exits 0', async () => {
    const store = createStore({ url })
    await migrate(store.db)
    const platform = await createPlatform(store.db, 'Acme')
    const { secret } = await createApiKey(store.db, platform.id, 'k')
    await store.close()

    const { port, exited } = await start()
    const body = JSON.stringify({ userName: 'inflight@acme.test' })
    const socket = connect(port, '127.0.0.1')
    let response = ''
    socket.on('data', (chunk) => {
      response += chunk
    })
    await new Promise((resolve) => socket.once('connect', resolve))
    // The request is under way (headers and half the body sent) when the signal arrives.
    socket.write(
      `POST /api/v1/scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\n` +
        `Content-Type: application/scim+json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
        body.slice(0, 10),
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    child!.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1')
      probe.once('error', () => resolve(true))
      probe.once('connect', () => {
        probe.destroy()
        resolve(false)
      })
    })
    socket.write(body.slice(10))
    await new Promise((resolve) => socket.once('close', resolve))
    expect(response).toMatch(/^HTTP\/1\.1 201/)
    expect(refused).toBe(true)
    expect(await exited).toBe(0)

    const after = createStore({ url })
    const saved = await after.db.selectFrom('users').select('email').execute()
    await after.close()
    expect(saved.map((u) => u.email)).toEqual(['inflight@acme.test'])
  })
})
