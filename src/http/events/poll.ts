// One poll request (rfc8936#section-2.4): acknowledge, record the receiver's errors, then return
// up to maxEvents unacknowledged SETs, waiting for some when returnImmediately is false.
import type { Events } from '../../events/service.js'
import { outboxIdOf } from '../../events/set.js'
import { signRow } from '../../events/sign-row.js'
import type { Store } from '../../store/database.js'
import { acknowledge, markReturned, pendingRows, refuse } from '../../store/event-outbox.js'
import type { EventStreamRow } from '../../store/schema.js'

export interface PollRequest {
  readonly ack?: readonly string[] | undefined
  readonly setErrs?: Readonly<Record<string, { err: string; description?: string | undefined }>> | undefined
  readonly maxEvents?: number | undefined
  readonly returnImmediately?: boolean | undefined
}

const DEFAULT_MAX_EVENTS = 100
const WAIT_STEP_MS = 200

export async function poll(
  store: Store,
  events: Events,
  stream: EventStreamRow,
  body: PollRequest,
  { maxWaitMs, signal }: { maxWaitMs: number; signal: AbortSignal },
): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
  const acked = ids(body.ack ?? [])
  const errors = Object.entries(body.setErrs ?? {}).flatMap(([jti, e]) => {
    const id = outboxIdOf(jti)
    return id === undefined ? [] : [{ id, error: `${e.err}${e.description ? `: ${e.description}` : ''}` }]
  })
  if (acked.length || errors.length) {
    await store.transaction(async (trx) => {
      await acknowledge(trx, stream.id, acked)
      for (const e of errors) await refuse(trx, stream.id, e.id, e.error)
    })
  }
  const max = body.maxEvents ?? DEFAULT_MAX_EVENTS
  if (max === 0 || stream.status !== 'enabled') return { sets: {}, moreAvailable: false }
  const deadline =
    Date.now() + (body.returnImmediately === false || body.returnImmediately === undefined ? maxWaitMs : 0)
  for (;;) {
    const rows = await pendingRows(store.db, stream.id, max + 1)
    if (rows.length > 0 || Date.now() >= deadline || signal.aborted) {
      const page = rows.slice(0, max)
      const signer = await events.keys.signer()
      const sets: Record<string, string> = {}
      const filtered: number[] = []
      for (const row of page) {
        const jwt = await signRow(row, stream, signer, events.issuer)
        if (jwt === undefined) filtered.push(row.id)
        else sets[`${row.txn}-${row.id}`] = jwt
      }
      await store.transaction(async (trx) => {
        // Rows the stream's filter does not want are done; the others remember the key that signed them.
        await acknowledge(trx, stream.id, filtered)
        await markReturned(
          trx,
          stream.id,
          page.filter((r) => !filtered.includes(r.id)).map((r) => r.id),
          signer.kid,
        )
      })
      return { sets, moreAvailable: rows.length > max }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_STEP_MS, deadline - Date.now())))
  }
}

function ids(jtis: readonly string[]): number[] {
  return jtis.flatMap((jti) => {
    const id = outboxIdOf(jti)
    return id === undefined ? [] : [id]
  })
}
