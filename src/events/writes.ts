// The delivery worker's writes. Inline, and on PostgreSQL from the delivery thread too, they run on
// the store at hand. From the delivery thread on SQLite they are sent to the main thread and run
// there (rpc below), so that a process writes to SQLite through one connection only: a second writing
// connection would make the main thread wait, blocked, in SQLite's busy handler whenever the thread
// held the write lock. There the thread only reads.
import type { MessagePort } from 'node:worker_threads'
import type { Store } from '../store/database.js'
import { type Outcome, recordOutcomes } from '../store/event-outbox.js'
import { recordFailure, recordSuccess, releaseLease, takeLease } from '../store/event-streams.js'
import type { EventStreamRow } from '../store/schema.js'

export interface Writes {
  takeLease(id: string, owner: string, until: string, now: string): Promise<boolean>
  releaseLease(id: string, owner: string): Promise<void>
  recordOutcomes(streamId: string, outcomes: readonly Outcome[]): Promise<void>
  recordSuccess(id: string, at: string): Promise<void>
  recordFailure(
    stream: EventStreamRow,
    failure: { error: string; retryAt: string; now: string; failed: boolean },
  ): Promise<void>
}

/** The writes on `store`, each in a transaction (on SQLite: sharing the group commit of requests). */
export function storeWrites(store: Store): Writes {
  return {
    takeLease: (id, owner, until, now) => store.transaction((trx) => takeLease(trx, id, owner, until, now)),
    releaseLease: (id, owner) => store.transaction((trx) => releaseLease(trx, id, owner)),
    recordOutcomes: (streamId, outcomes) =>
      store.transaction((trx) => recordOutcomes(trx, streamId, outcomes)),
    recordSuccess: (id, at) => store.transaction((trx) => recordSuccess(trx, id, at)),
    recordFailure: (stream, failure) => store.transaction((trx) => recordFailure(trx, stream, failure)),
  }
}

export type WriteRequest = { type: 'write'; id: number; op: keyof Writes; args: unknown[] }
export type WriteAnswer = { type: 'written'; id: number; value?: unknown; error?: string }

/** In the delivery thread: each write becomes a message to the main thread, answered when done. */
export function rpcWrites(port: MessagePort): Writes {
  let next = 0
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  port.on('message', (message: WriteAnswer) => {
    if (message?.type !== 'written') return
    const call = waiting.get(message.id)
    waiting.delete(message.id)
    if (message.error !== undefined) call?.reject(new Error(message.error))
    else call?.resolve(message.value)
  })
  const call =
    (op: keyof Writes) =>
    (...args: unknown[]) =>
      new Promise<any>((resolve, reject) => {
        const id = next++
        waiting.set(id, { resolve, reject })
        port.postMessage({ type: 'write', id, op, args } satisfies WriteRequest)
      })
  return {
    takeLease: call('takeLease'),
    releaseLease: call('releaseLease'),
    recordOutcomes: call('recordOutcomes'),
    recordSuccess: call('recordSuccess'),
    recordFailure: call('recordFailure'),
  }
}

/** On the main thread: runs a write the delivery thread asked for and answers it. */
export async function answerWrite(writes: Writes, request: WriteRequest): Promise<WriteAnswer> {
  try {
    const fn = writes[request.op] as (...args: unknown[]) => Promise<unknown>
    return { type: 'written', id: request.id, value: await fn(...request.args) }
  } catch (error) {
    return { type: 'written', id: request.id, error: (error as Error).message }
  }
}
