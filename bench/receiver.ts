// A push receiver (RFC 8935) in its own process for the event benchmarks: answers 202 on 127.0.0.1,
// and over IPC reports how many SETs arrived, the lag of each (arrival − `toe`, the commit time),
// whether any resource's SETs arrived out of order (its `version` going down), and its own CPU.
//
// It shares the two cores with the server, so it does no more than the measurement needs: plain
// node:http, and each SET's claims decoded without a signature check (the HTTP tests verify every SET
// against the JWKS). About 41 µs of CPU per SET in bench/events-drain.ts, against about 60 for the
// tests' receiver (test/helpers/set-receiver.ts) that it replaced here.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const lags: number[] = []
const versions = new Map<string, number>()
let outOfOrder = 0
let count = 0

interface Claims {
  toe?: number
  sub_id?: { uri?: string }
  events?: Record<string, { version?: string }>
}

function received(jwt: string, at: number): boolean {
  const start = jwt.indexOf('.') + 1
  const end = jwt.indexOf('.', start)
  if (start === 0 || end < 0) return false
  let claims: Claims
  try {
    claims = JSON.parse(Buffer.from(jwt.slice(start, end), 'base64url').toString('utf8')) as Claims
  } catch {
    return false
  }
  count++
  const toe = Number(claims.toe)
  if (Number.isFinite(toe)) lags.push(at - toe * 1000)
  const uri = claims.sub_id?.uri ?? ''
  const payload = Object.values(claims.events ?? {})[0]
  const version = Number(/\d+/.exec(payload?.version ?? '')?.[0] ?? Number.NaN)
  if (Number.isFinite(version)) {
    if ((versions.get(uri) ?? 0) > version) outOfOrder++
    versions.set(uri, version)
  }
  return true
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
    if (received(body.toString('latin1'), Date.now())) response.writeHead(202).end()
    else response.writeHead(400, { 'content-type': 'application/json' }).end('{"err":"invalid_request"}')
  })
})
server.keepAliveTimeout = 5_000
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo
// A benchmark ends within hours; the receiver never outlives it.
setTimeout(() => process.exit(0), 3 * 3600_000).unref()

process.on('message', (message: { type?: string; id?: number }) => {
  if (message?.type === 'count') {
    process.send?.({ type: 'count', id: message.id, count })
  } else if (message?.type === 'stats') {
    const sorted = [...lags].sort((a, b) => a - b)
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0
    const cpu = process.cpuUsage()
    process.send?.({
      type: 'stats',
      id: message.id,
      count,
      resources: versions.size,
      outOfOrder,
      lagP50: at(0.5),
      lagP99: at(0.99),
      lagMax: sorted.at(-1) ?? 0,
      cpuMs: (cpu.user + cpu.system) / 1000,
    })
  } else if (message?.type === 'reset') {
    lags.length = 0
    count = 0
    process.send?.({ type: 'reset', id: message.id })
  } else if (message?.type === 'stop') {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  }
})
process.on('disconnect', () => process.exit(0))
process.send?.({ type: 'ready', port, url: `http://127.0.0.1:${port}/events` })
