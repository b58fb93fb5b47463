// The rule that starts a new plan generation, on the sizes a database reports (no database needed:
// the pool only has to answer the size query). key-lookup-plan.test.ts shows it on PostgreSQL.
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { watchPlanGenerations } from '../../src/store/plan-generations.js'

const KiB = 1024

/** A pool whose size query answers `sizes` as they are when it is asked; `down` makes it fail. */
function fakePool(state: { sizes: Record<string, number>; down?: boolean }): pg.Pool {
  return {
    query: async () => {
      if (state.down) throw new Error('connection refused')
      return { rows: Object.entries(state.sizes).map(([name, bytes]) => ({ name, bytes: String(bytes) })) }
    },
  } as unknown as pg.Pool
}

describe('plan generations', () => {
  it('start anew when a table has grown fourfold, from 64 KiB on', async () => {
    const state = { sizes: { users: 0, projects: 0 } }
    const plans = watchPlanGenerations(fakePool(state), 0)
    await plans.check()
    expect(plans.current()).toBe(0)

    state.sizes.users = 56 * KiB // grown, but under 64 KiB: a tie on a table this small does not matter
    await plans.check()
    expect(plans.current()).toBe(0)

    state.sizes.users = 64 * KiB
    await plans.check()
    expect(plans.current()).toBe(1)

    state.sizes.users = 255 * KiB // not yet four times 64 KiB
    await plans.check()
    expect(plans.current()).toBe(1)

    state.sizes.users = 256 * KiB
    await plans.check()
    expect(plans.current()).toBe(2)

    state.sizes.projects = 1024 * KiB // any table counts
    await plans.check()
    expect(plans.current()).toBe(3)
    plans.stop()
  })

  it('count growth from a table’s smallest size since the generation began', async () => {
    const state = { sizes: { users: 4096 * KiB } }
    const plans = watchPlanGenerations(fakePool(state), 0)
    await plans.check()
    state.sizes.users = 0 // truncated: PostgreSQL plans again for the empty table
    await plans.check()
    state.sizes.users = 128 * KiB
    await plans.check()
    expect(plans.current()).toBe(1)
    plans.stop()
  })

  it('a database that does not answer changes nothing, and the next check goes on', async () => {
    const state: { sizes: Record<string, number>; down?: boolean } = { sizes: { users: 0 } }
    const plans = watchPlanGenerations(fakePool(state), 0)
    await plans.check()
    state.down = true
    state.sizes.users = 1024 * KiB
    await plans.check()
    expect(plans.current()).toBe(0)
    state.down = false
    await plans.check()
    expect(plans.current()).toBe(1)
    plans.stop()
  })

  it('check every interval by themselves', async () => {
    const state = { sizes: { users: 0 } }
    const plans = watchPlanGenerations(fakePool(state), 20)
    await plans.check()
    state.sizes.users = 1024 * KiB
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(plans.current()).toBe(1)
    plans.stop()
  })
})
