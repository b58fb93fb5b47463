// A closed-loop HTTP load generator over node:http keep-alive: `concurrency` requests in flight, each
// worker sending its next request as soon as the previous answered, until a request count or a time
// limit is reached. It only ever talks to 127.0.0.1.
import * as http from 'node:http'
import { now } from './stats.js'

export interface RequestSpec {
  readonly method: string
  readonly path: string
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

export interface Response {
  readonly status: number
  readonly body: string
  /** Wall time from sending to the last byte of the body, ms. */
  readonly ms: number
}

/** One request on the given agent; rejects on a socket error or after timeoutMs. */
export function send(
  agent: http.Agent,
  port: number,
  spec: RequestSpec,
  timeoutMs = 30_000,
): Promise<Response> {
  const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body))
  const headers: Record<string, string | number> = { ...spec.headers }
  if (payload) {
    headers['content-type'] = 'application/scim+json'
    headers['content-length'] = payload.length
  }
  const started = now()
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, method: spec.method, path: spec.path, headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: now() - started,
          }),
        )
        res.on('error', reject)
      },
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${spec.path}`)))
    req.on('error', reject)
    req.end(payload)
  })
}

export interface LoadOptions {
  readonly port: number
  readonly concurrency: number
  /** Stop issuing new requests after this long. */
  readonly durationMs: number
  /** Stop issuing new requests after this many (default: unbounded, the time limit applies). */
  readonly maxRequests?: number
  /** Issue at most this many requests a second (request i not before i / rate s); default: no pacing. */
  readonly perSecond?: number
  /** The i-th request (i counts from 0 across all workers). */
  readonly request: (i: number) => RequestSpec
  /** The status that counts as success. */
  readonly expect: number
  /** An extra check of a successful response; called on every response whose status matches. */
  readonly verify?: (i: number, body: string) => boolean
}

export interface LoadResult {
  readonly requests: number
  readonly ok: number
  readonly failed: number
  readonly elapsedMs: number
  /** Successful responses per second of wall time. */
  readonly okPerSecond: number
  readonly latencies: number[]
  readonly statuses: Record<string, number>
  readonly firstFailure?: string
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY
  const started = now()
  const deadline = started + options.durationMs
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let issued = 0
  let ok = 0
  let firstFailure: string | undefined
  const worker = async () => {
    while (issued < max && now() < deadline) {
      const i = issued++
      if (options.perSecond) {
        const due = started + (i * 1000) / options.perSecond
        if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()))
      }
      try {
        const res = await send(agent, options.port, options.request(i))
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        latencies.push(res.ms)
        if (res.status === options.expect && (!options.verify || options.verify(i, res.body))) ok++
        else firstFailure ??= `${res.status} ${res.body.slice(0, 300)}`
      } catch (error) {
        statuses.error = (statuses.error ?? 0) + 1
        firstFailure ??= String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const elapsedMs = now() - started
  agent.destroy()
  return {
    requests: issued,
    ok,
    failed: issued - ok,
    elapsedMs,
    okPerSecond: (ok * 1000) / elapsedMs,
    latencies,
    statuses,
    ...(firstFailure ? { firstFailure } : {}),
  }
}

/** A load run plus the server CPU time it cost (a figure that the machine's noise hardly moves). */
export interface MeasuredRun extends LoadResult {
  /** Server process CPU time per successful request, µs. */
  readonly cpuUsPerOk: number
}

export async function measured(
  server: { stats(): Promise<{ cpuMs: number }> },
  run: () => Promise<LoadResult>,
): Promise<MeasuredRun> {
  const before = (await server.stats()).cpuMs
  const result = await run()
  const after = (await server.stats()).cpuMs
  return { ...result, cpuUsPerOk: ((after - before) * 1000) / Math.max(1, result.ok) }
}
