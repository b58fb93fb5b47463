// The sign-in log: one row per attempt (password, SAML, OIDC), accepted or refused with a stable
// reason code (sso/refusals.ts). It records who was presented and who matched, never a credential.
import type { Kysely } from 'kysely'
import type { Database, SignInMethod } from './schema.js'

export interface NewSignIn {
  readonly platformId: string | null
  readonly method: SignInMethod
  readonly subject?: string | undefined
  readonly userId?: string | undefined
  readonly outcome: 'accepted' | 'refused'
  readonly reason?: string | undefined
  readonly message: string
  readonly test?: boolean | undefined
  readonly requestId?: string | undefined
}

export async function recordSignIn(db: Kysely<Database>, event: NewSignIn): Promise<void> {
  await db
    .insertInto('sign_in_events')
    .values({
      platform_id: event.platformId,
      created_at: new Date().toISOString(),
      method: event.method,
      subject: event.subject?.slice(0, 320) ?? null,
      user_id: event.userId ?? null,
      outcome: event.outcome,
      reason: event.reason ?? null,
      message: event.message.slice(0, 1024),
      test: event.test ? 1 : 0,
      request_id: event.requestId ?? null,
    })
    .execute()
}

export interface SignInEvent {
  readonly id: number
  readonly createdAt: string
  readonly method: SignInMethod
  readonly subject: string | null
  readonly userId: string | null
  readonly userEmail: string | null
  readonly outcome: 'accepted' | 'refused'
  readonly reason: string | null
  readonly message: string
  readonly test: boolean
  readonly requestId: string | null
}

export interface SignInQuery {
  readonly outcome?: 'accepted' | 'refused' | undefined
  readonly method?: SignInMethod | undefined
  readonly limit: number
  readonly offset: number
}

export async function listSignIns(
  db: Kysely<Database>,
  platformId: string,
  query: SignInQuery,
): Promise<{ total: number; events: SignInEvent[] }> {
  let base = db.selectFrom('sign_in_events').where('sign_in_events.platform_id', '=', platformId)
  if (query.outcome) base = base.where('sign_in_events.outcome', '=', query.outcome)
  if (query.method) base = base.where('sign_in_events.method', '=', query.method)
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .leftJoin('users', (join) =>
        join.onRef('users.id', '=', 'sign_in_events.user_id').on('users.platform_id', '=', platformId),
      )
      .select([
        'sign_in_events.id',
        'sign_in_events.created_at',
        'sign_in_events.method',
        'sign_in_events.subject',
        'sign_in_events.user_id',
        'users.email as user_email',
        'sign_in_events.outcome',
        'sign_in_events.reason',
        'sign_in_events.message',
        'sign_in_events.test',
        'sign_in_events.request_id',
      ])
      .orderBy('sign_in_events.id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
  ])
  return {
    total: Number(count.n),
    events: rows.map((r) => ({
      id: Number(r.id),
      createdAt: r.created_at,
      method: r.method,
      subject: r.subject,
      userId: r.user_id,
      userEmail: r.user_email,
      outcome: r.outcome,
      reason: r.reason,
      message: r.message,
      test: Number(r.test) === 1,
      requestId: r.request_id,
    })),
  }
}

/** Deletes sign-in events created before `before`, in a bounded batch. Returns the number deleted. */
export async function pruneSignIns(db: Kysely<Database>, before: string, batch = 1000): Promise<number> {
  const result = await db
    .deleteFrom('sign_in_events')
    .where('id', 'in', (eb) =>
      eb.selectFrom('sign_in_events').select('id').where('created_at', '<', before).limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
