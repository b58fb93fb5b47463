// From an outbox row to the signed SET a stream receives.
import { SCIM_BASE } from '../scim/base-path.js'
import type { EventStreamRow, OutboxRow } from '../store/schema.js'
import type { Signer } from './keys.js'
import type { EventRecord } from './record.js'
import { setClaims } from './set.js'
import { eventFilter } from './uris.js'

export interface Issuer {
  /** `iss`: the public origin. */
  readonly issuer: string
  /** The SCIM base URL for `meta.location`. */
  readonly scimBase: string
}

/** The issuer and SCIM base of this server, reached at `origin` (its public origin). */
export function issuerFor(origin: string): Issuer {
  return { issuer: origin, scimBase: `${origin}${SCIM_BASE}` }
}

/** The SET of `row` for `stream`, or undefined when the stream's filter wants none of its events. */
export async function signRow(
  row: OutboxRow,
  stream: Pick<EventStreamRow, 'audience' | 'event_types'>,
  signer: Signer,
  issuer: Issuer,
): Promise<string | undefined> {
  const record = JSON.parse(row.payload) as EventRecord
  const claims = setClaims(record, {
    ...issuer,
    audience: stream.audience,
    filter: eventFilter(stream.event_types ? (JSON.parse(stream.event_types) as string[]) : undefined),
    txn: row.txn,
    outboxId: Number(row.id),
    createdAt: row.created_at,
    now: Math.floor(Date.now() / 1000),
  })
  return claims && signer.sign(claims)
}
