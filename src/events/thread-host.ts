// Runs the delivery worker on a worker thread (see delivery-thread.ts) and stands in for it on the
// main thread: forwards nudges, turns the thread's reports into metrics and log lines, restarts the
// thread if it dies, and stops it on shutdown.
import { Worker } from 'node:worker_threads'
import type { Config } from '../config.js'
import type { ThreadMessage } from './delivery-thread.js'
import type { EventMetrics } from './metrics.js'
import type { Worker as DeliveryWorker, WorkerLog } from './worker.js'
import { answerWrite, type WriteRequest, type Writes } from './writes.js'

/**
 * The thread's young generation, capped: left to V8 it grows to its default maximum, which showed as
 * 45 MB more peak RSS during a 30,000-user sync with one stream (349 to 356 MB against 306) for no
 * CPU saved (bench/REPORT.md, Events out). The thread's garbage is short-lived (one round's rows).
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16 }

export function startThreadWorker(
  writes: Writes,
  config: Config,
  origin: string,
  metrics: EventMetrics,
  log: WorkerLog,
): DeliveryWorker {
  let stopping = false
  let thread: Worker
  let stopped: Promise<void> = Promise.resolve()

  const start = () => {
    // .js in the build; run from source (tsx: development, tests, benchmarks) the .ts file, which
    // the thread loads through the loader it inherits.
    const options = { workerData: { config, origin }, resourceLimits: RESOURCE_LIMITS }
    if (import.meta.url.endsWith('.ts')) {
      // Threads do not inherit tsx's module hooks: register them first, then load the thread's module.
      const tsx = import.meta.resolve('tsx/esm/api')
      const entry = new URL('./delivery-thread.ts', import.meta.url).href
      const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}) })`
      thread = new Worker(boot, { eval: true, ...options })
    } else {
      thread = new Worker(new URL('./delivery-thread.js', import.meta.url), options)
    }
    thread.unref()
    stopped = new Promise((resolve) => {
      thread.on('message', (message: ThreadMessage | WriteRequest) => {
        if (message.type === 'write') {
          void answerWrite(writes, message).then((answer) => thread.postMessage(answer))
        } else if (message.type === 'report') {
          if (message.delivered) metrics.deliveries.inc({ outcome: 'delivered' }, message.delivered)
          if (message.refused) metrics.deliveries.inc({ outcome: 'refused' }, message.refused)
          if (message.retry) metrics.deliveries.inc({ outcome: 'retry' }, message.retry)
          for (const lag of message.lags) metrics.lag.observe(lag)
        } else if (message.type === 'log') {
          log[message.level](message.object, message.message)
        } else if (message.type === 'stopped') {
          resolve()
        }
      })
      thread.once('exit', (code) => {
        resolve()
        if (stopping) return
        log.error({ code }, 'event delivery thread stopped; restarting it')
        setTimeout(() => !stopping && start(), 1000).unref()
      })
    })
    thread.on('error', (error) => log.error({ err: error }, 'event delivery thread failed'))
  }
  start()
  return {
    nudge: () => thread.postMessage('nudge'),
    async stop() {
      stopping = true
      thread.postMessage('stop')
      const timeout = setTimeout(() => void thread.terminate(), 15_000)
      await stopped
      clearTimeout(timeout)
    },
  }
}
