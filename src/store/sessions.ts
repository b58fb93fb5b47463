// Sessions. The cookie holds a random 32-byte token; the table holds only its SHA-256, so a leaked
// database does not hand out live sessions. A session is valid only while its user is ACTIVE, and it
// carries the user's platform role as it is *now*: the check is part of the one lookup on every
// request, so deactivation ends every session at once and the console (http/admin/session.ts) asks
// for ADMIN on each call. Deactivation and the loss of ADMIN end the user's sessions (users.ts):
// the rows stay, marked with why, until the person signs in again or they expire, so whoever still
// holds such a cookie is told why they were signed out (sessionEnd) rather than just sent away.
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { emailKey } from './columns.js'
import type { Database, PlatformRole, SessionEndReason } from './schema.js'

/** A session lives at most this long, however active. */
export const SESSION_MAX_MS = 7 * 24 * 3600 * 1000
/** A session not used for this long ends. */
export const SESSION_IDLE_MS = 12 * 3600 * 1000
/** last_seen_at is written at most this often, so reads do not each cost a write. */
const TOUCH_MS = 60_000

const hash = (token: string) => createHash('sha256').update(token).digest('hex')

export interface SessionIdentity {
  readonly sessionId: string
  readonly userId: string
  readonly platformId: string
  readonly email: string
  readonly displayName: string | null
  readonly platformName: string
  readonly platformRole: PlatformRole
}

export async function createSession(
  db: Kysely<Database>,
  userId: string,
  platformId: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const now = Date.now()
  await db
    .insertInto('sessions')
    .values({
      id: hash(token),
      user_id: userId,
      platform_id: platformId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + SESSION_MAX_MS).toISOString(),
      last_seen_at: new Date(now).toISOString(),
    })
    .execute()
  // Old sessions of this user that ran out or were ended are swept here rather than by a timer.
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([
        eb('ended_at', 'is not', null),
        eb('expires_at', '<=', new Date(now).toISOString()),
        eb('last_seen_at', '<=', new Date(now - SESSION_IDLE_MS).toISOString()),
      ]),
    )
    .execute()
  return token
}

/** The identity behind a live session token, or undefined (unknown, expired, idle, or the user is not ACTIVE). */
export async function findSession(
  db: Kysely<Database>,
  token: string,
  now = Date.now(),
): Promise<SessionIdentity | undefined> {
  if (token.length > 128) return undefined
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', (join) =>
      join.onRef('users.id', '=', 'sessions.user_id').onRef('users.platform_id', '=', 'sessions.platform_id'),
    )
    .innerJoin('platforms', 'platforms.id', 'sessions.platform_id')
    .select([
      'sessions.id as sessionId',
      'sessions.last_seen_at as lastSeenAt',
      'users.id as userId',
      'users.platform_id as platformId',
      'users.email as email',
      'users.display_name as displayName',
      'platforms.name as platformName',
      'users.platform_role as platformRole',
    ])
    .where('sessions.id', '=', hash(token))
    .where('sessions.expires_at', '>', new Date(now).toISOString())
    .where('sessions.last_seen_at', '>', new Date(now - SESSION_IDLE_MS).toISOString())
    .where('users.status', '=', 'ACTIVE')
    .where('sessions.ended_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  if (now - Date.parse(row.lastSeenAt) > TOUCH_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(now).toISOString() })
      .where('id', '=', row.sessionId)
      .execute()
  }
  const { lastSeenAt: _seen, ...identity } = row
  return identity
}

/** Sign-out: the session behind this token ends, whatever state its user is in. */
export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hash(token)).execute()
}

export interface SessionEnd {
  readonly reason: SessionEndReason
  /** The role the user was given, for 'role_changed'. */
  readonly role?: PlatformRole | null | undefined
  /** 'scim', 'console' or 'sso': who made the change, when known. */
  readonly by?: string | null | undefined
}

/** Ends every live session of a user (deactivation, loss of ADMIN), keeping why. */
export async function endUserSessions(db: Kysely<Database>, userId: string, end: SessionEnd): Promise<void> {
  await db
    .updateTable('sessions')
    .set({
      ended_at: new Date().toISOString(),
      ended_reason: end.reason,
      ended_role: end.role ?? null,
      ended_by: end.by ?? null,
    })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .execute()
}

/**
 * Before a user is deleted (their sessions go with them, by cascade): keeps why each of their
 * sessions ended, so the sign-in page can still tell them. A session that had ended already keeps
 * its earlier reason.
 */
export async function keepSessionEnds(db: Kysely<Database>, userId: string, by: string | undefined) {
  const now = new Date().toISOString()
  await db
    .insertInto('ended_sessions')
    .columns(['id', 'platform_id', 'ended_at', 'ended_reason', 'ended_role', 'ended_by', 'expires_at'])
    .expression((eb) =>
      eb
        .selectFrom('sessions')
        .select((s) => [
          'id',
          'platform_id',
          s.fn.coalesce('ended_at', s.val(now)).as('ended_at'),
          s.fn.coalesce('ended_reason', s.val('deleted')).as('ended_reason'),
          'ended_role',
          s
            .case()
            .when('ended_at', 'is', null)
            .then(s.val(by ?? null))
            .else(s.ref('ended_by'))
            .end()
            .as('ended_by'),
          'expires_at',
        ])
        .where('user_id', '=', userId)
        .where('expires_at', '>', now),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

/** Forgets why sessions of deleted users ended once the sign-in page no longer tells it. */
export async function pruneEndedSessions(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('ended_sessions')
    .where('ended_at', '<', new Date(now - SESSION_END_NOTICE_MS).toISOString())
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** How long the sign-in page keeps telling why a session ended. */
export const SESSION_END_NOTICE_MS = 24 * 3600 * 1000

/** Why the session behind this token was ended (within a day); undefined for any other token. */
export async function sessionEnd(
  db: Kysely<Database>,
  token: string,
  now = Date.now(),
): Promise<(SessionEnd & { readonly at: string }) | undefined> {
  if (token.length > 128) return undefined
  const since = new Date(now - SESSION_END_NOTICE_MS).toISOString()
  const until = new Date(now).toISOString()
  const ended = (table: 'sessions' | 'ended_sessions') =>
    db
      .selectFrom(table)
      .select(['ended_at', 'ended_reason', 'ended_role', 'ended_by'])
      .where('id', '=', hash(token))
      .where('ended_at', '>', since)
      .where('expires_at', '>', until)
      .executeTakeFirst()
  // A session of a deleted user is gone with the user; why it ended is kept in ended_sessions.
  const row = (await ended('sessions')) ?? (await ended('ended_sessions'))
  if (!row?.ended_at || !row.ended_reason) return undefined
  return { reason: row.ended_reason, role: row.ended_role, by: row.ended_by, at: row.ended_at }
}

export interface ConsoleAccount {
  readonly id: string
  readonly platformId: string
  readonly passwordHash: string | null
  readonly platformRole: string
  readonly status: string
}

/**
 * Accounts that may match a sign-in email. The same email can be an admin on several platforms;
 * the password decides which one signs in.
 */
export function findConsoleAccounts(db: Kysely<Database>, email: string): Promise<ConsoleAccount[]> {
  return db
    .selectFrom('users')
    .select([
      'id',
      'platform_id as platformId',
      'password_hash as passwordHash',
      'platform_role as platformRole',
      'status',
    ])
    .where('email_key', '=', emailKey(email))
    .where('password_hash', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(5)
    .execute()
}
