// One user: who they are as SCIM holds them, where they came from, their projects with effective
// roles, how they last signed in, and their recent provisioning events. Access changes ask first.
import type { ReactNode } from 'react'
import { api, type Me, type ProjectRole, type User } from '../api'
import { Badge, ErrorMessage, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { IDP_NOTE, UserAccess } from '../components/user-access'
import { Link } from '../router'
import { changeLines } from './changes'
import { fullName, SOURCE_LABEL } from './users'

/** A user's own events name no other user. */
const NO_NAMES = new Map()

/** The provisioning log's pages (an event, and the log filtered by user). */
const LOG = '/platform/provisioning-log'

interface UserDetail {
  user: User
  scim: Record<string, unknown>
  lastSignIn: { method: 'password' | 'saml' | 'oidc'; at: string } | null
  events: {
    id: number
    createdAt: string
    method: string
    path: string
    status: number
    actor: string
    changes: Record<string, unknown> | null
  }[]
}

const METHOD: Record<'password' | 'saml' | 'oidc', string> = {
  password: 'Password',
  saml: 'Single sign-on (SAML)',
  oidc: 'Single sign-on (OpenID Connect)',
}
const ACTOR: Record<string, string> = {
  scim: 'Identity provider (SCIM)',
  console: 'Console',
  sso: 'Single sign-on',
}
const SOURCE_TEXT: Record<User['source'], string> = {
  scim: 'Provisioned by your identity provider over SCIM.',
  sso: 'Created at their first single sign-on.',
  local: 'Created in Muster with the setup link.',
}

export function UserPage({ id, me }: { id: string; me: Me }) {
  const detail = useLoad(() => api<UserDetail>('GET', `/users/${encodeURIComponent(id)}`), [id])
  const back = (
    <p className="breadcrumb">
      <Link href="/platform/users">← Users</Link>
    </p>
  )
  if (detail.error) {
    return (
      <>
        {back}
        <ErrorMessage
          error={detail.error}
          onRetry={detail.error.status === 404 ? undefined : detail.reload}
        />
      </>
    )
  }
  if (!detail.data) return <Loading />
  const { user, scim, lastSignIn, events } = detail.data
  const signIn: ReactNode = lastSignIn ? (
    <>
      {METHOD[lastSignIn.method]}, last on <Time value={lastSignIn.at} />
    </>
  ) : (
    <span className="muted">Never signed in{user.hasPassword ? ' (has a console password)' : ''}</span>
  )
  const rows: [string, ReactNode][] = [
    ['Email (userName)', user.email],
    [
      'Name',
      fullName(user) ?? (
        <span key="n" className="muted">
          —
        </span>
      ),
    ],
    [
      'External ID',
      user.externalId ? (
        <span key="x" className="mono">
          {user.externalId}
        </span>
      ) : (
        <span key="x" className="muted">
          —
        </span>
      ),
    ],
    ['Source', `${SOURCE_LABEL[user.source]}. ${SOURCE_TEXT[user.source]}`],
    ['Sign-in', signIn],
    ['Created', <Time key="c" value={user.createdAt} />],
    ['Last change', <Time key="u" value={user.updatedAt} />],
  ]
  return (
    <>
      {back}
      <PageHeader title={fullName(user) ?? user.email}>
        {user.email} · {user.platformRole} ·{' '}
        <Badge tone={user.status === 'ACTIVE' ? 'good' : 'bad'}>
          {user.status === 'ACTIVE' ? 'Active' : 'Inactive'}
        </Badge>
      </PageHeader>

      <section className="card" aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        {user.source === 'scim' && <p className="idp-note">{IDP_NOTE}</p>}
        <UserAccess user={user} self={user.id === me.user.id} onChanged={detail.reload} layout="page" />
      </section>

      <section className="card" aria-labelledby="about-title">
        <h2 id="about-title">About</h2>
        <dl className="details details-words">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="card" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects and effective roles</h2>
        {user.projects.length === 0 ? (
          <p className="empty">Not a member of any project.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Project role</th>
                  <th scope="col">Effective role</th>
                </tr>
              </thead>
              <tbody>
                {user.projects.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/platform/projects/${p.id}`}>{p.displayName}</Link>
                    </td>
                    <td>
                      {p.role}
                      <div className="muted small">
                        {p.roleExplicit ? 'set by an admin' : 'follows the project'}
                      </div>
                    </td>
                    <td>
                      <EffectiveRole role={p.role} effective={p.effectiveRole} user={user} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="events-title">
        <div className="card-head">
          <h2 id="events-title">Recent events</h2>
          <Link href={`${LOG}?user=${encodeURIComponent(user.id)}`}>
            All of this user’s events in the log
          </Link>
        </div>
        {events.length === 0 ? (
          <p className="empty">No provisioning events for this user are kept.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Request</th>
                  <th scope="col">Result</th>
                  <th scope="col">What changed</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link href={`${LOG}/${e.id}`}>
                        <Time value={e.createdAt} />
                      </Link>
                    </td>
                    <td className="mono small">
                      {e.method} {e.path}
                    </td>
                    <td>
                      <Badge tone={e.status < 400 ? 'good' : 'bad'}>{e.status}</Badge>
                    </td>
                    <td className="small">
                      {changeLines(e.changes, NO_NAMES).join('; ') || <span className="muted">—</span>}
                    </td>
                    <td>{ACTOR[e.actor] ?? e.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="scim-title">
        <h2 id="scim-title">As SCIM holds it</h2>
        <p className="muted">
          What <span className="mono">GET /Users/{'{id}'}</span> answers your identity provider.
        </p>
        <pre className="code scim-json">{JSON.stringify(scim, null, 2)}</pre>
      </section>
    </>
  )
}

/** The effective role, and why when it is not the project role. */
export function EffectiveRole({
  role,
  effective,
  user,
}: {
  role: ProjectRole
  effective: ProjectRole | null
  user: Pick<User, 'platformRole' | 'status'>
}) {
  if (effective === null) {
    return (
      <>
        <Badge tone="bad">None</Badge> <span className="muted small">(inactive)</span>
      </>
    )
  }
  return (
    <>
      <Badge tone={effective === role ? 'neutral' : 'info'}>{effective}</Badge>
      {effective !== role && <span className="muted small"> (raised by {user.platformRole})</span>}
    </>
  )
}
