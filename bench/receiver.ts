// A push receiver (RFC 8935) in its own process for the event benchmarks: answers 202 on 127.0.0.1,
// and over IPC reports how many SETs arrived, the lag of each (arrival − `toe`, the commit time),
// and whether any resource's SETs arrived out of order (its `version` going down).
import { startReceiver } from '../test/helpers/set-receiver.js'

const receiver = await startReceiver({ lifetimeMs: 3 * 3600_000 })
const lags: number[] = []
const versions = new Map<string, number>()
let outOfOrder = 0
let count = 0
receiver.answer = (set) => {
  count++
  const toe = Number(set.claims.toe)
  if (Number.isFinite(toe)) lags.push(set.at - toe * 1000)
  const uri = set.claims.sub_id?.uri ?? ''
  const payload = Object.values(set.claims.events ?? {})[0] as { version?: string } | undefined
  const version = Number(/\d+/.exec(payload?.version ?? '')?.[0] ?? Number.NaN)
  if (Number.isFinite(version)) {
    if ((versions.get(uri) ?? 0) > version) outOfOrder++
    versions.set(uri, version)
  }
  return { status: 202 }
}
// Keep only counts, not the SETs themselves (a sync sends 200,000).
const record = receiver.received
record.push = () => record.length

process.on('message', (message: { type?: string; id?: number }) => {
  if (message?.type === 'stats') {
    const sorted = [...lags].sort((a, b) => a - b)
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0
    process.send?.({
      type: 'stats',
      id: message.id,
      count,
      resources: versions.size,
      outOfOrder,
      lagP50: at(0.5),
      lagP99: at(0.99),
      lagMax: sorted.at(-1) ?? 0,
    })
  } else if (message?.type === 'reset') {
    lags.length = 0
    count = 0
    process.send?.({ type: 'reset', id: message.id })
  } else if (message?.type === 'stop') {
    void receiver.close().finally(() => process.exit(0))
  }
})
process.on('disconnect', () => process.exit(0))
process.send?.({ type: 'ready', port: receiver.port, url: receiver.url })
