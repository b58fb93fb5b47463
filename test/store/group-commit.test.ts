// SQLite's group commit: transactions that arrive together share one COMMIT, each in its own savepoint.
import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createStore, type Store } from '../../src/store/database.js'
import { isUniqueViolation } from '../../src/store/errors.js'
import { recordEvent } from '../../src/store/events.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { getUserByEmail, insertUser } from '../../src/store/users.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

let database: TestDatabase
let store: Store
let platformId: string

beforeEach(async () => {
  database = await createTestDatabase('sqlite')
  store = createStore({ url: database.url })
  await migrate(store.db)
  platformId = (await createPlatform(store.db, 'P')).id
})
afterEach(async () => {
  await store.close()
  await database.drop()
})

const user = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName })

/** A POST /Users as the route writes it: the user and its event in one transaction. */
const createWithEvent = (userName: string) =>
  store.transaction(async (trx) => {
    const row = await insertUser(trx, platformId, user(userName))
    await recordEvent(trx, {
      platformId,
      method: 'POST',
      path: '/Users',
      status: 201,
      resourceId: row.id,
      durationMs: 1,
    })
    return row.id
  })

const eventCount = async () =>
  Number(
    (
      await store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

it('one failing transaction among concurrent ones is undone alone; the others commit', async () => {
  await insertUser(store.db, platformId, user('taken@example.com'))
  const results = await Promise.allSettled([
    createWithEvent('a@example.com'),
    createWithEvent('TAKEN@example.com'),
    createWithEvent('b@example.com'),
    createWithEvent('c@example.com'),
  ])
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
  expect(isUniqueViolation((results[1] as PromiseRejectedResult).reason)).toBe(true)
  for (const name of ['a@example.com', 'b@example.com', 'c@example.com']) {
    expect(await getUserByEmail(store.db, platformId, name)).toBeDefined()
  }
  // The failed one left neither its user nor its event.
  expect(await eventCount()).toBe(3)
})

it('a batch whose commit cannot happen answers every transaction in it with an error and keeps nothing', async () => {
  const results = await Promise.allSettled([
    createWithEvent('d@example.com'),
    // Ends the shared SQLite transaction from inside: the batch can no longer commit as one.
    store.transaction(async (trx) => {
      await insertUser(trx, platformId, user('e@example.com'))
      await sql`rollback`.execute(trx)
    }),
    createWithEvent('f@example.com'),
  ])
  expect(results.every((r) => r.status === 'rejected')).toBe(true)
  expect(await getUserByEmail(store.db, platformId, 'd@example.com')).toBeUndefined()
  expect(await getUserByEmail(store.db, platformId, 'f@example.com')).toBeUndefined()
  expect(await eventCount()).toBe(0)
  // The store still works afterwards.
  await createWithEvent('g@example.com')
  expect(await getUserByEmail(store.db, platformId, 'g@example.com')).toBeDefined()
})

it('answers a transaction only once its commit is durable: a value is returned after the rows are visible', async () => {
  const ids = await Promise.all(['h', 'i', 'j'].map((n) => createWithEvent(`${n}@example.com`)))
  // Another connection (the one reads use while a transaction is open) sees them all.
  for (const id of ids) {
    const rows = await store.read(store.db.selectFrom('users').select('id').where('id', '=', id).compile())
    expect(rows).toHaveLength(1)
  }
})
