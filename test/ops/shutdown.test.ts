import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addStream } from '../../src/events/streams.js'
import { createApiKey } from '../../src/store/api-keys.js'
import { createStore } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { startReceiver } from '../helpers/set-receiver.js'

const dir = mkdtempSync(join(tmpdir(), 'muster-shutdown-'))
const url = `file:${join(dir, 'db.sqlite')}`
let child: ChildProcess | undefined
afterAll(() => {
  child?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Starts `src/main.ts` (what npm start runs) and resolves with its port once it listens. */
function start(env: Record<string, string> = {}): Promise<{ port: number; exited: Promise<number | null> }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '5000',
      ...env,
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

describe('graceful shutdown with event delivery under way', () => {
  it('lets the SET in flight finish, stops delivery and exits 0', async () => {
    const receiver = await startReceiver({ lifetimeMs: 60_000, maxRequests: 100 })
    try {
      const store = createStore({ url })
      await migrate(store.db)
      const platform = await createPlatform(store.db, 'Events')
      const { secret } = await createApiKey(store.db, platform.id, 'k')
      await addStream(
        store.db,
        { platformId: platform.id, push: receiver.url },
        { allowLoopback: true, allowPrivate: false },
        'http://127.0.0.1',
      )
      await store.close()
      // A slow receiver: the signal arrives while a SET is on its way.
      receiver.answer = () => ({ status: 202, delayMs: 1000 })
      const { port, exited } = await start({ EVENTS_ALLOW_LOOPBACK: '1', EVENTS_POLL_INTERVAL_MS: '20' })
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'event@acme.test' }),
      })
      expect(res.status).toBe(201)
      for (let i = 0; i < 100 && receiver.inFlight.size === 0; i++)
        await new Promise((r) => setTimeout(r, 20))
      expect(receiver.inFlight.size).toBe(1)
      const signalled = Date.now()
      child!.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(Date.now() - signalled).toBeLessThan(5000)
      // The delivery in flight was answered before the process left, and recorded as delivered.
      expect(receiver.received).toHaveLength(1)
      const after = createStore({ url })
      const states = await after.db.selectFrom('event_outbox').select('state').execute()
      await after.close()
      expect(states.map((r) => r.state)).toEqual(['delivered'])
    } finally {
      await receiver.close()
    }
  })
})
