// Resolving an API key costs a query on every SCIM request. Keys change rarely (created, revoked), so
// resolved keys are kept in memory while the database says no key can have changed:
// - SQLite: `PRAGMA data_version` of the writer's connection moves when another connection (another
//   process, the CLI) commits, and this process's own revocations clear the cache directly;
// - PostgreSQL: every revocation sends NOTIFY in its transaction; each process LISTENs on its own
//   connection and clears its cache when one arrives. While that connection is down (or not yet up)
//   nothing is cached.
// Unknown secrets are never cached, and the cache is bounded: least recently used keys leave first.
import type SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

export interface KeyIdentity {
  readonly keyId: string
  readonly platformId: string
}

export interface KeyCache {
  get(hash: string): KeyIdentity | undefined
  set(hash: string, identity: KeyIdentity): void
  /** Forgets every key (after a revocation in this process). */
  clear(): void
  close(): Promise<void>
}

/** Keys kept at most; far more than the keys a process sees, and a few hundred kilobytes. */
export const KEY_CACHE_SIZE = 10_000

export const KEY_CHANNEL = 'muster_api_keys'

/** An LRU map that is only trusted while `valid()` says nothing changed since it was filled. */
function boundedCache(valid: () => boolean, size = KEY_CACHE_SIZE) {
  const keys = new Map<string, KeyIdentity>()
  return {
    get(hash: string) {
      if (!valid()) {
        keys.clear()
        return undefined
      }
      const found = keys.get(hash)
      if (found) {
        keys.delete(hash)
        keys.set(hash, found)
      }
      return found
    },
    set(hash: string, identity: KeyIdentity) {
      if (!valid()) return
      if (keys.size >= size) keys.delete(keys.keys().next().value!)
      keys.set(hash, identity)
    },
    clear: () => keys.clear(),
  }
}

export function sqliteKeyCache(writer: SqliteDatabase.Database, size?: number): KeyCache {
  const version = writer.prepare('pragma data_version').pluck()
  let seen = version.get()
  const cache = boundedCache(() => {
    const now = version.get()
    if (now === seen) return true
    seen = now
    return false
  }, size)
  return { ...cache, close: async () => {} }
}

/** `connection`: the pool's connection options, so the listener reaches the same database. */
export function postgresKeyCache(connection: pg.ClientConfig, size?: number): KeyCache {
  let listening = false
  let closed = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  const cache = boundedCache(() => listening, size)

  const connect = async () => {
    const next = new pg.Client(connection)
    client = next
    const lost = () => {
      if (client !== next) return
      listening = false
      cache.clear()
      client = undefined
      next.end().catch(() => {})
      if (!closed) retry = setTimeout(connect, 1000).unref()
    }
    next.on('error', lost)
    next.on('end', lost)
    next.on('notification', () => cache.clear())
    try {
      await next.connect()
      await next.query(`listen ${KEY_CHANNEL}`)
      if (client !== next || closed) return
      cache.clear()
      listening = true
    } catch {
      lost()
    }
  }
  void connect()
  return {
    ...cache,
    close: async () => {
      closed = true
      listening = false
      clearTimeout(retry)
      const last = client
      client = undefined
      await last?.end().catch(() => {})
    },
  }
}
