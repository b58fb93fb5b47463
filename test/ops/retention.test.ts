import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordEvent } from '../../src/store/events.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

describe.each(dialects)('event retention on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { EVENT_RETENTION_DAYS: '30' })
  })
  afterAll(() => t.close())

  it('prunes events older than EVENT_RETENTION_DAYS and keeps newer ones', async () => {
    const event = { platformId: t.platformId, method: 'POST', path: '/Users', status: 201, durationMs: 1 }
    for (let i = 0; i < 2500; i += 500) {
      await t.store.transaction(async (trx) => {
        for (let j = 0; j < 500; j++) await recordEvent(trx, event)
      })
    }
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString()
    await t.store.db.updateTable('events').set({ created_at: old }).execute()
    await recordEvent(t.store.db, event)
    expect(await t.app.retention.runOnce()).toBe(2500)
    const left = await t.store.db.selectFrom('events').select('created_at').execute()
    expect(left).toHaveLength(1)
    expect(left[0]!.created_at > old).toBe(true)
  })
})
