// One Muster server in its own process, for tests that run several processes on one database.
// Run with `node --import tsx test/helpers/server-process.ts` and DATABASE_URL (and any other
// configuration) in the environment. It listens on 127.0.0.1 on a free port, prints `PORT=<n>` on
// stdout once it accepts connections, and exits on SIGTERM/SIGINT, when its stdin closes (the parent
// died) or after SERVER_PROCESS_TTL_MS (default 120 s), so a failed test never leaves it behind.
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/server.js'

const config = loadConfig()
const store = await openStore(config)
const app = await buildApp({ config, store, webRoot: null })
await app.listen({ port: 0, host: '127.0.0.1' })

let stopping = false
async function stop(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  const force = setTimeout(() => process.exit(code), 3000)
  force.unref()
  try {
    await app.close()
    await store.close()
  } finally {
    process.exit(code)
  }
}

process.once('SIGTERM', () => void stop(0))
process.once('SIGINT', () => void stop(0))
process.stdin.on('end', () => void stop(0))
process.stdin.on('error', () => void stop(0))
process.stdin.resume()
const ttl = Number(process.env.SERVER_PROCESS_TTL_MS ?? 120_000)
setTimeout(() => void stop(1), ttl).unref()

process.stdout.write(`PORT=${(app.server.address() as AddressInfo).port}\n`)
