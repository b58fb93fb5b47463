// /platform/security/event-streams: where this platform's provisioning changes go as signed events
// (RFC 9967 SETs), pushed to a receiver (RFC 8935) or polled by it (RFC 8936). Shows each stream's
// state, backlog, lag, last error and latest deliveries; pause/resume, redeliver, send a test event.
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiError, api } from '../api'
import { ConfirmDialog } from '../components/confirm-dialog'
import { CopyButton } from '../components/copy-button'
import { Badge, ErrorMessage, Field, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'

interface EventStream {
  id: string
  method: 'push' | 'poll'
  url: string | null
  pollUrl?: string
  audience: string
  events: string[] | null
  status: 'enabled' | 'paused' | 'failed'
  createdAt: string
  backlog: number
  lagSeconds: number
  lastError: string | null
  failingSince: string | null
  retryAt: string | null
  lastDeliveredAt: string | null
}

interface Delivery {
  id: number
  createdAt: string
  resourceType: string
  resourceId: string
  state: 'pending' | 'delivered' | 'refused'
  attempts: number
  lastAttemptAt: string | null
  lastStatus: number | null
  lastError: string | null
}

interface StreamList {
  streams: EventStream[]
  eventTypes: string[]
  jwksUrl: string
}

const short = (uri: string) => uri.replace('urn:ietf:params:scim:event:', '')

export function EventStreamsPage() {
  const list = useLoad(() => api<StreamList>('GET', '/events/streams'), [])
  const [open, setOpen] = useState<string>()
  const [deleting, setDeleting] = useState<EventStream>()
  const [error, setError] = useState<ApiError>()
  // State and lag change while the page is open: look again every few seconds.
  useEffect(() => {
    const timer = setInterval(list.reload, 3000)
    return () => clearInterval(timer)
  }, [list.reload])

  const act = async (call: () => Promise<unknown>) => {
    setError(undefined)
    try {
      await call()
      list.reload()
    } catch (reason) {
      setError(reason as ApiError)
    }
  }

  return (
    <>
      <PageHeader title="Event streams">
        Every change your identity provider (or an admin) makes to users, projects and memberships is
        published as a signed event (an RFC 9967 SET). A <strong>push</strong> stream posts each event to your
        receiver; a <strong>poll</strong> stream lets the receiver fetch them with one of this platform’s API
        keys. Events arrive at least once and in order per user or project.
      </PageHeader>

      {list.data && (
        <section className="card" aria-labelledby="jwks-title">
          <h2 id="jwks-title">Verifying events</h2>
          <p>Receivers verify each event’s signature with the public keys published at:</p>
          <div className="copy-row">
            <input className="mono" readOnly aria-label="JWKS URL" value={list.data.jwksUrl} />
            <CopyButton value={list.data.jwksUrl} label="Copy JWKS URL" />
          </div>
        </section>
      )}

      <section className="card" aria-labelledby="streams-title">
        <div className="card-head">
          <h2 id="streams-title">Streams</h2>
        </div>
        <CreateStreamForm eventTypes={list.data?.eventTypes ?? []} onCreated={list.reload} />
        {error && <ErrorMessage error={error} />}
        {list.loading && !list.data && <Loading />}
        {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
        {list.data?.streams.length === 0 && <p className="empty">No event streams yet.</p>}
        {list.data?.streams.map((stream) => (
          <StreamCard
            key={stream.id}
            stream={stream}
            open={open === stream.id}
            onToggle={() => setOpen(open === stream.id ? undefined : stream.id)}
            onStatus={(status) => act(() => api('PATCH', `/events/streams/${stream.id}`, { status }))}
            onTest={() => act(() => api('POST', `/events/streams/${stream.id}/test`))}
            onDelete={() => setDeleting(stream)}
          />
        ))}
      </section>

      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this event stream?"
        confirmLabel="Delete stream"
        onConfirm={() =>
          deleting &&
          act(() => api('DELETE', `/events/streams/${deleting.id}`)).then(() => setDeleting(undefined))
        }
        onCancel={() => setDeleting(undefined)}
      >
        <p>
          The receiver gets no further events from this stream, and the {deleting?.backlog ?? 0} events it has
          not received yet are dropped. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}

function StreamCard({
  stream,
  open,
  onToggle,
  onStatus,
  onTest,
  onDelete,
}: {
  stream: EventStream
  open: boolean
  onToggle(): void
  onStatus(status: 'enabled' | 'paused'): void
  onTest(): void
  onDelete(): void
}) {
  const tone = stream.status === 'enabled' ? (stream.failingSince ? 'info' : 'good') : 'bad'
  return (
    <article className="stream" data-testid="stream" aria-label={`Stream ${stream.url ?? stream.pollUrl}`}>
      <div className="stream-head">
        <div>
          <Badge tone={tone}>
            {stream.status === 'enabled' && stream.failingSince ? 'retrying' : stream.status}
          </Badge>{' '}
          <strong>{stream.method === 'push' ? 'Push to' : 'Poll at'}</strong>{' '}
          <span className="mono">{stream.url ?? stream.pollUrl}</span>
        </div>
        <div className="stream-actions">
          {stream.status === 'enabled' ? (
            <button type="button" className="button-small" onClick={() => onStatus('paused')}>
              Pause
            </button>
          ) : (
            <button type="button" className="button-small" onClick={() => onStatus('enabled')}>
              Resume
            </button>
          )}
          <button type="button" className="button-small" onClick={onTest}>
            Send test event
          </button>
          <button type="button" className="button-small" onClick={onToggle} aria-expanded={open}>
            {open ? 'Hide deliveries' : 'Deliveries'}
          </button>
          <button type="button" className="button-small button-danger" onClick={onDelete}>
            Delete
          </button>
        </div>
      </div>
      <dl className="stream-facts">
        <dt>Backlog</dt>
        <dd data-testid="backlog">{stream.backlog}</dd>
        <dt>Lag</dt>
        <dd>{stream.lagSeconds} s</dd>
        <dt>Last delivered</dt>
        <dd>
          <Time value={stream.lastDeliveredAt} empty="never" />
        </dd>
        <dt>Audience</dt>
        <dd className="mono">{stream.audience}</dd>
        <dt>Events</dt>
        <dd>{stream.events ? stream.events.map(short).join(', ') : 'all'}</dd>
        {stream.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="stream-error">{stream.lastError}</dd>
          </>
        )}
        {stream.status === 'failed' && (
          <>
            <dt>Failed</dt>
            <dd className="stream-error">
              Delivery kept failing since <Time value={stream.failingSince} />. Fix the receiver, then Resume.
            </dd>
          </>
        )}
        {stream.retryAt && stream.status === 'enabled' && (
          <>
            <dt>Next try</dt>
            <dd>
              <Time value={stream.retryAt} />
            </dd>
          </>
        )}
      </dl>
      {open && <Deliveries streamId={stream.id} />}
    </article>
  )
}

function Deliveries({ streamId }: { streamId: string }) {
  const detail = useLoad(
    () => api<{ deliveries: Delivery[] }>('GET', `/events/streams/${streamId}`),
    [streamId],
  )
  const [from, setFrom] = useState('')
  const [result, setResult] = useState<string>()
  const [error, setError] = useState<ApiError>()
  useEffect(() => {
    const timer = setInterval(detail.reload, 3000)
    return () => clearInterval(timer)
  }, [detail.reload])
  const redeliver = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    try {
      const iso = from ? new Date(from).toISOString() : ''
      const { count } = await api<{ count: number }>('POST', `/events/streams/${streamId}/redeliver`, {
        from: iso,
      })
      setResult(`${count} event${count === 1 ? '' : 's'} will be delivered again.`)
      detail.reload()
    } catch (reason) {
      setError(reason as ApiError)
    }
  }
  return (
    <div className="stream-deliveries">
      <form className="inline-form" onSubmit={redeliver} noValidate>
        <Field
          label="Redeliver from"
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          error={error?.fields.from}
        />
        <button type="submit" className="button-small">
          Redeliver
        </button>
        {result && <span aria-live="polite">{result}</span>}
      </form>
      {detail.data && detail.data.deliveries.length === 0 && <p className="empty">No deliveries yet.</p>}
      {detail.data && detail.data.deliveries.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Resource</th>
                <th scope="col">Outcome</th>
                <th scope="col">Tries</th>
                <th scope="col">Last try</th>
              </tr>
            </thead>
            <tbody data-testid="deliveries">
              {detail.data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Time value={d.createdAt} />
                  </td>
                  <td className="mono">
                    {d.resourceType === 'Stream' ? 'test event' : `${d.resourceType}s/${d.resourceId}`}
                  </td>
                  <td>
                    <Badge tone={d.state === 'delivered' ? 'good' : d.state === 'refused' ? 'bad' : 'info'}>
                      {d.state}
                    </Badge>{' '}
                    {d.lastStatus !== null && <span className="muted">HTTP {d.lastStatus}</span>}{' '}
                    {d.lastError && <span className="stream-error">{d.lastError}</span>}
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    <Time value={d.lastAttemptAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

function CreateStreamForm({ eventTypes, onCreated }: { eventTypes: string[]; onCreated(): void }) {
  const [method, setMethod] = useState<'push' | 'poll'>('push')
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await api('POST', '/events/streams', {
        method,
        ...(method === 'push' ? { url } : {}),
        ...(events.length ? { events } : {}),
      })
      setUrl('')
      setEvents([])
      onCreated()
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="stream-form" onSubmit={submit} noValidate aria-label="New event stream">
      <fieldset>
        <legend>Delivery</legend>
        <label>
          <input type="radio" name="method" checked={method === 'push'} onChange={() => setMethod('push')} />{' '}
          Push to a URL
        </label>
        <label>
          <input type="radio" name="method" checked={method === 'poll'} onChange={() => setMethod('poll')} />{' '}
          Poll with an API key
        </label>
      </fieldset>
      {method === 'push' && (
        <Field
          label="Receiver URL"
          placeholder="https://receiver.example.com/scim-events"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={error?.fields.url}
        />
      )}
      <details>
        <summary>Event types (all when none is chosen)</summary>
        <div className="checkbox-grid">
          {eventTypes.map((uri) => (
            <label key={uri}>
              <input
                type="checkbox"
                checked={events.includes(uri)}
                onChange={(e) =>
                  setEvents(e.target.checked ? [...events, uri] : events.filter((x) => x !== uri))
                }
              />{' '}
              {short(uri)}
            </label>
          ))}
        </div>
        {error?.fields.events && <p className="stream-error">{error.fields.events}</p>}
      </details>
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create stream'}
      </button>
      {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
    </form>
  )
}
