// The request and response bodies of logged SCIM writes, kept apart from the log (they are large and
// short-lived) and joined to an event by its request id. Written in batches (src/http/scim/bodies.ts).
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

export interface NewEventBody {
  readonly platformId: string
  readonly requestId: string
  readonly createdAt: string
  readonly requestBody: string | null
  readonly responseBody: string | null
}

/** Rows per INSERT: well under SQLite's 32,766 bound parameters with 5 columns each. */
const ROWS_PER_INSERT = 500

export async function insertEventBodies(
  db: Kysely<Database>,
  bodies: readonly NewEventBody[],
): Promise<void> {
  if (bodies.length === 0) return
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < bodies.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('event_bodies')
        .values(
          bodies.slice(i, i + ROWS_PER_INSERT).map((b) => ({
            platform_id: b.platformId,
            request_id: b.requestId,
            created_at: b.createdAt,
            request_body: b.requestBody,
            response_body: b.responseBody,
          })),
        )
        .execute()
    }
  })
}

export async function getEventBodies(
  db: Kysely<Database>,
  platformId: string,
  requestId: string,
): Promise<{ request: string | null; response: string | null } | undefined> {
  const row = await db
    .selectFrom('event_bodies')
    .select(['request_body', 'response_body'])
    .where('platform_id', '=', platformId)
    .where('request_id', '=', requestId)
    .orderBy('id', 'desc')
    .executeTakeFirst()
  return row && { request: row.request_body, response: row.response_body }
}

/** Deletes bodies stored before `before`, at most `batch` rows; returns the number deleted. */
export async function pruneEventBodies(db: Kysely<Database>, before: string, batch = 1000): Promise<number> {
  const result = await db
    .deleteFrom('event_bodies')
    .where('id', 'in', (eb) =>
      eb.selectFrom('event_bodies').select('id').where('created_at', '<', before).limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
