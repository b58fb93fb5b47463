// The signed-in frame: a navigation bar on the left, the platform and account on top, the page beside.
// On each move to another page, focus goes to the new page's heading and a live region names the page,
// so keyboard and screen-reader users land where sighted users look (a change of query, such as a
// filter or a page of results, moves neither).
import { type ReactNode, useEffect, useRef, useState } from 'react'
import { api, type Me } from '../api'
import { Link, navigate } from '../router'

const NAV = [
  { href: '/platform/security/api-keys', label: 'API keys & SCIM' },
  { href: '/platform/security/sso', label: 'Single sign-on' },
  { href: '/platform/security/event-streams', label: 'Event streams' },
  { href: '/platform/users', label: 'Users' },
  { href: '/platform/projects', label: 'Projects' },
  { href: '/platform/provisioning-log', label: 'Provisioning log' },
  { href: '/platform/audit-trail', label: 'Audit trail' },
  { href: '/platform/sign-in-log', label: 'Sign-in log' },
  { href: '/platform/settings', label: 'Settings' },
]

/** Focuses the page's heading (or main) and announces the page after a change of path. */
function usePageFocus(path: string, title: string): string {
  const [announced, setAnnounced] = useState('')
  const first = useRef(true)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new path is what moves the focus
  useEffect(() => {
    // The first page of a visit keeps the browser's own focus; later moves are ours to place.
    if (first.current) {
      first.current = false
      return
    }
    const main = document.getElementById('main')
    const heading = main?.querySelector<HTMLElement>('h1') ?? main
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: true })
    }
    setAnnounced(`${heading?.textContent?.trim() || title} page`)
  }, [path, title])
  return announced
}

export function Layout({
  me,
  path,
  title,
  children,
}: {
  me: Me
  path: string
  title: string
  children: ReactNode
}) {
  const [signingOut, setSigningOut] = useState(false)
  const announced = usePageFocus(path, title)
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
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="page-announcer">
        {announced}
      </p>
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
