// The provisioning log: every SCIM write and every rejected request, newest first, with filters kept
// in the address so a filtered view can be reloaded or shared.
import { type ApiKey, api, type LogEvent, type Paged, query } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link, navigate, useLocation } from '../router'
import { summarizeChanges } from './changes'

const LIMIT = 50
const FILTERS = ['status', 'resourceType', 'method', 'apiKeyId', 'from', 'to'] as const
type Filter = (typeof FILTERS)[number]

/** datetime-local gives local wall time without a zone; the API wants an instant. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined)
const toLocal = (iso: string | null) => {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime())
    ? ''
    : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}

export function statusTone(status: number) {
  return status < 400 ? 'good' : 'bad'
}

export function EventsPage() {
  const { search } = useLocation()
  const filters = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Record<Filter, string>
  const offset = Number(search.get('offset') ?? 0) || 0
  const keys = useLoad(() => api<{ keys: ApiKey[] }>('GET', '/api-keys'), [])
  const events = useLoad(
    () => api<Paged & { events: LogEvent[] }>('GET', `/events${query({ ...filters, limit: LIMIT, offset })}`),
    [search.toString()],
  )

  const set = (name: Filter | 'offset', value: string) => {
    const next = new URLSearchParams(search)
    if (value) next.set(name, value)
    else next.delete(name)
    if (name !== 'offset') next.delete('offset')
    const text = next.toString()
    navigate(`/platform/provisioning-log${text ? `?${text}` : ''}`, { replace: true })
  }
  const select = (name: Filter, label: string, options: [string, string][]) => (
    <label className="filter">
      <span>{label}</span>
      <select value={filters[name]} onChange={(e) => set(name, e.target.value)}>
        <option value="">All</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )

  return (
    <>
      <PageHeader title="Provisioning log">
        What your identity provider sent, and what Muster answered. Newest first.
      </PageHeader>
      <section className="card">
        <div className="filters">
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
            ['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [m, m]),
          )}
          {select(
            'apiKeyId',
            'API key',
            (keys.data?.keys ?? []).map((k) => [k.id, `${k.name} (${k.truncated})`]),
          )}
          <label className="filter">
            <span>From</span>
            <input
              type="datetime-local"
              value={toLocal(filters.from)}
              onChange={(e) => set('from', toInstant(e.target.value) ?? '')}
            />
          </label>
          <label className="filter">
            <span>To</span>
            <input
              type="datetime-local"
              value={toLocal(filters.to)}
              onChange={(e) => set('to', toInstant(e.target.value) ?? '')}
            />
          </label>
          {FILTERS.some((f) => filters[f]) && (
            <button
              type="button"
              className="button-small"
              onClick={() => navigate('/platform/provisioning-log', { replace: true })}
            >
              Clear filters
            </button>
          )}
        </div>
        {events.loading && !events.data && <Loading />}
        {events.error && <ErrorMessage error={events.error} onRetry={events.reload} />}
        {events.data && events.data.events.length === 0 && (
          <p className="empty">
            No events
            {FILTERS.some((f) => filters[f])
              ? ' match these filters'
              : ' yet: they appear as soon as your identity provider writes'}
            .
          </p>
        )}
        {events.data && events.data.events.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={events.loading}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Method</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Result</th>
                  <th scope="col">What changed</th>
                  <th scope="col">Key</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">
                      <Link href={`/platform/provisioning-log/${e.id}`} aria-label={`Event ${e.id} details`}>
                        <Time value={e.createdAt} />
                      </Link>
                    </td>
                    <td className="mono">{e.method}</td>
                    <td>
                      {e.resourceType ?? '—'}
                      <div className="mono small muted">{e.path}</div>
                    </td>
                    <td>
                      <Badge tone={statusTone(e.status)}>{e.status}</Badge>
                    </td>
                    <td className="small">
                      {e.error ?? (summarizeChanges(e.changes) || <span className="muted">—</span>)}
                    </td>
                    <td className="small nowrap">{e.apiKeyName ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
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
            onChange={(o) => set('offset', o ? String(o) : '')}
          />
        )}
      </section>
    </>
  )
}
