// What a change writes for the event outbox (EVENTS.md "Nothing is lost"), in the change's own
// transaction: the journal row, one outbox row per stream that wants the change, and the facts the
// event's record needs (effective roles). Delivery, polling and pruning are in event-outbox.ts.
import { randomUUID } from 'node:crypto'
import type { Insertable, Kysely, QueryCreator } from 'kysely'
import { sql } from 'kysely'
import { isPostgres } from './dialect.js'
import { EVENT_COLUMNS, insertEventRow } from './events.js'
import { prepare } from './prepared.js'
import type {
  Database,
  EventOutboxTable,
  EventTable,
  PlatformRole,
  ProjectRole,
  UserRow,
  UserStatus,
} from './schema.js'
import { USER_COLUMNS, userInsertValues } from './users.js'

export interface OutboxEntry {
  readonly platformId: string
  readonly resourceType: 'User' | 'Group' | 'Stream'
  readonly resourceId: string
  /** The operations of the change (`create`, `patch`, `deactivate`, …), for the streams' filters. */
  readonly ops: readonly string[]
  readonly payload: string
}

/** An outbox row's own values, and the two operations a stream's filter may name (`%,op,%`). */
type FanOutValues = Pick<
  EventOutboxTable,
  'platform_id' | 'txn' | 'created_at' | 'resource_type' | 'resource_id' | 'payload'
> & { op1: string; op2: string }

const OUTBOX_COLUMNS = [
  'stream_id',
  'platform_id',
  'txn',
  'created_at',
  'resource_type',
  'resource_id',
  'payload',
  'state',
] as const

// One statement for every stream of the platform: no stream, no row, and no second round trip.
// A stream wants the change when it filters nothing or names one of its (at most two) operations.
function streamsWanting(db: Kysely<Database>, v: FanOutValues) {
  return db
    .selectFrom('event_streams')
    .select((eb) => [
      'event_streams.id',
      eb.val(v.platform_id).as('platform_id'),
      eb.val(v.txn).as('txn'),
      eb.val(v.created_at).as('created_at'),
      eb.val(v.resource_type).as('resource_type'),
      eb.val(v.resource_id).as('resource_id'),
      eb.val(v.payload).as('payload'),
      sql.lit('pending').as('state'),
    ])
    .where('event_streams.platform_id', '=', v.platform_id)
    .where((w) =>
      w.or([
        w('event_streams.event_ops', 'is', null),
        w('event_streams.event_ops', 'like', v.op1),
        w('event_streams.event_ops', 'like', v.op2),
      ]),
    )
}

const fanOut = prepare((db, v: FanOutValues) =>
  db.insertInto('event_outbox').columns(OUTBOX_COLUMNS).expression(streamsWanting(db, v)),
)

/** Writes the entry for every stream of its platform that wants it; returns the number of rows. */
export async function insertOutbox(db: Kysely<Database>, entry: OutboxEntry): Promise<number> {
  const result = await db.executeQuery(fanOut(db, fanOutValues(entry)))
  return Number(result.numAffectedRows ?? 0n)
}

function fanOutValues(entry: OutboxEntry): FanOutValues {
  const [first = '', second = first] = entry.ops
  return {
    platform_id: entry.platformId,
    txn: randomUUID().replaceAll('-', ''),
    created_at: new Date().toISOString(),
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    payload: entry.payload,
    op1: `%,${first},%`,
    op2: `%,${second},%`,
  }
}

type EventColumn = (typeof EVENT_COLUMNS)[number]
type JournalValues = FanOutValues & Record<`e_${EventColumn}`, unknown>

/** The columns of one row, from values named `${prefix}${column}`. */
function rowOf(columns: readonly string[], prefix: string, v: object): never {
  return Object.fromEntries(columns.map((c) => [c, v[`${prefix}${c}` as keyof typeof v]])) as never
}

/**
 * PostgreSQL: the journal row and the outbox rows of a change in one statement (a data-modifying
 * WITH), one round trip fewer for every write. SQLite has no INSERT inside WITH, and no round trip.
 * `qc` may carry a first data-modifying WITH of its own (see userJournalAndFanOut).
 */
function journalThenFanOut(qc: QueryCreator<Database>, db: Kysely<Database>, v: JournalValues) {
  return qc
    .with('journal', (qb) => qb.insertInto('events').values(rowOf(EVENT_COLUMNS, 'e_', v)))
    .insertInto('event_outbox')
    .columns(OUTBOX_COLUMNS)
    .expression(streamsWanting(db, v))
}

