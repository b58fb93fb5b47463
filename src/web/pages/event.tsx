// One provisioning event in full: who, what, the attribute changes old → new, the members by name, and
// the request and response bodies (redacted) while they are kept.
import type { ReactNode } from 'react'
import { api, type EventDetail, type Named } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'
import { membersOf, Person, ValuesTable, valuesOf } from './changes'
import { actorText, Subject, statusTone } from './events'

/** A kept body indented for reading; a body cut at its size limit is shown as it is. */
function readable(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body
  }
}

export function EventPage({ id }: { id: string }) {
  const event = useLoad(
    () => api<{ event: EventDetail; names: Named[] }>('GET', `/events/${encodeURIComponent(id)}`),
    [id],
  )
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
  const names = new Map(event.data.names.map((n) => [n.id, n]))
  const changes = e.changes ?? {}
  const values = valuesOf(e.changes)
  const members = membersOf(e.changes)
  const role = changes.memberRole as { userId?: string; from?: string; to?: string } | undefined
  const rows: [string, ReactNode][] = [
    ['Time', <Time key="t" value={e.createdAt} />],
    ['By', actorText(e)],
    ['User or group', <Subject key="s" e={e} />],
    ['Request', <span className="mono" key="r">{`${e.method} ${e.path}`}</span>],
    [
      'Result',
      <Badge key="b" tone={statusTone(e.status)}>
        {e.status}
      </Badge>,
    ],
    ['Duration', `${e.durationMs} ms`],
    [
      'Request id',
      e.requestId ? (
        <Link key="q" href={`/platform/provisioning-log?q=${encodeURIComponent(e.requestId)}`}>
          <span className="mono">{e.requestId}</span>
        </Link>
      ) : (
        '—'
      ),
    ],
  ]
  if (e.error) rows.push(['Error', e.error])
  const people = (ids: string[], count: number) => (
    <ul>
      {ids.map((memberId) => (
        <li key={memberId}>
          <Person id={memberId} names={names} />
        </li>
      ))}
      {count > ids.length && <li className="muted">and {count - ids.length} more (not listed)</li>}
    </ul>
  )
  const nothing =
    values.length === 0 &&
    members.addedCount === 0 &&
    members.removedCount === 0 &&
    !role?.userId &&
    changes.deleted !== true
  const title = `${e.method} ${e.resourceType ?? ''} ${e.resourceName ?? ''}`.replace(/\s+/g, ' ').trim()

  return (
    <>
      {back}
      <PageHeader title={title} />
      <section className="card">
        <dl className="details">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card">
        <h2>What changed</h2>
        {changes.deleted === true && <p>Deleted.</p>}
        {values.length > 0 && <ValuesTable values={values} />}
        {members.addedCount > 0 && (
          <>
            <h3>Members added ({members.addedCount})</h3>
            {people(members.added, members.addedCount)}
          </>
        )}
        {members.removedCount > 0 && (
          <>
            <h3>Members removed ({members.removedCount})</h3>
            {people(members.removed, members.removedCount)}
          </>
        )}
        {role?.userId && (
          <p>
            Project role of <Person id={role.userId} names={names} />: {role.from} → {role.to}
          </p>
        )}
        {typeof changes.allMembersRole === 'string' && (
          <p>Members who follow the project’s role now have the role {changes.allMembersRole}.</p>
        )}
        {nothing && (
          <p className="muted">
            {e.status >= 400 ? 'Nothing: the request was refused.' : 'Nothing: the request changed no value.'}
          </p>
        )}
      </section>
      <section className="card">
        <h2>Request and response</h2>
        {e.bodies ? (
          <>
            <h3>Request body</h3>
            {e.bodies.request ? (
              <pre className="code body-block">{readable(e.bodies.request)}</pre>
            ) : (
              <p className="muted">No body.</p>
            )}
            <h3>Response body</h3>
            {e.bodies.response ? (
              <pre className="code body-block">{readable(e.bodies.response)}</pre>
            ) : (
              <p className="muted">No body.</p>
            )}
            <p className="small muted">Passwords, secrets and tokens are replaced by [redacted].</p>
          </>
        ) : (
          <p className="muted">
            Not kept: bodies are kept for a limited time (LOG_BODY_RETENTION_HOURS, 7 days by default), and
            only for requests made through the SCIM API.
          </p>
        )}
      </section>
    </>
  )
}
