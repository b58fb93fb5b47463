// The SCIM health summary of the API keys page: the last request the log holds, the refused and
// failed requests of the last day, and which client last used each key. Each is one indexed read:
// the newest row by events_platform (platform_id, id), a count over the partial index of errors
// (platform_id, created_at where status >= 400), and the platform's keys by api_keys_platform.
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

export interface ScimHealth {
  readonly lastRequest: {
    readonly id: number
    readonly at: string
    readonly method: string
    readonly path: string
    readonly status: number
    readonly apiKeyId: string | null
    readonly apiKeyName: string | null
  } | null
  readonly errors: { readonly since: string; readonly count: number }
  readonly keys: readonly {
    readonly id: string
    readonly name: string
    readonly truncated: string
    readonly lastUsedAt: string
    readonly lastClient: string | null
  }[]
}

const DAY_MS = 24 * 3600 * 1000

/** The count of refused or failed requests since a time (exported for its query-plan test). */
export function errorCount(db: Kysely<Database>, platformId: string, since: string) {
  return (
    db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('platform_id', '=', platformId)
      // A literal, not a parameter: only then may SQLite use the partial index (where status >= 400).
      .where('status', '>=', sql.lit(400))
      .where('created_at', '>=', since)
  )
}

export async function scimHealth(
  db: Kysely<Database>,
  platformId: string,
  now = Date.now(),
): Promise<ScimHealth> {
  const since = new Date(now - DAY_MS).toISOString()
  const [last, errors, keys] = await Promise.all([
    db
      .selectFrom('events')
      .leftJoin('api_keys', 'api_keys.id', 'events.api_key_id')
      .select([
        'events.id',
        'events.created_at',
        'events.method',
        'events.path',
        'events.status',
        'events.api_key_id',
        'api_keys.name',
      ])
      .where('events.platform_id', '=', platformId)
      .where('events.actor_type', '=', 'scim')
      .orderBy('events.id', 'desc')
      .limit(1)
      .executeTakeFirst(),
    errorCount(db, platformId, since).executeTakeFirstOrThrow(),
    db
      .selectFrom('api_keys')
      .select(['id', 'name', 'truncated', 'last_used_at', 'last_user_agent'])
      .where('platform_id', '=', platformId)
      .where('revoked_at', 'is', null)
      .where('last_used_at', 'is not', null)
      .orderBy('last_used_at', 'desc')
      .limit(20)
      .execute(),
  ])
  return {
    lastRequest: last
      ? {
          id: Number(last.id),
          at: last.created_at,
          method: last.method,
          path: last.path,
          status: Number(last.status),
          apiKeyId: last.api_key_id,
          apiKeyName: last.name,
        }
      : null,
    errors: { since, count: Number(errors.count) },
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      truncated: `sk-…${k.truncated}`,
      lastUsedAt: k.last_used_at ?? '',
      lastClient: k.last_user_agent,
    })),
  }
}