const journalAndFanOut = prepare((db, v: JournalValues) => journalThenFanOut(db, db, v))

function journalValues(event: Insertable<EventTable>, entry: OutboxEntry): JournalValues {
  const values = { ...fanOutValues(entry) } as JournalValues
  for (const c of EVENT_COLUMNS) values[`e_${c}`] = event[c]
  return values
}

/**
 * The journal row of a change and its outbox rows (none when the change owes no SET): one statement
 * on PostgreSQL, two on SQLite (in-process, no round trip to save).
 */
export async function insertEventAndOutbox(
  db: Kysely<Database>,
  event: Insertable<EventTable>,
  entry: OutboxEntry | undefined,
): Promise<void> {
  if (entry && isPostgres(db)) {
    await db.executeQuery(journalAndFanOut(db, journalValues(event, entry)))
    return
  }
  await insertEventRow(db, event)
  if (entry) await insertOutbox(db, entry)
}

/**
 * PostgreSQL, a user created over SCIM: the user row, its journal row and its outbox rows in one
 * statement, which is its own transaction (a statement is atomic). One round trip for Entra's POST
 * instead of four (begin, the user, the journal, commit). A duplicate userName fails the statement
 * with the users_email_key violation, as the separate insert did.
 */
const userJournalAndFanOut = prepare((db, v: JournalValues & Record<`u_${UserColumn}`, unknown>) =>
  journalThenFanOut(
    // A named WITH adds its name to the query's tables; journalThenFanOut needs none of them.
    db.with('user', (qb) =>
      qb.insertInto('users').values(rowOf(USER_COLUMNS, 'u_', v)),
    ) as unknown as QueryCreator<Database>,
    db,
    v,
  ),
)

type UserColumn = (typeof USER_COLUMNS)[number]

export async function insertUserAndJournal(
  db: Kysely<Database>,
  user: UserRow,
  event: Insertable<EventTable>,
  entry: OutboxEntry,
): Promise<void> {
  const values = journalValues(event, entry) as JournalValues & Record<`u_${UserColumn}`, unknown>
  const row = userInsertValues(user)
  for (const c of USER_COLUMNS) values[`u_${c}`] = row[c]
  await db.executeQuery(userJournalAndFanOut(db, values))
}

/** A user's memberships, for the effective roles of a user whose platform role or status changed. */
export async function membershipsOf(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('project_members')
    .select(['project_id', 'role'])
    .where('user_id', '=', userId)
    .orderBy('project_id')
    .execute() as Promise<{ project_id: string; role: ProjectRole }[]>
}

const userStates = prepare((db, v: { platform_id: string; id: string }) =>
  db
    .selectFrom('users')
    .select(['id', 'platform_role', 'status'])
    .where('platform_id', '=', v.platform_id)
    .where('id', '=', v.id),
)

/** Platform role and status of the given users (of one platform). */
export async function userStatesOf(
  db: Kysely<Database>,
  platformId: string,
  ids: readonly string[],
): Promise<Map<string, { platform_role: PlatformRole; status: UserStatus }>> {
  const out = new Map<string, { platform_role: PlatformRole; status: UserStatus }>()
  if (ids.length === 1) {
    // Entra's member PATCH names one member: a prepared primary-key lookup.
    const { rows } = await db.executeQuery(userStates(db, { platform_id: platformId, id: ids[0] as string }))
    for (const r of rows) out.set(r.id, r)
    return out
  }
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'platform_role', 'status'])
      .where('platform_id', '=', platformId)
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
    for (const r of rows) out.set(r.id, r)
  }
  return out
}

/** Members of a project whose effective role is not just their project role. */
export async function roleExceptions(db: Kysely<Database>, projectId: string) {
  return (
    db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['project_members.user_id', 'project_members.role', 'users.platform_role', 'users.status'])
      .where('project_members.project_id', '=', projectId)
      // Members whose role an admin set by hand do not follow the group's role (domain/groups.ts).
      .where((w) =>
        w.or([
          w('users.platform_role', '<>', 'MEMBER'),
          w('users.status', '<>', 'ACTIVE'),
          w('project_members.role_explicit', '=', 1),
        ]),
      )
      .orderBy('project_members.user_id')
      .execute()
  )
}
