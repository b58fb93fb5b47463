// Sign-in throttling: after a few failures, each further failure doubles how long that account and
// that address must wait before the next attempt. Counters live in this process's memory; with several
// processes behind a load balancer each keeps its own, which still bounds guessing to (processes ×
// the same slow rate) and needs no shared state.

export interface ThrottleOptions {
  /** Failures allowed before the first wait. */
  readonly freeFailures: number
  /** The first wait; each further failure doubles it. */
  readonly baseMs: number
  readonly maxMs: number
  /** A key with no failure for this long starts over. */
  readonly forgetMs: number
}

interface Entry {
  failures: number
  blockedUntil: number
  lastFailure: number
}

const MAX_ENTRIES = 50_000

export class Throttle {
  readonly #entries = new Map<string, Entry>()
  readonly #options: ThrottleOptions
  readonly #now: () => number

  constructor(options: ThrottleOptions, now: () => number = Date.now) {
    this.#options = options
    this.#now = now
  }

  /** Milliseconds to wait before this key may try again (0: may try now). */
  wait(key: string): number {
    const entry = this.#live(key)
    return entry ? Math.max(0, entry.blockedUntil - this.#now()) : 0
  }

  fail(key: string): void {
    const now = this.#now()
    const entry = this.#live(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now }
    entry.failures += 1
    entry.lastFailure = now
    const over = entry.failures - this.#options.freeFailures
    if (over >= 0) entry.blockedUntil = now + Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** over)
    // Re-insert so the map stays ordered by last failure; the oldest go first when it is full.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  reset(key: string): void {
    this.#entries.delete(key)
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry && this.#now() - entry.lastFailure > this.#options.forgetMs) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}

/** Per account: a person mistyping a few times is not slowed; a guesser soon is. */
export const accountThrottle = () =>
  new Throttle({ freeFailures: 3, baseMs: 1000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 })

/** Per address: more lenient, since many people may share one address. */
export const addressThrottle = () =>
  new Throttle({ freeFailures: 10, baseMs: 1000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 })
