// Forks bench/receiver.ts (through tsx) and asks it for its figures over IPC.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const RECEIVER = fileURLToPath(new URL('../receiver.ts', import.meta.url))

export interface ReceiverStats {
  readonly count: number
  readonly resources: number
  readonly outOfOrder: number
  readonly lagP50: number
  readonly lagP99: number
  readonly lagMax: number
  /** The receiver process's CPU so far, ms (it shares the cores with the server). */
  readonly cpuMs: number
}

export interface BenchReceiver {
  readonly url: string
  readonly pid: number
  stats(): Promise<ReceiverStats>
  /** SETs received so far: cheap to ask often (stats() sorts every lag). */
  count(): Promise<number>
  /** Resolves once `count` SETs have arrived, polling; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<ReceiverStats>
  stop(): Promise<void>
}

export function startBenchReceiver(): Promise<BenchReceiver> {
  const child = fork(RECEIVER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  process.on('exit', () => child.kill('SIGKILL'))
  let nextId = 0
  const waiting = new Map<number, (m: any) => void>()
  child.on('message', (m: { id?: number }) => {
    if (m.id === undefined) return
    waiting.get(m.id)?.(m)
    waiting.delete(m.id)
  })
  const ask = <T>(type: string) =>
    new Promise<T>((done) => {
      const id = nextId++
      waiting.set(id, done)
      child.send({ type, id })
    })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)))
    child.once('message', (m: { type: string; url: string }) => {
      if (m.type !== 'ready') return reject(new Error('receiver did not start'))
      const stats = () => ask<ReceiverStats>('stats')
      const count = async () => (await ask<{ count: number }>('count')).count
      resolve({
        url: m.url,
        pid: child.pid!,
        stats,
        count,
        async waitFor(expected, timeoutMs) {
          const deadline = Date.now() + timeoutMs
          for (;;) {
            const received = await count()
            if (received >= expected) return stats()
            if (Date.now() > deadline)
              throw new Error(`receiver: ${received} of ${expected} SETs after ${timeoutMs} ms`)
            await new Promise((r) => setTimeout(r, 200))
          }
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.send({ type: 'stop' })
          }),
      })
    })
  })
}
