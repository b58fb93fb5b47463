// WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the commit that
// crosses the threshold, on the committing connection: copying the WAL back into the database and
// fsyncing it blocked the event loop (in a benchmark of user inserts, about half of each request's
// wall time). A worker thread with its own connection runs PASSIVE checkpoints instead, which never
// wait for readers or writers (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type SqliteDatabase from 'better-sqlite3'

/** WAL pages after which the writer checkpoints by itself: only if the worker falls behind or dies. */
const FALLBACK_PAGES = 10_000
const DEFAULT_PAGES = 1000

// CommonJS source, evaluated as the worker (no file to build or resolve at run time).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // Busy or locked: the next round tries again, and the writer's own threshold is the backstop.
  }
}, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  stop(): Promise<void>
}

export function startCheckpointer(
  writer: SqliteDatabase.Database,
  path: string,
  intervalMs = 200,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, path, intervalMs } })
  worker.unref()
  writer.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`)
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  // A worker that cannot run leaves checkpoints to the writer, as SQLite does by default.
  worker.once('error', () => {
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`)
  })
  return {
    async stop() {
      worker.postMessage('stop')
      const timeout = setTimeout(() => void worker.terminate(), 2000)
      await exited
      clearTimeout(timeout)
    },
  }
}
