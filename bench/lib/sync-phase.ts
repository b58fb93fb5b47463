// The sync benchmark's building blocks: a phase runner (`concurrency` slots, each running one task at a
// time until the tasks are done or the phase's deadline passes), per-request-kind latency records, and a
// sampler of the server child's memory from /proc.

import { readFileSync } from 'node:fs'
import * as http from 'node:http'
import { type RequestSpec, send } from './load.js'
import { now } from './stats.js'

export interface Kind {
  readonly name: string
  readonly latencies: number[]
  ok: number
  failed: number
}

export class Recorder {
  readonly kinds = new Map<string, Kind>()
  readonly failures: string[] = []

  kind(name: string): Kind {
    let kind = this.kinds.get(name)
    if (!kind) {
      kind = { name, latencies: [], ok: 0, failed: 0 }
      this.kinds.set(name, kind)
    }
    return kind
  }

  fail(kind: Kind, message: string): void {
    kind.failed++
    if (this.failures.length < 10) this.failures.push(`${kind.name}: ${message.slice(0, 300)}`)
  }
}

export interface Client {
  /** Sends one request, records its latency under `kind`; returns the parsed body when the status is `expect`. */
  call(kind: string, spec: RequestSpec, expect: number): Promise<any>
  close(): void
}

/** Requests go to the servers' ports in turn (a round-robin load balancer in the client). */
export function client(
  ports: number | readonly number[],
  headers: Record<string, string>,
  concurrency: number,
  rec: Recorder,
): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const all = typeof ports === 'number' ? [ports] : ports
  let next = 0
  return {
    async call(name, spec, expect) {
      const kind = rec.kind(name)
      const port = all[next++ % all.length]!
      try {
        const res = await send(agent, port, { ...spec, headers })
        kind.latencies.push(res.ms)
        if (res.status !== expect) {
          rec.fail(kind, `${spec.method} ${spec.path}: ${res.status} ${res.body}`)
          return undefined
        }
        kind.ok++
        return res.body === '' ? {} : JSON.parse(res.body)
      } catch (error) {
        rec.fail(kind, `${spec.method} ${spec.path}: ${String(error)}`)
        return undefined
      }
    },
    close: () => agent.destroy(),
  }
}

export interface PhaseResult {
  readonly name: string
  readonly ms: number
  readonly done: number
  readonly aborted: boolean
}

/** Runs task(0..count-1) with `concurrency` in flight; stops starting new tasks after `limitMs`. */
export async function runPhase(
  name: string,
  count: number,
  concurrency: number,
  limitMs: number,
  task: (i: number) => Promise<void>,
): Promise<PhaseResult> {
  const started = now()
  let next = 0
  let done = 0
  let aborted = false
  const slot = async () => {
    while (next < count) {
      if (now() - started > limitMs) {
        aborted = true
        return
      }
      await task(next++)
      done++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, slot))
  return { name, ms: now() - started, done, aborted }
}

/** VmRSS and VmHWM (peak RSS) of a process, bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** Samples the server's RSS every 100 ms; `peak()` is the highest sample since the last call. */
export function rssSampler(pid: number): { peak(): number; stop(): void } {
  let peak = 0
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memory(pid).rss)
    } catch {}
  }, 100)
  return {
    peak() {
      let value = peak
      try {
        value = Math.max(value, memory(pid).rss)
      } catch {}
      peak = 0
      return value
    },
    stop: () => clearInterval(timer),
  }
}

export interface Summary {
  readonly requests: number
  readonly failed: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
}

/** Nearest-rank percentiles of the latencies; `requests` counts requests with or without an answer. */
export function summarise(kind: Pick<Kind, 'latencies' | 'ok' | 'failed'>): Summary {
  const sorted = Float64Array.from(kind.latencies).sort()
  const at = (p: number) =>
    sorted.length === 0 ? Number.NaN : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
  return {
    requests: kind.ok + kind.failed,
    failed: kind.failed,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: at(100),
  }
}

/** A deterministic permutation of 0..n-1 (mulberry32 + Fisher–Yates). */
export function shuffled(n: number, seed = 42): number[] {
  let a = seed >>> 0
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}
