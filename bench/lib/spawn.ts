// Forks bench/server.ts and talks to it over IPC. The server runs as `npm start` runs Muster: compiled
// by tsc and run by plain node. Through tsx it would pay for esbuild's keepNames, which wraps every
// inner function in a `__name` call each time it is created (twice the CPU of a SCIM projection).
import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const PROJECT = fileURLToPath(new URL('../tsconfig.server.json', import.meta.url))
const SERVER = fileURLToPath(
  new URL('../../node_modules/.cache/muster-bench/bench/server.js', import.meta.url),
)
let built = false

/** Compiles bench/server.ts and the source it imports (once per benchmark run, about 15 s). */
function build(): void {
  if (built) return
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', PROJECT], { stdio: 'inherit' })
  built = true
}

export interface BenchServer {
  readonly port: number
  readonly pid: number
  /** The child's process.memoryUsage() rss and heapUsed (bytes) and CPU time used so far (ms). */
  stats(): Promise<ServerStats>
  /** The same after a full garbage collection, so that heapUsed is what is really held. */
  statsAfterGc(): Promise<ServerStats>
  /** With BENCH_TRACE_SQL=1: each statement run since start, with the values of one run of it. */
  sqlSamples(): Promise<{ sql: string; parameters: unknown[] }[]>
  /** With BENCH_TRACE_SQL=1: statements (by SQL text) run since the previous call. */
  sqlCounts(): Promise<Record<string, number>>
  stop(): Promise<void>
}

/**
 * The per-key rate limit (default 200/s) would cap one key far below the targets; a limit this high keeps
 * the limiter's code path in every request without ever answering 429.
 */
export const NO_RATE_LIMIT = { RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '10000000' }

export interface ServerStats {
  readonly rss: number
  readonly heapUsed: number
  readonly cpuMs: number
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * kind 'muster': the real app on env.DATABASE_URL; kind 'ping': a bare Fastify route.
 * BENCH_CPU_PROF=<dir> runs the muster child under --cpu-prof, writing its profile there on stop.
 */
export function startServer(kind: 'muster' | 'ping', env: Record<string, string> = {}): Promise<BenchServer> {
  build()
  const execArgv = ['--expose-gc']
  const profileDir = process.env.BENCH_CPU_PROF
  if (profileDir && kind === 'muster') execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
  const child = fork(SERVER, [], {
    execArgv,
    env: { ...process.env, ...env, BENCH_KIND: kind, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  live.add(child)
  let nextId = 0
  const waiting = new Map<number, (m: any) => void>()
  const ask = <T>(type: string) =>
    new Promise<T>((done) => {
      const id = nextId++
      waiting.set(id, done)
      child.send({ type, id })
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start in 30 s`)), 30_000)
    child.once('exit', (code) => {
      live.delete(child)
      clearTimeout(timer)
      reject(new Error(`${kind} server exited with ${code}`))
    })
    child.on('message', (message: { type: string; port?: number; id?: number }) => {
      if (message.type === 'ready') {
        clearTimeout(timer)
        resolve({
          port: message.port!,
          pid: child.pid!,
          stats: () => ask('stats'),
          statsAfterGc: () => ask('stats-gc'),
          sqlSamples: async () =>
            (await ask<{ samples: { sql: string; parameters: unknown[] }[] }>('sql-samples')).samples,
          sqlCounts: async () => (await ask<{ counts: Record<string, number> }>('sql')).counts,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done()
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
              child.once('exit', () => {
                clearTimeout(kill)
                done()
              })
              child.send({ type: 'stop' })
            }),
        })
      } else if (message.id !== undefined) {
        const done = waiting.get(message.id)
        waiting.delete(message.id)
        done?.(message)
      }
    })
  })
}
