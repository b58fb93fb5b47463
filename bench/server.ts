// The server under test, run in a child process (see lib/spawn.ts) so it does not share an event loop
// with the load generator. BENCH_KIND=muster serves buildApp over DATABASE_URL (already migrated and
// seeded by the parent); BENCH_KIND=ping serves one bare Fastify route as the baseline.
// It sends { port } over IPC once listening, answers { type: 'stats' } with its RSS, heap and CPU time and,
// with BENCH_TRACE_SQL=1, { type: 'sql' } with the statements run since the last such message.
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { storeOptions } from '../src/server.js'
import { createStore } from '../src/store/database.js'
import { installSqlTrace, sqlCounts, sqlSamples } from './lib/trace-sql.js'

if (process.env.BENCH_TRACE_SQL) installSqlTrace()

async function start(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  if (process.env.BENCH_KIND === 'ping') {
    const app = Fastify({ logger: false })
    app.get('/ping', async () => ({ ok: true }))
    return { app, close: () => app.close() }
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' })
  const store = createStore(storeOptions(config))
  const app = await buildApp({ config, store, webRoot: null })
  return {
    app,
    close: async () => {
      await app.close()
      await store.close()
    },
  }
}

const { app, close } = await start()
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0

process.on('message', (message: { type?: string; id?: number }) => {
  if (message?.type === 'stats' || message?.type === 'stats-gc') {
    if (message.type === 'stats-gc') (globalThis as { gc?: () => void }).gc?.()
    const { rss, heapUsed } = process.memoryUsage()
    const { user, system } = process.cpuUsage()
    process.send?.({ type: 'stats', id: message.id, rss, heapUsed, cpuMs: (user + system) / 1000 })
  } else if (message?.type === 'sql') {
    process.send?.({ type: 'sql', id: message.id, counts: sqlCounts() })
  } else if (message?.type === 'sql-samples') {
    process.send?.({ type: 'sql-samples', id: message.id, samples: sqlSamples() })
  } else if (message?.type === 'stop') {
    close().finally(() => process.exit(0))
  }
})
// The parent going away (even killed) closes the IPC channel: never outlive it.
process.on('disconnect', () => {
  close().finally(() => process.exit(0))
})
process.send?.({ type: 'ready', port })
