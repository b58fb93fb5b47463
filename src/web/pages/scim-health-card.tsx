// How provisioning is going, at a glance: the last SCIM request in the log, refused and failed requests
// of the last 24 hours (linking to the log filtered to them), and which client last used each key.
import type { ScimHealth } from '../api'
import { api } from '../api'
import { ErrorMessage, Loading, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'

/** A User-Agent in a person's words where the client is known. */
function clientName(agent: string | null): string {
  if (!agent) return 'unknown client'
  if (/Azure AD SCIM|Microsoft/i.test(agent)) return `Microsoft Entra ID (${agent})`
  if (/Okta/i.test(agent)) return `Okta (${agent})`
  return agent
}

export function ScimHealthCard() {
  const health = useLoad(() => api<ScimHealth>('GET', '/scim-health'), [])
  const data = health.data
  return (
    <section className="card" aria-labelledby="health-title" data-testid="scim-health">
      <div className="card-head">
        <h2 id="health-title">SCIM health</h2>
        <button type="button" className="button-small" onClick={health.reload} disabled={health.loading}>
          Refresh
        </button>
      </div>
      {health.loading && !data && <Loading />}
      {health.error && <ErrorMessage error={health.error} onRetry={health.reload} />}
      {data && (
        <dl className="health">
          <div>
            <dt>Last SCIM request</dt>
            <dd data-testid="health-last">
              {data.lastRequest ? (
                <>
                  <Link href={`/platform/provisioning-log/${data.lastRequest.id}`} className="mono">
                    {data.lastRequest.method} {data.lastRequest.path}
                  </Link>{' '}
                  → {data.lastRequest.status}
                  <br />
                  <Time value={data.lastRequest.at} />
                  {data.lastRequest.apiKeyName && <> with “{data.lastRequest.apiKeyName}”</>}
                </>
              ) : (
                <span className="muted">None yet: no identity provider has sent a change.</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Errors in the last 24 hours</dt>
            <dd data-testid="health-errors">
              {data.errors.count === 0 ? (
                'None'
              ) : (
                <Link
                  href={`/platform/provisioning-log?status=failure&from=${encodeURIComponent(data.errors.since)}`}
                >
                  {data.errors.count} refused or failed {data.errors.count === 1 ? 'request' : 'requests'}
                </Link>
              )}
            </dd>
          </div>
          <div>
            <dt>Keys in use</dt>
            <dd data-testid="health-keys">
              {data.keys.length === 0 ? (
                <span className="muted">No key has been used yet.</span>
              ) : (
                <ul className="plain-list">
                  {data.keys.map((key) => (
                    <li key={key.id}>
                      <strong>{key.name}</strong> <span className="mono">{key.truncated}</span>: last used by{' '}
                      {clientName(key.lastClient)}, <Time value={key.lastUsedAt} />
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        </dl>
      )}
      <p className="hint">
        The log holds SCIM changes and refused requests; reads (such as a connection test) only move a key’s
        “last used”, at most once a minute.
      </p>
    </section>
  )
}
