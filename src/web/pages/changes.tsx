// What an event changed, in words: old → new values by attribute (a password only as "changed"), the
// members added and removed by name, a member's role. The journal writes them (src/domain/journal.ts).
import type { ReactNode } from 'react'
import type { Named } from '../api'
import { Link } from '../router'

export interface ValueChange {
  path: string
  from?: unknown
  to?: unknown
  redacted?: true
}

/** `urn:…:CustomUserAttributes:platformRole` reads `platformRole`; core paths stay as they are. */
export function attributeLabel(path: string): string {
  return path.startsWith('urn:') ? (path.split(':').pop() ?? path) : path
}

export function valueText(value: unknown): string {
  if (value === undefined) return '(none)'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export function valuesOf(changes: Record<string, unknown> | null): ValueChange[] {
  const values = changes?.values
  return Array.isArray(values) ? (values as ValueChange[]) : []
}

function idsOf(changes: Record<string, unknown>, key: string): string[] {
  const ids = changes[key]
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}

export interface MemberChanges {
  added: string[]
  addedCount: number
  removed: string[]
  removedCount: number
}

export function membersOf(changes: Record<string, unknown> | null): MemberChanges {
  const added = changes ? idsOf(changes, 'membersAdded') : []
  const removed = changes ? idsOf(changes, 'membersRemoved') : []
  return {
    added,
    addedCount: Number(changes?.membersAddedCount ?? added.length),
    removed,
    removedCount: Number(changes?.membersRemovedCount ?? removed.length),
  }
}

export function personName(names: ReadonlyMap<string, Named>, id: string): string {
  const n = names.get(id)
  return n ? (n.displayName ?? n.name) : `deleted user ${id.slice(0, 8)}`
}

/** A user named by id, linked to their page while they exist. */
export function Person({ id, names }: { id: string; names: ReadonlyMap<string, Named> }) {
  const n = names.get(id)
  if (!n) return <span className="muted">{personName(names, id)}</span>
  return (
    <Link href={`/platform/users/${encodeURIComponent(id)}`} title={n.name}>
      {n.displayName ?? n.name}
    </Link>
  )
}

function namesList(ids: string[], count: number, names: ReadonlyMap<string, Named>, max: number): string {
  const shown = ids.slice(0, max).map((id) => personName(names, id))
  const more = count - shown.length
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
}

/** One line per change, for the log's table: "platformRole: MEMBER → OPERATOR", "added Ana, Bob". */
export function changeLines(
  changes: Record<string, unknown> | null,
  names: ReadonlyMap<string, Named>,
  max = 3,
): string[] {
  if (!changes) return []
  if (changes.deleted === true) return ['deleted']
  const lines: string[] = []
  const values = valuesOf(changes)
  for (const v of values.slice(0, max)) {
    const label = attributeLabel(v.path)
    if (v.redacted) lines.push(`${label} changed`)
    else if (v.from === undefined) lines.push(`${label}: ${valueText(v.to)}`)
    else lines.push(`${label}: ${valueText(v.from)} → ${valueText(v.to)}`)
  }
  if (values.length > max) lines.push(`and ${values.length - max} more attributes`)
  // Events written before values were kept name their attributes only.
  if (values.length === 0 && Array.isArray(changes.attributes) && changes.attributes.length > 0)
    lines.push(`changed ${(changes.attributes as string[]).map(attributeLabel).join(', ')}`)
  const m = membersOf(changes)
  if (m.addedCount > 0) lines.push(`added ${namesList(m.added, m.addedCount, names, max)}`)
  if (m.removedCount > 0) lines.push(`removed ${namesList(m.removed, m.removedCount, names, max)}`)
  const role = changes.memberRole as { userId?: string; from?: string; to?: string } | undefined
  if (role?.userId) lines.push(`role of ${personName(names, role.userId)}: ${role.from} → ${role.to}`)
  if (typeof changes.allMembersRole === 'string')
    lines.push(`members who follow the project's role are now ${changes.allMembersRole}`)
  return lines
}

/** The event page's table of attribute changes. */
export function ValuesTable({ values }: { values: ValueChange[] }): ReactNode {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col">Old value</th>
            <th scope="col">New value</th>
          </tr>
        </thead>
        <tbody>
          {values.map((v) => (
            <tr key={v.path}>
              <td className="mono" title={v.path}>
                {attributeLabel(v.path)}
              </td>
              {v.redacted ? (
                <td colSpan={2} className="muted">
                  changed (never shown)
                </td>
              ) : (
                <>
                  <td className={v.from === undefined ? 'muted' : 'mono'}>{valueText(v.from)}</td>
                  <td className={v.to === undefined ? 'muted' : 'mono'}>{valueText(v.to)}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
