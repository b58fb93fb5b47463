// The result of a Test sign-in: accepted or refused and why, and what the IdP sent (claims, NameID,
// issuer, conditions), never the raw XML or a token.
import { api, type TestResult } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>
  // One value per line; a multi-valued attribute may repeat a value, so no keyed list.
  if (Array.isArray(value)) return <div className="pre-line">{value.map(String).join('\n')}</div>
  if (typeof value === 'object') return <Pairs data={value as Record<string, unknown>} />
  return <>{String(value)}</>
}

function Pairs({ data }: { data: Record<string, unknown> }) {
  const entries = Object.entries(data)
  if (entries.length === 0) return <span className="muted">none</span>
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt className="mono small">{key}</dt>
          <dd className="mono small">
            <Value value={value} />
          </dd>
        </div>
      ))}
    </dl>
  )
}

export function SsoTestResultPage({ id }: { id: string }) {
  const result = useLoad(() => api<TestResult>('GET', `/sso/test-results/${encodeURIComponent(id)}`), [id])
  if (result.error) return <ErrorMessage error={result.error} onRetry={result.reload} />
  if (!result.data) return <Loading />
  const r = result.data
  const { attributes, claims, ...rest } = r.received as {
    attributes?: Record<string, unknown>
    claims?: Record<string, unknown>
  }
  return (
    <>
      <PageHeader title="Test sign-in result">
        <Link href="/platform/security/sso">← Single sign-on</Link>
      </PageHeader>
      <section className={`card ${r.accepted ? 'card-highlight' : ''}`} data-testid="test-outcome">
        <div className="card-head">
          <h2>{r.title}</h2>
          {r.accepted ? <Badge tone="good">Accepted</Badge> : <Badge tone="bad">Refused</Badge>}
        </div>
        <p>{r.message}</p>
        {r.detail && <p className="mono small">{r.detail}</p>}
        {r.advice && (
          <p>
            <strong>What to do:</strong> {r.advice}
          </p>
        )}
        <dl className="details">
          <div>
            <dt>Protocol</dt>
            <dd>{r.protocol === 'saml' ? 'SAML 2.0' : 'OpenID Connect'}</dd>
          </div>
          <div>
            <dt>Person</dt>
            <dd>{r.subject ?? '—'}</dd>
          </div>
          {r.code && (
            <div>
              <dt>Reason code</dt>
              <dd className="mono">{r.code}</dd>
            </div>
          )}
          <div>
            <dt>Tested</dt>
            <dd>
              <Time value={r.createdAt} />
            </dd>
          </div>
        </dl>
        <p className="hint">
          Test mode: every check ran, no session was created
          {r.user?.wouldCreate ? ' and no user was created' : ''}.
          {!r.verified &&
            ' The values below were not verified (the response was refused before or at its signature).'}
        </p>
      </section>
      <section className="card">
        <h2>{r.protocol === 'saml' ? 'Attributes' : 'Claims'}</h2>
        <Pairs data={(attributes ?? claims ?? {}) as Record<string, unknown>} />
      </section>
      {r.protocol === 'saml' && (
        <section className="card">
          <h2>Assertion</h2>
          <Pairs data={rest} />
        </section>
      )}
    </>
  )
}
