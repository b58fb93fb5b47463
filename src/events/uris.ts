// The event URIs of RFC 9967 §2.4 (https://www.rfc-editor.org/rfc/rfc9967#section-2.4). The RFC
// spells the namespace in lower case ("urn:ietf:params:scim:event"), as its IANA registry does.
export const EVENT_PREFIX = 'urn:ietf:params:scim:event:prov:'

/** What happened to a resource; create/put/patch come as `:full` or `:notice`, the others bare. */
export type EventOp = 'create' | 'put' | 'patch' | 'delete' | 'activate' | 'deactivate'
export const EVENT_OPS: readonly EventOp[] = ['create', 'put', 'patch', 'delete', 'activate', 'deactivate']

export type Mode = 'full' | 'notice'

/** Ops whose URI ends in `:full` or `:notice` (rfc9967#section-2.4: delete and (de)activate have neither). */
export function hasMode(op: EventOp): boolean {
  return op === 'create' || op === 'put' || op === 'patch'
}

export function eventUri(op: EventOp, mode: Mode = 'full'): string {
  return hasMode(op) ? `${EVENT_PREFIX}${op}:${mode}` : `${EVENT_PREFIX}${op}`
}

/** Every URI Muster publishes, for filters, the admin API and the console. */
export const EVENT_URIS: readonly string[] = EVENT_OPS.flatMap((op) =>
  hasMode(op) ? [eventUri(op, 'full'), eventUri(op, 'notice')] : [eventUri(op)],
)

/** A stream's filter entry as a URI: the full URI, or a short form such as `prov:patch:notice` or `delete`. */
export function parseEventType(text: string): string | undefined {
  const trimmed = text.trim()
  const lower = trimmed.toLowerCase()
  const short = lower.replace(/^urn:ietf:params:scim:event:/, '').replace(/^prov:/, '')
  const [op, mode] = short.split(':') as [string, string | undefined]
  if (!EVENT_OPS.includes(op as EventOp)) return undefined
  if (!hasMode(op as EventOp)) return mode === undefined ? eventUri(op as EventOp) : undefined
  if (mode !== undefined && mode !== 'full' && mode !== 'notice') return undefined
  return eventUri(op as EventOp, (mode ?? 'full') as Mode)
}

/** The filter a stream keeps: which ops it wants, and in which mode. Undefined URIs list: everything, full. */
export interface EventFilter {
  readonly ops: ReadonlyMap<EventOp, Mode>
}

export function eventFilter(uris: readonly string[] | null | undefined): EventFilter | undefined {
  if (!uris) return undefined
  const ops = new Map<EventOp, Mode>()
  for (const uri of uris) {
    const [op, mode] = uri.slice(EVENT_PREFIX.length).split(':') as [EventOp, Mode | undefined]
    // Both modes asked for: full carries everything notice does.
    if (ops.get(op) !== 'full') ops.set(op, mode ?? 'full')
  }
  return { ops }
}
