// Routes of the console. Signed-out pages (sign-in, setup link) stand alone; the rest need a session
// and share the layout. A 401 from any call sends the admin back to sign-in, then back here.
import { Component, type ErrorInfo, type ReactNode, useEffect, useState } from 'react'
import { type ApiError, api, type Me, setUnauthenticatedHandler } from './api'
import { Layout } from './components/layout'
import { ErrorMessage, Loading } from './components/ui'
import { AccountPage } from './pages/account'
import { ApiKeysPage } from './pages/api-keys'
import { AuditPage } from './pages/audit'
import { EventPage } from './pages/event'
import { EventStreamsPage } from './pages/event-streams'
import { EventsPage } from './pages/events'
import { NotFoundPage } from './pages/not-found'
import { ProjectPage } from './pages/project'
import { ProjectsPage } from './pages/projects'
import { SettingsPage } from './pages/settings'
import { SetupPage } from './pages/setup'
import { SignInPage } from './pages/sign-in'
import { SignInsPage } from './pages/sign-ins'
import { SsoPage } from './pages/sso'
import { SsoTestResultPage } from './pages/sso-test-result'
import { UserPage } from './pages/user'
import { UsersPage } from './pages/users'
import { HOME, match, navigate, safeNext, useLocation } from './router'

/** Whether a path is a page of the signed-in console (sign-in's `next` may only go to one). */
function isConsolePage(path: string): boolean {
  const bare = path.split(/[?#]/)[0]?.replace(/\/+$/, '') || '/'
  return bare === '/' || bare === '/account' || signedInPage(bare, undefined).title !== 'Not found'
}

/** A page that throws while rendering shows a message and a way on, never a blank screen. */
class PageBoundary extends Component<{ path: string; children: ReactNode }, { failed?: string }> {
  override state: { failed?: string } = {}
  static getDerivedStateFromError(error: unknown) {
    return { failed: error instanceof Error ? error.message : String(error) }
  }
  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(error, info.componentStack)
  }
  override componentDidUpdate(previous: { path: string }) {
    if (previous.path !== this.props.path && this.state.failed) this.setState({ failed: undefined })
  }
  override render() {
    if (!this.state.failed) return this.props.children
    return (
      <div className="center">
        <div className="alert alert-error" role="alert">
          This page could not be shown ({this.state.failed}). <a href={HOME}>Go to the console home</a>
        </div>
      </div>
    )
  }
}

// `me` is undefined only when asking whether a path is a page at all (isConsolePage).
function signedInPage(path: string, me: Me | undefined): { title: string; page: ReactNode } {
  if (!me) me = {} as Me
  if (path === HOME) return { title: 'API keys', page: <ApiKeysPage me={me} /> }
  if (path === '/platform/security/event-streams')
    return { title: 'Event streams', page: <EventStreamsPage /> }
  if (path === '/platform/users') return { title: 'Users', page: <UsersPage me={me} /> }
  const user = match('/platform/users/:id', path)
  if (user?.id) return { title: 'User', page: <UserPage id={user.id} me={me} /> }
  if (path === '/platform/projects') return { title: 'Projects', page: <ProjectsPage /> }
  const project = match('/platform/projects/:id', path)
  if (project?.id) return { title: 'Project', page: <ProjectPage id={project.id} /> }
  if (path === '/platform/provisioning-log') return { title: 'Provisioning log', page: <EventsPage /> }
  const event = match('/platform/provisioning-log/:id', path)
  if (event?.id) return { title: 'Provisioning event', page: <EventPage id={event.id} /> }
  if (path === '/platform/audit-trail') return { title: 'Audit trail', page: <AuditPage /> }
  if (path === '/platform/settings') return { title: 'Settings', page: <SettingsPage /> }
  if (path === '/platform/security/sso') return { title: 'Single sign-on', page: <SsoPage /> }
  const test = match('/platform/security/sso/test/:id', path)
  if (test?.id) return { title: 'Test sign-in result', page: <SsoTestResultPage id={test.id} /> }
  if (path === '/platform/sign-in-log') return { title: 'Sign-in log', page: <SignInsPage /> }
  return { title: 'Not found', page: <NotFoundPage /> }
}

export function App() {
  const { path } = useLocation()
  const [me, setMe] = useState<Me | null>()
  const [error, setError] = useState<ApiError>()
  const setup = match('/setup/:token', path)
  // The member page stands alone: it asks /account itself and needs no console access.
  const public_ = path === '/sign-in' || path === '/account' || setup !== undefined

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setMe(null)
      const here = window.location.pathname + window.location.search
      if (window.location.pathname !== '/sign-in')
        navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true })
    })
  }, [])

  // Who is signed in: asked once, and again after signing in or out.
  useEffect(() => {
    if (public_ || me) return
    setError(undefined)
    api<Me>('GET', '/auth/me').then(setMe, (reason: ApiError) => {
      // Signed in, but not an admin: their own page is where they belong.
      if (reason.status === 403 && reason.code === 'not_admin') navigate('/account', { replace: true })
      else if (reason.status !== 401) setError(reason)
    })
  }, [public_, me])

  useEffect(() => {
    if (path === '/') navigate(HOME, { replace: true })
  }, [path])

  // `next` comes from the address: anything but a page of this console (another site, javascript:,
  // junk escapes, an unknown path, sign-in itself) lands on the console home instead.
  const signedIn = (next: string) => {
    setMe(undefined)
    const to = safeNext(next)
    navigate(to && isConsolePage(to) ? to : HOME, { replace: true })
  }

  if (setup?.token)
    return (
      <PageBoundary path={path}>
        <SetupPage token={setup.token} onDone={() => signedIn(HOME)} />
      </PageBoundary>
    )
  if (path === '/sign-in')
    return (
      <PageBoundary path={path}>
        <SignInPage onSignedIn={signedIn} />
      </PageBoundary>
    )
  if (path === '/account')
    return (
      <PageBoundary path={path}>
        <AccountPage />
      </PageBoundary>
    )
  if (error) {
    return (
      <div className="center">
        <ErrorMessage error={error} onRetry={() => setMe(undefined)} />
      </div>
    )
  }
  if (!me) {
    return (
      <div className="center">
        <Loading />
      </div>
    )
  }
  const { title, page } = signedInPage(path, me)
  document.title = `${title} · Muster`
  return (
    <Layout me={me} path={path} title={title}>
      <PageBoundary path={path}>{page}</PageBoundary>
    </Layout>
  )
}
