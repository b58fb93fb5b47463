// Sign-in, in two modes. Password (admins): the server answers every failure the same way; this page
// shows its message and the field messages next to the fields. "Sign in with SSO" (`?sso`): an email
// whose domain a platform claims goes to that platform's identity provider; the answer depends on
// the domain only, never on whether such a person exists. When this browser's session was ended by a
// role change or a deactivation, the page says so (and when) above the form.
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiError, api, type SessionEnded } from '../api'
import { ErrorMessage, Field, formatTime } from '../components/ui'
import { Link, useLocation } from '../router'

function Brand() {
  return (
    <div className="brand brand-large">
      <span className="brand-mark" aria-hidden="true">
        M
      </span>
      <span>Muster</span>
    </div>
  )
}

/** Why the last session of this browser ended, if a role change or deactivation ended it. */
function useSessionEnded(): SessionEnded | undefined {
  const [ended, setEnded] = useState<SessionEnded>()
  useEffect(() => {
    api<{ ended: SessionEnded | null }>('GET', '/auth/session').then(
      (answer) => setEnded(answer.ended ?? undefined),
      () => {},
    )
  }, [])
  return ended
}

const ENDED_TITLES: Record<SessionEnded['reason'], string> = {
  role_changed: 'Your role changed',
  deactivated: 'Your account was deactivated',
  deleted: 'Your account was deleted',
}

function SessionEndedNotice({ ended }: { ended: SessionEnded }) {
  return (
    <div className="alert alert-warning" role="alert" data-testid="session-ended">
      <strong>{ENDED_TITLES[ended.reason]}</strong>
      <p>
        {ended.message} This happened at <time dateTime={ended.endedAt}>{formatTime(ended.endedAt)}</time>.
      </p>
    </div>
  )
}

function SsoForm({ next, ended }: { next: string; ended: SessionEnded | undefined }) {
  const [email, setEmail] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [message, setMessage] = useState<string>()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    setMessage(undefined)
    try {
      const answer = await api<{ redirect: string | null; message?: string }>('POST', '/auth/sso', {
        email,
        ...(next ? { next } : {}),
      })
      if (answer.redirect) return window.location.assign(answer.redirect)
      setMessage(answer.message)
    } catch (reason) {
      setError(reason as ApiError)
    }
    setBusy(false)
  }

  return (
    <form className="card auth-card" onSubmit={submit} noValidate>
      <Brand />
      <h1>Sign in with SSO</h1>
      {ended && <SessionEndedNotice ended={ended} />}
      <p className="muted">
        Enter your work email: Muster sends you to your organisation’s identity provider.
      </p>
      {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
      <Field
        label="Work email"
        type="email"
        autoComplete="email"
        required
        autoFocus
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={error?.fields.email}
      />
      {message && (
        <p className="alert" role="status">
          {message}
        </p>
      )}
      <button type="submit" className="button-primary button-wide" disabled={busy}>
        {busy ? 'Opening your identity provider…' : 'Continue'}
      </button>
      <p className="hint">
        <Link href={`/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
          Sign in with a password instead
        </Link>
      </p>
    </form>
  )
}

export function SignInPage({ onSignedIn }: { onSignedIn(next: string): void }) {
  const { search } = useLocation()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const next = search.get('next') ?? ''
  const ended = useSessionEnded()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await api('POST', '/auth/sign-in', { email, password })
      onSignedIn(next)
    } catch (reason) {
      setError(reason as ApiError)
      setBusy(false)
    }
  }

  document.title = 'Sign in · Muster'
  if (search.has('sso')) {
    return (
      <main className="auth-page">
        <SsoForm next={next} ended={ended} />
      </main>
    )
  }
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <Brand />
        <h1>Sign in</h1>
        <p className="muted">Platform admins sign in to manage API keys, users and provisioning.</p>
        {ended && <SessionEndedNotice ended={ended} />}
        {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error?.fields.email}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error?.fields.password}
        />
        <button type="submit" className="button-primary button-wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="divider">or</p>
        <Link
          className="button button-wide"
          href={`/sign-in?sso${next ? `&next=${encodeURIComponent(next)}` : ''}`}
        >
          Sign in with SSO
        </Link>
        <p className="hint">
          First time? Open the one-time setup link that Muster printed when it first started.
        </p>
      </form>
    </main>
  )
}
