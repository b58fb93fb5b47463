// Shared checks of the events reliability tests: what a receiver got against what the database holds.

import { addStream } from '../../src/events/streams.js'
import type { Received } from '../helpers/set-receiver.js'
import { CORE_GROUP, CORE_USER, type Fixture, http, patchOp, withStore } from './helpers.js'

export const EVENTS_ENV = {
  EVENTS_ALLOW_LOOPBACK: '1',
  ENCRYPTION_KEY: '55'.repeat(32),
  EVENTS_POLL_INTERVAL_MS: '50',
}

export async function addPushStream(f: Fixture, url: string, platformId = f.platformId): Promise<string> {
  return withStore(f, async (store) => {
    const row = await addStream(
      store.db,
      { platformId, push: url },
      { allowLoopback: true, allowPrivate: false },
      'http://127.0.0.1',
    )
    return row.id
  })
}

/** Versions a SET names: `version` of its first event ("W/\"3\"" → 3), undefined for delete. */
function versionOf(set: Received): number | undefined {
  const payload = Object.values(set.claims.events ?? {})[0] as { version?: string } | undefined
  const match = /\d+/.exec(payload?.version ?? '')
  return match ? Number(match[0]) : undefined
}

export interface DeliveryReport {
  readonly sets: number
  readonly unique: number
  readonly duplicates: number
  readonly resources: number
  readonly problems: string[]
}

/**
 * Every committed change arrived (each resource's versions 1..its version in the database), nothing
 * else did (no version past it, no text of a rolled-back change), and, counting each jti at its first
 * arrival, each resource's changes arrived in order.
 */
export async function checkDelivery(
  f: Fixture,
  received: readonly Received[],
  { forbidden = 'rolled-back' }: { forbidden?: string } = {},
): Promise<DeliveryReport> {
  const problems: string[] = []
  const seen = new Set<string>()
  const versions = new Map<string, number[]>()
  for (const set of received) {
    const jti = String(set.claims.jti)
    if (JSON.stringify(set.claims).includes(forbidden)) problems.push(`a rolled-back change arrived: ${jti}`)
    if (seen.has(jti)) continue
    seen.add(jti)
    const uri = set.claims.sub_id?.uri ?? ''
    const version = versionOf(set)
    if (version === undefined) continue
    const list = versions.get(uri) ?? []
    if (list.length > 0 && (list.at(-1) as number) >= version)
      problems.push(`${uri}: version ${version} arrived after ${list.at(-1)}`)
    list.push(version)
    versions.set(uri, list)
  }
  const rows = await withStore(f, async (store) => [
    ...(
      await store.db
        .selectFrom('users')
        .select(['id', 'version'])
        .where('platform_id', '=', f.platformId)
        .execute()
    ).map((r) => [`/Users/${r.id}`, r.version] as const),
    ...(
      await store.db
        .selectFrom('projects')
        .select(['id', 'version'])
        .where('platform_id', '=', f.platformId)
        .execute()
    ).map((r) => [`/Groups/${r.id}`, r.version] as const),
  ])
  for (const [uri, version] of rows) {
    const got = new Set(versions.get(uri) ?? [])
    const missing: number[] = []
    for (let v = 1; v <= version; v++) if (!got.has(v)) missing.push(v)
    if (missing.length)
      problems.push(`${uri}: committed versions ${missing.join(',')} of ${version} never arrived`)
    for (const v of got)
      if (v > version) problems.push(`${uri}: version ${v} arrived but never committed (at ${version})`)
  }
  return {
    sets: received.length,
    unique: seen.size,
    duplicates: received.length - seen.size,
    resources: rows.length,
    problems: problems.slice(0, 20),
  }
}

/** Pending outbox rows (all streams). */
export function backlog(f: Fixture): Promise<number> {
  return withStore(f, async (store) =>
    Number(
      (
        await store.db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    ),
  )
}

export async function waitForEmptyBacklog(f: Fixture, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = await backlog(f)
    if (left === 0 || Date.now() > deadline) return left
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/**
 * One client of a sync: creates users, renames them, adds them to the group, and now and then sends
 * a PATCH that must roll back (a rename together with an unknown member). Returns when `stop()` is true.
 */
export async function syncClient(
  port: () => number,
  secret: string,
  groupId: string,
  index: number,
  stop: () => boolean,
  stats: { ok: number; failed: number; rolledBack: number; latencies: number[] },
  // At most one request per this many milliseconds (an IdP's pace); 0 runs flat out.
  intervalMs = 0,
): Promise<void> {
  const users: string[] = []
  let previous = 0
  for (let n = 0; !stop(); n++) {
    const wait = previous + intervalMs - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const started = performance.now()
    previous = started
    try {
      const kind = n % 4
      if (kind === 0 || users.length === 0) {
        const res = await http(port(), secret, 'POST', '/Users', {
          schemas: [CORE_USER],
          userName: `c${index}-${n}-${Date.now()}@events.test`,
        })
        if (res.status === 201) users.push(JSON.parse(res.text).id)
      } else if (kind === 1) {
        const id = users[Math.floor(Math.random() * users.length)]
        await http(
          port(),
          secret,
          'PATCH',
          `/Users/${id}`,
          patchOp({ op: 'replace', path: 'displayName', value: `n${n}` }),
        )
      } else if (kind === 2) {
        const id = users.at(-1)
        await http(
          port(),
          secret,
          'PATCH',
          `/Groups/${groupId}`,
          patchOp({ op: 'add', path: 'members', value: [{ value: id }] }),
        )
      } else {
        const res = await http(
          port(),
          secret,
          'PATCH',
          `/Groups/${groupId}`,
          patchOp(
            { op: 'replace', path: 'displayName', value: `rolled-back ${index}-${n}` },
            { op: 'add', path: 'members', value: [{ value: 'no-such-user' }] },
          ),
        )
        if (res.status === 400) stats.rolledBack++
      }
      stats.ok++
      stats.latencies.push(performance.now() - started)
    } catch {
      stats.failed++
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

export async function createGroup(port: number, secret: string, name: string): Promise<string> {
  const res = await http(port, secret, 'POST', '/Groups', { schemas: [CORE_GROUP], displayName: name })
  if (res.status !== 201) throw new Error(`group: ${res.status} ${res.text}`)
  return JSON.parse(res.text).id
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
