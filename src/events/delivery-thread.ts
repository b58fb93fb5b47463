// The push delivery worker on its own thread (EVENTS_WORKER=thread): signing SETs and
// talking HTTP to receivers costs a few hundred microseconds of CPU per SET, which on the main
// thread would be taken from SCIM requests. This thread has its own database connection (a second
// SQLite connection, or a small PostgreSQL pool) and reports metrics and log lines to the main thread.
import { parentPort, workerData } from 'node:worker_threads'
import type { Config } from '../config.js'
import { createStore } from '../store/database.js'
import { keyRingFor } from './keys.js'
import type { EventMetrics } from './metrics.js'
import { createPusher } from './push.js'
import { issuerFor } from './sign-row.js'
import { startWorker, type WorkerLog } from './worker.js'
import { rpcWrites, storeWrites } from './writes.js'

export type ThreadMessage =
  | { type: 'report'; delivered: number; refused: number; retry: number; lags: number[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; object: object; message: string }
  | { type: 'stopped' }

const { config, origin } = workerData as { config: Config; origin: string }
const port = parentPort
if (!port) throw new Error('delivery-thread.ts runs as a worker thread')
const send = (message: ThreadMessage) => port.postMessage(message)

// Counts go to the main thread twice a second, not one message per SET.
let report = { delivered: 0, refused: 0, retry: 0, lags: [] as number[] }
const flush = () => {
  if (report.delivered + report.refused + report.retry === 0) return
  send({ type: 'report', ...report })
  report = { delivered: 0, refused: 0, retry: 0, lags: [] }
}
const flusher = setInterval(flush, 500)
const metrics: EventMetrics = {
  deliveries: {
    inc: ({ outcome }) => {
      report[outcome as 'delivered' | 'refused' | 'retry'] += 1
    },
  },
  lag: {
    observe: (seconds) => {
      report.lags.push(seconds)
    },
  },
}
const errorOf = (object: object) =>
  'err' in object && object.err instanceof Error
    ? { ...object, err: { message: object.err.message, stack: object.err.stack } }
    : object
const log: WorkerLog = {
  info: (object, message) => send({ type: 'log', level: 'info', object: errorOf(object), message }),
  warn: (object, message) => send({ type: 'log', level: 'warn', object: errorOf(object), message }),
  error: (object, message) => send({ type: 'log', level: 'error', object: errorOf(object), message }),
}

// On SQLite the thread only reads and sends its writes to the main thread (writes.ts says why); on
// PostgreSQL it writes through its own pool, sparing the main thread's event loop the round trips.
const store = createStore({ url: config.DATABASE_URL, poolSize: 2, readOnly: true })
const pusher = createPusher({
  allowLoopback: config.EVENTS_ALLOW_LOOPBACK,
  allowPrivate: config.EVENTS_ALLOW_PRIVATE,
})
const worker = startWorker({
  store,
  writes: store.dialect === 'postgres' ? storeWrites(store) : rpcWrites(port),
  config,
  keys: keyRingFor(store, config),
  pusher,
  issuer: issuerFor(origin),
  metrics,
  log,
})

port.on('message', (message: string) => {
  if (message === 'nudge') worker.nudge()
  if (message !== 'stop') return
  void (async () => {
    await worker.stop()
    pusher.close()
    clearInterval(flusher)
    flush()
    await store.close()
    send({ type: 'stopped' })
    port.close()
  })()
})
