// PostgreSQL keeps the generic plan it makes for a named prepared statement (after its fifth run)
// until the statement is deallocated or a table it reads is analyzed or altered. A plan made while a
// table was nearly empty can be a bad plan for the same table grown large: on an empty `users` the
// `userName eq` lookup costs the same through users_email_key and through users_created (PostgreSQL
// then takes the newest index), and at 100,000 users that plan reads every user of the platform on
// every lookup. Without statistics (autovacuum off or behind) nothing tells PostgreSQL to plan again.
//
// So the store watches how large its tables are, and when one has grown fourfold since the plans
// were made, it starts a new plan generation: statements are prepared again under new names, and
// their plans are made for the tables as they are now. Steps are fourfold, so they thin out fast: in
// a 100,000-user sync into an empty database the users table alone (about 130 MB) passes six of
// them, the first within a second and the last about halfway through; after that they are rare.
import type pg from 'pg'

/** A table counts as grown at four times its smallest size since the generation began, and 64 KiB at least. */
const GROWTH_FACTOR = 4
const MIN_GROWN_BYTES = 64 * 1024

export interface PlanGenerations {
  /** 0 until a table has grown; statements are prepared under a name per generation. */
  current(): number
  /** Compares the table sizes with those when the generation began; starts a new one if any grew. */
  check(): Promise<void>
  stop(): void
}

/** Checks every `intervalMs` (0: only when `check` is called) the tables of the pool's schema. */
export function watchPlanGenerations(pool: pg.Pool, intervalMs: number): PlanGenerations {
  let generation = 0
  let baseline: ReadonlyMap<string, number> | undefined
  let checking: Promise<void> | undefined

  const grown = (sizes: ReadonlyMap<string, number>, base: ReadonlyMap<string, number>) =>
    [...sizes].some(
      ([table, bytes]) => bytes >= MIN_GROWN_BYTES && bytes >= GROWTH_FACTOR * (base.get(table) ?? 0),
    )

  async function compare(): Promise<void> {
    const { rows } = await pool.query<{ name: string; bytes: string }>(
      `select c.relname as name, pg_relation_size(c.oid) as bytes from pg_class c
        where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'`,
    )
    const sizes = new Map(rows.map((r) => [r.name, Number(r.bytes)]))
    if (baseline && grown(sizes, baseline)) {
      generation++
      baseline = sizes
      return
    }
    // A table that shrank (truncated, or vacuumed) has its plans made again at its smaller size
    // (PostgreSQL plans again after such a change), so its growth counts from there.
    const before = baseline
    baseline = new Map(
      [...sizes].map(([table, bytes]) => [table, Math.min(bytes, before?.get(table) ?? bytes)]),
    )
  }

  const check = () => {
    // A database that does not answer is the next query's problem; the next check tries again.
    checking ??= compare()
      .catch(() => {})
      .finally(() => {
        checking = undefined
      })
    return checking
  }
  // The sizes the plans of generation 0 are made for.
  void check()
  const timer = intervalMs > 0 ? setInterval(check, intervalMs) : undefined
  timer?.unref()
  return {
    current: () => generation,
    check,
    stop: () => clearInterval(timer),
  }
}
