// The signed-in frame: a navigation bar on the left, the platform and account on top, the page beside.
import { type ReactNode, useState } from 'react'
import { api, type Me } from '../api'
import { Link, navigate } from '../router'

const NAV = [
  { href: '/platform/security/api-keys', label: 'API keys & SCIM' },
  { href: '/platform/security/sso', label: 'Single sign-on' },
  { href: '/platform/security/event-streams', label: 'Event streams' },
  { href: '/platform/users', label: 'Users' },
  { href: '/platform/projects', label: 'Projects' },
  { href: '/platform/provisioning-log', label: 'Provisioning log' },
  { href: '/platform/sign-in-log', label: 'Sign-in log' },
  { href: '/platform/settings', label: 'Settings' },
]

export function Layout({ me, path, children }: { me: Me; path: string; children: ReactNode }) {
  const [signingOut, setSigningOut] = useState(false)
  const signOut = async () => {
    setSigningOut(true)
    await api('POST', '/auth/sign-out').catch(() => {})
    navigate('/sign-in', { replace: true })
  }
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span>Muster</span>
        </div>
        <nav aria-label="Console">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={path.startsWith(item.href) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <a className="sidebar-docs" href="/api/v1/docs">
          Admin API
        </a>
      </aside>
      <div className="content">
        <header className="topbar">
          <span className="platform-name" title={`Platform ${me.platform.id}`}>
            {me.platform.name}
          </span>
          <span className="account">
            <span className="muted">{me.user.email}</span>
            <button type="button" className="button-small" onClick={signOut} disabled={signingOut}>
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </span>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  )
}
