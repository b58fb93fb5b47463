import { statSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Store } from '../../src/store/database.js'
import { createStore } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createPlatform } from '../../src/store/platforms.js'
import { insertUser } from '../../src/store/users.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

let database: TestDatabase
let store: Store

beforeAll(async () => {
  database = await createTestDatabase('sqlite')
  store = createStore({ url: database.url })
  await migrate(store.db)
})
afterAll(async () => {
  await store.close()
  await database.drop()
})

it('copies the WAL back into the database file in the background, without a writer checkpoint', async () => {
  const file = database.url.replace(/^file:/, '')
  const before = statSync(file).size
  const platform = await createPlatform(store.db, 'P')
  const padding = 'x'.repeat(1000)
  // About 1,000 pages of WAL: under the writer's own threshold (10,000), so only the worker copies them.
  for (let i = 0; i < 2000; i++) {
    await insertUser(store.db, platform.id, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `user${i}@example.com`,
      title: padding,
    })
  }
  await expect
    .poll(() => statSync(file).size, { timeout: 5000, interval: 100 })
    .toBeGreaterThan(before + 2_000_000)
})
