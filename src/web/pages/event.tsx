// One provisioning event in full.
import type { ReactNode } from 'react'
import { api, type LogEvent } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'
import { statusTone } from './events'

export function EventPage({ id }: { id: string }) {
  const event = useLoad(() => api<{ event: LogEvent }>('GET', `/events/${encodeURIComponent(id)}`), [id])
  const back = (
    <p className="breadcrumb">
      <Link href="/platform/provisioning-log">← Provisioning log</Link>
    </p>
  )
  if (event.error) {
    return (
      <>
        {back}
        <ErrorMessage error={event.error} onRetry={event.error.status === 404 ? undefined : event.reload} />
      </>
    )
  }
  if (!event.data) return <Loading />
  const e = event.data.event
  const rows: [string, ReactNode][] = [
    ['Time', <Time key="t" value={e.createdAt} />],
    ['Request', <span className="mono" key="r">{`${e.method} ${e.path}`}</span>],
    [
      'Result',
      <Badge key="s" tone={statusTone(e.status)}>
        {e.status}
      </Badge>,
    ],
    ['Resource', e.resourceType ? `${e.resourceType} ${e.resourceId ?? ''}` : '—'],
    ['API key', e.apiKeyName ?? e.apiKeyId ?? '—'],
    ['Duration', `${e.durationMs} ms`],
    [
      'Request id',
      <span className="mono" key="q">
        {e.requestId ?? '—'}
      </span>,
    ],
  ]
  if (e.error) rows.push(['Error', e.error])
  return (
    <>
      {back}
      <PageHeader title={`${e.method} ${e.resourceType ?? e.path}`} />
      <section className="card">
        <dl className="details">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <h2>What changed</h2>
        {e.changes ? (
          <pre className="code">{JSON.stringify(e.changes, null, 2)}</pre>
        ) : (
          <p className="muted">Nothing recorded.</p>
        )}
      </section>
    </>
  )
}
