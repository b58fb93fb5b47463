// The provisioning log: every SCIM write and every rejected request, newest first, naming the users and
// groups involved and what changed (old → new). Filters live in the address, each change a history
// entry so Back steps back; new events are announced in a bar while the first page is open.
import { useCallback, useEffect, useState } from 'react'
import { type ApiKey, api, type LogEvent, type Named, type Paged, query, type User } from '../api'
import { SearchBox } from '../components/search-box'
import { Badge, ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link, navigate, useLocation } from '../router'
import { changeLines } from './changes'

const LIMIT = 50
const PATH = '/platform/provisioning-log'
/** How often the first page asks whether new events arrived. */
const LIVE_MS = 5000

const CHOICES = {
  status: ['success', 'failure'],
  resourceType: ['User', 'Group'],
  method: ['POST', 'PUT', 'PATCH', 'DELETE'],
} as const
type Param = keyof typeof CHOICES | 'apiKeyId' | 'from' | 'to' | 'q' | 'user' | 'offset'
const FILTERS: readonly Param[] = ['status', 'resourceType', 'method', 'apiKeyId', 'from', 'to', 'q', 'user']

/** datetime-local gives local wall time without a zone; the address keeps the instant. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined)
const toLocal = (iso: string | undefined) => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const isInstant = (text: string) => /^\d{4}-\d\d-\d\dT/.test(text) && !Number.isNaN(Date.parse(text))

/** The address's parameters, and those that are not valid (reset with a message). */
function readParams(search: URLSearchParams) {
  const values: Partial<Record<Param, string>> = {}
  const invalid: string[] = []
  for (const [name, allowed] of Object.entries(CHOICES) as [keyof typeof CHOICES, readonly string[]][]) {
    const value = search.get(name)
    if (value === null || value === '') continue
    if (allowed.includes(value)) values[name] = value
    else invalid.push(`${name}=${value}`)
  }
  for (const name of ['from', 'to'] as const) {
    const value = search.get(name)
    if (!value) continue
    if (isInstant(value)) values[name] = value
    else invalid.push(`${name}=${value}`)
  }
  for (const name of ['apiKeyId', 'q', 'user'] as const) {
    const value = search.get(name)
    if (!value) continue
    if (value.length <= 200) values[name] = value
    else invalid.push(`${name} (too long)`)
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
  const { offset: _offset, ...filters } = values
  return {
    ...filters,
    to: filters.to ? new Date(Date.parse(filters.to) + 60_000).toISOString() : undefined,
  }
}

export function statusTone(status: number) {
  return status < 400 ? 'good' : 'bad'
}

/** Who made the request: the API key's name, the admin's email, or single sign-on. */
export function actorText(e: LogEvent): string {
  if (e.actorType === 'console') return e.actorEmail ?? 'an admin'
  if (e.actorType === 'sso') return 'Single sign-on'
  return e.apiKeyName ?? 'a revoked key'
}

/** The user or group an event is about, linked while it exists. */
export function Subject({ e }: { e: LogEvent }) {
  if (!e.resourceType) return <span className="muted">—</span>
  const name = e.resourceName ?? (e.resourceId ? `${e.resourceType} ${e.resourceId.slice(0, 8)}` : null)
  const href =
    e.resourceExists && e.resourceId
      ? `/platform/${e.resourceType === 'User' ? 'users' : 'projects'}/${encodeURIComponent(e.resourceId)}`
      : undefined
  return (
    <>
      <span className="small muted">{e.resourceType === 'Group' ? 'Group ' : 'User '}</span>
      {name === null ? (
        <span className="muted">(none)</span>
      ) : href ? (
        <Link href={href}>{name}</Link>
      ) : (
        <span>{name}</span>
      )}
    </>
  )
}

export function EventsPage() {
  const { search } = useLocation()
  const { values, invalid } = readParams(search)
  const [notice, setNotice] = useState<string>()
  const offset = Number(values.offset ?? 0)
  const key = query(values)
  const filters = apiFilters(values)
  const keys = useLoad(() => api<{ keys: ApiKey[] }>('GET', '/api-keys'), [])
  const events = useLoad(
    () =>
      api<Paged & { events: LogEvent[]; names: Named[] }>(
        'GET',
        `/events${query({ ...filters, limit: LIMIT, offset })}`,
      ),
    [key],
  )
  const userId = values.user
  const person = useLoad(
    () =>
      userId
        ? api<{ user: User }>('GET', `/users/${encodeURIComponent(userId)}`).catch(() => undefined)
        : Promise.resolve(undefined),
    [userId],
  )
  const names = new Map((events.data?.names ?? []).map((n) => [n.id, n]))

  // Bad values in the address (an old bookmark, a typo) reset to the valid ones, with a message.
  const invalidText = invalid.join(', ')
  useEffect(() => {
    if (!invalidText) return
    setNotice(`Reset what the address asked for but the log does not know: ${invalidText}.`)
    navigate(`${PATH}${key}`, { replace: true })
  }, [invalidText, key])

  const go = useCallback(
    (change: Partial<Record<Param, string | undefined>>) => {
      const next = { ...values, ...change }
      if (!('offset' in change)) delete next.offset
      setNotice(undefined)
      navigate(`${PATH}${query(next)}`, { scroll: false })
    },
    [values],
  )
  const onSearch = useCallback((text: string) => go({ q: text || undefined }), [go])

  // Live: on the first page, ask every few seconds how many events are newer than the top one.
  const newest = offset === 0 ? events.data?.events[0]?.id : undefined
  const [fresh, setFresh] = useState(0)
  const liveKey = query({ ...filters, afterId: newest ?? 0 })
  useEffect(() => {
    setFresh(0)
    if (offset !== 0 || !events.data) return
    let stopped = false
    const timer = setInterval(() => {
      if (document.hidden) return
      api<Paged>('GET', `/events${liveKey}&limit=1`)
        .then((r) => {
          if (!stopped) setFresh(r.total)
        })
        .catch(() => {})
    }, LIVE_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [liveKey, offset, events.data])

  const select = (name: keyof typeof CHOICES | 'apiKeyId', label: string, options: [string, string][]) => (
    <div className="filter">
      <label htmlFor={`log-${name}`}>{label}</label>
      <select
        id={`log-${name}`}
        value={values[name] ?? ''}
        onChange={(e) => go({ [name]: e.target.value || undefined })}
      >
        <option value="">All</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
  const filtered = FILTERS.some((f) => values[f])

  return (
    <>
      <PageHeader title="Provisioning log">
        What your identity provider sent, and what Muster answered. Newest first.
      </PageHeader>
      {notice && (
        <div className="alert alert-info" role="status">
          {notice}
        </div>
      )}
      <section className="card">
        <div className="filters">
          <SearchBox label="Search by user, group or request id" value={values.q ?? ''} onSearch={onSearch} />
          {select('status', 'Result', [
            ['success', 'Succeeded'],
            ['failure', 'Failed'],
          ])}
          {select('resourceType', 'Resource', [
            ['User', 'Users'],
            ['Group', 'Groups'],
          ])}
          {select(
            'method',
            'Method',
            CHOICES.method.map((m) => [m, m]),
          )}
          {select(
            'apiKeyId',
            'API key',
            (keys.data?.keys ?? []).map((k) => [k.id, `${k.name} (${k.truncated})`]),
          )}
          <div className="filter">
            <label htmlFor="log-from">From</label>
            <input
              id="log-from"
              type="datetime-local"
              value={toLocal(values.from)}
              onChange={(e) => go({ from: toInstant(e.target.value) })}
            />
          </div>
          <div className="filter">
            <label htmlFor="log-to">To (including that minute)</label>
            <input
              id="log-to"
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
          <a className="button button-small" href={`/api/v1/events.csv${query(filters)}`} download>
            Export CSV
          </a>
        </div>
        {userId && (
          <p className="filter-note">
            Showing the events of{' '}
            <strong>
              {person.data?.user.email ?? (person.loading ? '…' : `user ${userId.slice(0, 8)}`)}
            </strong>
            : their own, and the groups that added or removed them.{' '}
            <button type="button" className="link-button" onClick={() => go({ user: undefined })}>
              Show everyone’s
            </button>
          </p>
        )}
        {fresh > 0 && (
          <div className="alert alert-info live-bar" role="status">
            {fresh === 1 ? '1 new event' : `${fresh} new events`}.{' '}
            <button
              type="button"
              onClick={() => {
                setFresh(0)
                events.reload()
              }}
            >
              Show {fresh === 1 ? 'it' : 'them'}
            </button>
          </div>
        )}
        {events.loading && !events.data && <Loading />}
        {events.error && <ErrorMessage error={events.error} onRetry={events.reload} />}
        {events.data && events.data.events.length === 0 && (
          <p className="empty">
            No events
            {filtered ? ' match these filters' : ' yet: they appear as soon as your identity provider writes'}
            .
          </p>
        )}
        {events.data && events.data.events.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={events.loading}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">By</th>
                  <th scope="col">Request</th>
                  <th scope="col">User or group</th>
                  <th scope="col">Result</th>
                  <th scope="col">What changed</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((e) => {
                  const lines = changeLines(e.changes, names)
                  return (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <Link href={`${PATH}/${e.id}`} aria-label={`Event ${e.id} details`}>
                          <Time value={e.createdAt} />
                        </Link>
                      </td>
                      <td className="small">{actorText(e)}</td>
                      <td className="mono small nowrap">{e.method}</td>
                      <td>
                        <Subject e={e} />
                      </td>
                      <td>
                        <Badge tone={statusTone(e.status)}>{e.status}</Badge>
                      </td>
                      <td className="small">
                        {e.error ? (
                          <span>{e.error}</span>
                        ) : lines.length ? (
                          <ul className="change-lines">
                            {lines.map((line) => (
                              <li key={line}>{line}</li>
                            ))}
                          </ul>
                        ) : (
                          <span className="muted">nothing changed</span>
                        )}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {events.data && (
          <Pager
            noun="events"
            total={events.data.total}
            limit={LIMIT}
            offset={offset}
            onChange={(o) => go({ offset: o ? String(o) : undefined })}
          />
        )}
      </section>
    </>
  )
}
