import { type CompiledQuery, sql } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import { createStore, type Store } from '../../src/store/database.js'
import { migrate } from '../../src/store/migrations/index.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

let database: TestDatabase | undefined
let store: Store | undefined

afterEach(async () => {
  await store?.close()
  await database?.drop()
})

const pragma = (name: string) => sql<Record<string, number>>`pragma ${sql.raw(name)}`

/**
 * mmap_size on the connection a read outside a transaction uses (the writer's) and on the one a read
 * uses while a transaction is open (the query-only reader).
 */
async function mappedBytes(s: Store): Promise<{ writer: number; reader: number }> {
  const read = async (name: string) =>
    Number((await s.read(pragma(name).compile(s.db) as CompiledQuery<Record<string, number>>))[0]?.[name])
  const both = async () => ({ mmap: await read('mmap_size'), queryOnly: await read('query_only') })
  const writer = await both()
  const reader = await s.transaction(both)
  expect([writer.queryOnly, reader.queryOnly]).toEqual([0, 1])
  return { writer: writer.mmap, reader: reader.mmap }
}

it('maps SQLITE_MMAP_SIZE bytes of the file on the writer and the reader connection', async () => {
  database = await createTestDatabase('sqlite')
  store = createStore({ url: database.url, sqliteMmapBytes: 64 * 2 ** 20 })
  await migrate(store.db)
  expect(await mappedBytes(store)).toEqual({ writer: 64 * 2 ** 20, reader: 64 * 2 ** 20 })
})

it('maps nothing by default', async () => {
  database = await createTestDatabase('sqlite')
  store = createStore({ url: database.url })
  await migrate(store.db)
  expect(await mappedBytes(store)).toEqual({ writer: 0, reader: 0 })
})
