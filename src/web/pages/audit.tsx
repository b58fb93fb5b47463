// The audit trail: what admins did in the console and through the admin API (keys, roles, users,
// settings, single sign-on, event streams), who did it, when and from which address. Filters live in
// the address, each change a history entry so Back steps back.
import { useCallback, useEffect, useState } from 'react'
import { api, type Paged, query } from '../api'
import { ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link, navigate, useLocation } from '../router'

const LIMIT = 50
const PATH = '/platform/audit-trail'

export interface AuditEntry {
  id: number
  createdAt: string
  actorEmail: string | null
  /** Who acted without an account: "command line (user@host)". */
  actorLabel: string | null
  action: string
  actionLabel: string
  targetType: string | null
  targetId: string | null
  targetName: string | null
  /** The user or project still exists (the name links to it). */
  targetExists: boolean
  /** What changed as lines, e.g. "Platform role: MEMBER → OPERATOR". */
  changes: string[]
  ip: string | null
  requestId: string | null
}

interface AuditAction {
  code: string
  label: string
}

type AuditPage = Paged & { entries: AuditEntry[]; actions: AuditAction[] }

type Param = 'action' | 'from' | 'to' | 'offset'
const FILTERS: readonly Param[] = ['action', 'from', 'to']

/** datetime-local gives local wall time without a zone; the address keeps the instant. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined)
const toLocal = (iso: string | undefined) => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const isInstant = (text: string) => /^\d{4}-\d\d-\d\dT/.test(text) && !Number.isNaN(Date.parse(text))

/** The address's parameters, and those that are not valid (reset with a message). */
function readParams(search: URLSearchParams, actions: readonly AuditAction[] | undefined) {
  const values: Partial<Record<Param, string>> = {}
  const invalid: string[] = []
  const action = search.get('action')
  if (action) {
    // Until the list of actions is known the value is kept; nothing is asked for with it till then.
    if (!actions || actions.some((a) => a.code === action)) values.action = action
    else invalid.push(`action=${action}`)
  }
  for (const name of ['from', 'to'] as const) {
    const value = search.get(name)
    if (!value) continue
    if (isInstant(value)) values[name] = value
    else invalid.push(`${name}=${value}`)
  }
  const offset = search.get('offset')
  if (offset) {
    if (/^\d+$/.test(offset) && Number(offset) % LIMIT === 0) values.offset = offset
    else invalid.push(`offset=${offset}`)
  }
  return { values, invalid }
}

/** What the API is asked: "To" is the chosen minute, included (the API's `to` is exclusive). */
function apiFilters(values: Partial<Record<Param, string>>) {
  return {
    action: values.action,
    from: values.from,
    to: values.to ? new Date(Date.parse(values.to) + 60_000).toISOString() : undefined,
  }
}

/** The user or project an entry is about, linked while it exists; other targets by name. */
function Target({ e }: { e: AuditEntry }) {
  if (!e.targetName) return <span className="muted">—</span>
  const section = e.targetType === 'user' ? 'users' : e.targetType === 'project' ? 'projects' : undefined
  if (section && e.targetExists && e.targetId)
    return <Link href={`/platform/${section}/${encodeURIComponent(e.targetId)}`}>{e.targetName}</Link>
  return <span>{e.targetName}</span>
}

