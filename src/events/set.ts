// A SET (RFC 8417) for one stream from an outbox record, per the SCIM profile (RFC 9967). Pure: the
// delivery worker and the poll endpoint sign what this returns.
import { toGroupResource, toUserResource } from '../domain/resources.js'
import { etag } from '../scim/version.js'
import type { EventRecord } from './record.js'
import { type EventFilter, eventUri, hasMode, type Mode } from './uris.js'

export interface SetOptions {
  /** `iss`: this Muster's public origin. */
  readonly issuer: string
  /** `aud`: the stream's audience. */
  readonly audience: string
  /** The SCIM base URL, for `meta.location` in `:full` data (as SCIM returns it). */
  readonly scimBase: string
  /** The stream's filter; undefined: every event, `:full`. */
  readonly filter?: EventFilter | undefined
  /** The change's transaction id, shared by its SETs on every stream. */
  readonly txn: string
  /** The outbox row: unique, and found again from the `jti` when a poll client acknowledges. */
  readonly outboxId: number
  /** When the change committed (ISO time). */
  readonly createdAt: string
  /** Seconds since the epoch. */
  readonly now: number
}

export type SetClaims = Record<string, unknown> & { jti: string; events: Record<string, object> }

/** `jti` of a row: the change's txn and the row id, so an acknowledgement finds its row. */
export function jtiOf(txn: string, outboxId: number): string {
  return `${txn}-${outboxId}`
}

/** The outbox row id named by a `jti`, or undefined when it is not one of ours. */
export function outboxIdOf(jti: string): number | undefined {
  const match = /^[0-9a-f]{32}-(\d{1,15})$/.exec(jti)
  return match ? Number(match[1]) : undefined
}

/** The claims of the SET, or undefined when the stream's filter wants none of the record's events. */
export function setClaims(record: EventRecord, options: SetOptions): SetClaims | undefined {
  if (record.test) return testClaims(record.test.state, options)
  const events: Record<string, object> = {}
  for (const [index, op] of record.ops.entries()) {
    const mode: Mode | undefined = options.filter ? options.filter.ops.get(op) : 'full'
    if (mode === undefined) continue
    if (!hasMode(op)) {
      // rfc9967#section-2.4.4-2.4.6: delete, activate and deactivate carry no payload attributes.
      events[eventUri(op)] = {}
      continue
    }
    events[eventUri(op, mode)] = payload(record, mode, options, index === 0)
  }
  if (Object.keys(events).length === 0) return undefined
  const path = record.type === 'User' ? 'Users' : 'Groups'
  return {
    iss: options.issuer,
    iat: options.now,
    jti: jtiOf(options.txn, options.outboxId),
    aud: options.audience,
    // rfc8417#section-2.2 "toe": when the change happened, not when it was signed.
    toe: Date.parse(options.createdAt) / 1000,
    txn: options.txn,
    // rfc9967#section-2.1: the subject is named by sub_id in the SCIM format, never by "sub".
    sub_id: {
      format: 'scim',
      uri: `/${path}/${record.id}`,
      id: record.id,
      ...(record.externalId ? { externalId: record.externalId } : {}),
    },
    events,
  }
}

/**
 * "Send test event": RFC 9967 defines none, so the stream gets the Shared Signals verification event,
 * which exists for exactly this (a receiver checks that a stream works end to end).
 */
export const VERIFICATION_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/verification'

function testClaims(state: string, options: SetOptions): SetClaims {
  return {
    iss: options.issuer,
    iat: options.now,
    jti: jtiOf(options.txn, options.outboxId),
    aud: options.audience,
    toe: Date.parse(options.createdAt) / 1000,
    txn: options.txn,
    sub_id: { format: 'opaque', id: options.audience },
    events: { [VERIFICATION_EVENT]: { state } },
  }
}

/** rfc9967#section-2.4: `data` (full) or `attributes` (notice), never both; and `version`. */
function payload(record: EventRecord, mode: Mode, options: SetOptions, main: boolean): object {
  const resource = render(record, options.scimBase)
  const version = record.user?.version ?? record.group?.version
  return {
    ...(version !== undefined ? { version: etag(version) } : {}),
    ...(mode === 'full' ? { data: resource } : { attributes: record.attributes }),
    ...(main && record.membersAdded ? { membersAdded: record.membersAdded } : {}),
    ...(main && record.membersRemoved ? { membersRemoved: record.membersRemoved } : {}),
    ...(main && record.effectiveRoles ? { effectiveRoles: record.effectiveRoles } : {}),
  }
}

/**
 * The resource as SCIM returns it, by SCIM's own rendering: a user without `groups` (memberships are
 * published as group events), a group without `members` (a group can have 100,000 of them;
 * rfc9967#section-5 advises against large member lists in events; membersAdded/membersRemoved name
 * the change instead).
 */
function render(record: EventRecord, scimBase: string): object | undefined {
  if (record.user) return toUserResource(record.user, scimBase, undefined)
  if (record.group) return toGroupResource(record.group, scimBase)
  return undefined
}
