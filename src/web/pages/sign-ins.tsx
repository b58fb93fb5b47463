// The sign-in log: every password, SAML and OIDC attempt on this platform, newest first, with the
// precise reason of each refusal.
import { api, query, type SignInEvent } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { navigate, useLocation } from '../router'

const LIMIT = 50
const METHODS = { password: 'Password', saml: 'SAML', oidc: 'OIDC' } as const

export function SignInsPage() {
  const { search } = useLocation()
  const outcome = search.get('outcome') ?? ''
  const method = search.get('method') ?? ''
  const offset = Number(search.get('offset') ?? 0) || 0
  const events = useLoad(
    () =>
      api<{ total: number; events: SignInEvent[] }>(
        'GET',
        `/sign-ins${query({ outcome, method, limit: LIMIT, offset: offset || undefined })}`,
      ),
    [outcome, method, offset],
  )
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(search)
    if (value) next.set(name, value)
    else next.delete(name)
    if (name !== 'offset') next.delete('offset')
    const text = next.toString()
    navigate(`/platform/sign-in-log${text ? `?${text}` : ''}`, { replace: true })
  }
  return (
    <>
      <PageHeader title="Sign-in log">
        Every sign-in attempt on this platform (password, SAML, OpenID Connect), accepted or refused with its
        reason.
      </PageHeader>
      <section className="card">
        <div className="filters">
          <label className="filter">
            <span>Outcome</span>
            <select value={outcome} onChange={(e) => set('outcome', e.target.value)}>
              <option value="">All</option>
              <option value="accepted">Accepted</option>
              <option value="refused">Refused</option>
            </select>
          </label>
          <label className="filter">
            <span>Method</span>
            <select value={method} onChange={(e) => set('method', e.target.value)}>
              <option value="">All</option>
              {Object.entries(METHODS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {events.loading && !events.data && <Loading />}
        {events.error && <ErrorMessage error={events.error} onRetry={events.reload} />}
        {events.data && events.data.events.length === 0 && <p className="empty">No sign-in attempts yet.</p>}
        {events.data && events.data.events.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={events.loading}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Method</th>
                  <th scope="col">Person</th>
                  <th scope="col">Result</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">
                      <Time value={e.createdAt} />
                    </td>
                    <td>
                      {METHODS[e.method]}
                      {e.test && (
                        <>
                          {' '}
                          <Badge tone="info">test</Badge>
                        </>
                      )}
                    </td>
                    <td className="small">
                      {e.subject ?? <span className="muted">—</span>}
                      {e.userEmail && e.userEmail !== e.subject && <div className="muted">{e.userEmail}</div>}
                    </td>
                    <td>
                      {e.outcome === 'accepted' ? (
                        <Badge tone="good">Accepted</Badge>
                      ) : (
                        <Badge tone="bad">Refused</Badge>
                      )}
                    </td>
                    <td className="small">
                      {e.reason && <div className="mono">{e.reason}</div>}
                      {e.message}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {events.data && (
          <Pager
            noun="attempts"
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