export function AuditPage() {
  const { search } = useLocation()
  // The actions the trail knows, asked once: the address's action is checked against them.
  const catalog = useLoad(() => api<AuditPage>('GET', '/audit?limit=1'), [])
  const actions = catalog.data?.actions
  const { values, invalid } = readParams(search, actions)
  const [notice, setNotice] = useState<string>()
  const offset = Number(values.offset ?? 0)
  const key = query(values)
  const ready = actions !== undefined && invalid.length === 0
  const entries = useLoad(
    () =>
      ready
        ? api<AuditPage>('GET', `/audit${query({ ...apiFilters(values), limit: LIMIT, offset })}`)
        : Promise.resolve(undefined),
    [key, ready],
  )

  // Bad values in the address (an old bookmark, a typo) reset to the valid ones, with a message.
  const invalidText = invalid.join(', ')
  useEffect(() => {
    // Once the actions are known, so that every bad value is named in one message.
    if (!invalidText || !actions) return
    setNotice(`Reset what the address asked for but the audit trail does not know: ${invalidText}.`)
    navigate(`${PATH}${key}`, { replace: true })
  }, [invalidText, key, actions])

  const go = useCallback(
    (change: Partial<Record<Param, string | undefined>>) => {
      const next = { ...values, ...change }
      if (!('offset' in change)) delete next.offset
      setNotice(undefined)
      navigate(`${PATH}${query(next)}`, { scroll: false })
    },
    [values],
  )
  const filtered = FILTERS.some((f) => values[f])
  const data = entries.data

  return (
    <>
      <PageHeader title="Audit trail">
        What admins did in the console, through the admin API and with the muster command line: keys, roles,
        users, settings, single sign-on and event streams. Who, when, what changed and from which address.
        Newest first.
      </PageHeader>
      {notice && (
        <div className="alert alert-info" role="status">
          {notice}
        </div>
      )}
      <section className="card">
        <div className="filters">
          <div className="filter">
            <label htmlFor="audit-action">Action</label>
            <select
              id="audit-action"
              value={values.action ?? ''}
              onChange={(e) => go({ action: e.target.value || undefined })}
            >
              <option value="">All</option>
              {(actions ?? []).map((a) => (
                <option key={a.code} value={a.code}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
          <div className="filter">
            <label htmlFor="audit-from">From</label>
            <input
              id="audit-from"
              type="datetime-local"
              value={toLocal(values.from)}
              onChange={(e) => go({ from: toInstant(e.target.value) })}
            />
          </div>
          <div className="filter">
            <label htmlFor="audit-to">To (including that minute)</label>
            <input
              id="audit-to"
              type="datetime-local"
              value={toLocal(values.to)}
              onChange={(e) => go({ to: toInstant(e.target.value) })}
            />
          </div>
          {filtered && (
            <button type="button" className="button-small" onClick={() => navigate(PATH, { scroll: false })}>
              Clear filters
            </button>
          )}
          <span className="toolbar-end audit-export">
            <a
              className="button button-small"
              href={`/api/v1/audit.csv${query(apiFilters(values))}`}
              download
            >
              Export CSV
            </a>
          </span>
        </div>
        {(entries.loading || catalog.loading) && !data && <Loading />}
        {catalog.error && <ErrorMessage error={catalog.error} onRetry={catalog.reload} />}
        {entries.error && <ErrorMessage error={entries.error} onRetry={entries.reload} />}
        {data && data.entries.length === 0 && (
          <p className="empty">
            {filtered
              ? 'No admin actions match these filters.'
              : 'No admin actions yet: creating a key, changing a role or a setting appears here.'}
          </p>
        )}
        {data && data.entries.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={entries.loading}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Changes</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {data.entries.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">
                      <Time value={e.createdAt} />
                    </td>
                    <td className="small">
                      {e.actorEmail ?? e.actorLabel ?? <span className="muted">a deleted admin</span>}
                    </td>
                    <td>{e.actionLabel}</td>
                    <td>
                      <Target e={e} />
                    </td>
                    <td className="small">
                      {e.changes.length ? (
                        <ul className="change-lines">
                          {e.changes.map((line) => (
                            <li key={line}>{line}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td
                      className="mono small nowrap"
                      title={e.requestId ? `Request ${e.requestId}` : undefined}
                    >
                      {e.ip ?? <span className="muted">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && (
          <Pager
            noun="actions"
            total={data.total}
            limit={LIMIT}
            offset={offset}
            onChange={(o) => go({ offset: o ? String(o) : undefined })}
          />
        )}
      </section>
    </>
  )
}
