// The in-process store of @fastify/rate-limit, made safe for requests that arrive together.
//
// The library's LocalStore answers `incr` with its own mutable record of the key, and the library reads
// the count only after an `await`. Requests counted in one event-loop turn therefore all read the last
// count: twenty requests at once against a limit of five were all refused, none of them with the count
// it was given. This store hands the library a copy taken at once; the counting stays the library's.
import { createRequire } from 'node:module'

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

interface LibraryStore {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void
  read(key: string, callback: Callback, timeWindow: number, max: number): void
}

interface StoreOptions {
  readonly continueExceeding?: boolean
  readonly exponentialBackoff?: boolean
}

// Part of the package (store/LocalStore.js), though not in its type declarations.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => LibraryStore

export class SnapshotLocalStore {
  readonly #inner: LibraryStore

  /** `options` are the limiter's merged options (the library passes them as they are). */
  constructor(options: object) {
    const { continueExceeding = false, exponentialBackoff = false } = options as StoreOptions
    this.#inner = new LocalStore(continueExceeding, exponentialBackoff)
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.#inner.incr(key, snapshot(callback), timeWindow, max)
  }

  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.#inner.read(key, snapshot(callback), timeWindow, max)
  }

  child(options: object): SnapshotLocalStore {
    return new SnapshotLocalStore(options)
  }
}

function snapshot(callback: Callback): Callback {
  return (error, result) => callback(error, result && { current: result.current, ttl: result.ttl })
}
