// The page of a person signed in through single sign-on: their platform role, their projects with
// effective roles (the higher of the project role and what the platform role implies), and sign-out.
import { useState } from 'react'
import { type Account, api } from '../api'
import { Badge, ErrorMessage, Loading } from '../components/ui'
import { useLoad } from '../components/use-load'
import { HOME, Link, navigate } from '../router'

const ROLE_TEXT = {
  ADMIN: 'Platform admin: Admin of every project, and the console.',
  OPERATOR: 'Operator: at least Editor of every project.',
  MEMBER: 'Member: the role each project gives you.',
} as const

export function AccountPage() {
  const account = useLoad(() => api<Account>('GET', '/account'), [])
  const [signingOut, setSigningOut] = useState(false)
  const signOut = async () => {
    setSigningOut(true)
    await api('POST', '/auth/sign-out').catch(() => {})
    navigate('/sign-in', { replace: true })
  }
  document.title = 'Your account · Muster'
  if (account.error) {
    return (
      <main className="account-page">
        <ErrorMessage error={account.error} onRetry={account.reload} />
      </main>
    )
  }
  if (!account.data) {
    return (
      <main className="account-page">
        <Loading />
      </main>
    )
  }
  const { user, platform, projects, consoleAccess } = account.data
  return (
    <main className="account-page">
      <header className="topbar">
        <span className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span>Muster</span>
        </span>
        <span className="account">
          <span className="muted">{user.email}</span>
          <button type="button" className="button-small" onClick={signOut} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </span>
      </header>
      <section className="card">
        <h1>
          {user.displayName ?? ([user.firstName, user.lastName].filter(Boolean).join(' ') || user.email)}
        </h1>
        <dl className="details">
          <div>
            <dt>Platform</dt>
            <dd>{platform.name}</dd>
          </div>
          <div>
            <dt>Platform role</dt>
            <dd>
              <Badge tone="info">{user.platformRole}</Badge>{' '}
              <span className="muted small">{ROLE_TEXT[user.platformRole]}</span>
            </dd>
          </div>
        </dl>
        {consoleAccess && <Link href={HOME}>Open the console →</Link>}
      </section>
      <section className="card" aria-labelledby="projects-title">
        <h2 id="projects-title">Your projects</h2>
        {projects.length === 0 ? (
          <p className="empty">You are not a member of any project yet.</p>
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
                {projects.map((p) => (
                  <tr key={p.id}>
                    <td>{p.displayName}</td>
                    <td>{p.role}</td>
                    <td>
                      <strong>{p.effectiveRole}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </main>
  )
}
