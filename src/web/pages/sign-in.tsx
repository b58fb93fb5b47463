// Sign-in with email and password. The server answers every failure the same way; this page shows
// its message and the field messages next to the fields.
import { type FormEvent, useState } from 'react'
import { type ApiError, api } from '../api'
import { ErrorMessage, Field } from '../components/ui'

export function SignInPage({ onSignedIn }: { onSignedIn(next: string): void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const next = new URLSearchParams(window.location.search).get('next') ?? ''

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
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span>Muster</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Platform admins sign in to manage API keys, users and provisioning.</p>
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
        <p className="hint">
          First time? Open the one-time setup link that Muster printed when it first started.
        </p>
      </form>
    </main>
  )
}
