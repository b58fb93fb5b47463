// Muster servers in child processes (test/helpers/server-process.ts), for tests that run several
// processes on one database. Every child is remembered so afterAll can always stop them.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../..')
const SERVER = 'test/helpers/server-process.ts'

export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly port: number
  readonly output: string[]
}

/** Starts server-process.ts on the database and resolves with its port (bounded in time). */
export function startServer(
  url: string,
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '8',
      SERVER_PROCESS_TTL_MS: '120000',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output: string[] = []
  children.add(child)
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server process gave no port within ${timeoutMs} ms:\n${output.join('')}`))
    }, timeoutMs)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const match = /^PORT=(\d+)$/.exec(line)
      if (!match) return output.push(`${line}\n`)
      clearTimeout(timer)
      resolvePort({ process: child, port: Number(match[1]), output })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server process exited (${code ?? signal}) before listening:\n${output.join('')}`))
    })
  })
}

/** Every child started by this file, so afterAll can always stop them. */
const children = new Set<ChildProcessWithoutNullStreams>()

export async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  children.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pooled<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/** Stops every child this file started. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map(stopChild))
}
