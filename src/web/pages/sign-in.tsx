// Sign-in: "Sign in with SSO" (an email whose domain a platform claims goes to that platform's
// identity provider; the answer depends on the domain only) and email and password for admins. The
// server answers every password failure the same way; this page shows its message and the field
// messages next to the fields.
import { type FormEvent, useState } from 'react'
import { type ApiError, api } from '../api'
import { ErrorMessage, Field } from '../components/ui'

export function SignInPage({ onSignedIn }: { onSignedIn(next: string): void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const next = new URLSearchParams(window.location.search).get('next') ?? ''
  const [ssoEmail, setSsoEmail] = useState('')
  const [ssoBusy, setSsoBusy] = useState(false)
  const [ssoError, setSsoError] = useState<ApiError>()
  const [ssoMessage, setSsoMessage] = useState<string>()

  const sso = async (event: FormEvent) => {
    event.preventDefault()
    setSsoBusy(true)
    setSsoError(undefined)
    setSsoMessage(undefined)
    try {
      const answer = await api<{ redirect: string | null; message?: string }>('POST', '/auth/sso', {
        email: ssoEmail,
        ...(next ? { next } : {}),
      })
      if (answer.redirect) return window.location.assign(answer.redirect)
      setSsoMessage(answer.message)
    } catch (reason) {
      setSsoError(reason as ApiError)
    }
    setSsoBusy(false)
  }

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
      <div className="card auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span>Muster</span>
        </div>
        <h1>Sign in</h1>
        <form onSubmit={sso} noValidate aria-label="Sign in with SSO">
          <Field
            label="Work email"
            type="email"
            autoComplete="email"
            value={ssoEmail}
            onChange={(e) => setSsoEmail(e.target.value)}
            error={ssoError?.fields.email}
          />
          {ssoError && !Object.keys(ssoError.fields).length && <ErrorMessage error={ssoError} />}
          {ssoMessage && (
            <p className="alert" role="status">
              {ssoMessage}
            </p>
          )}
          <button type="submit" className="button-primary button-wide" disabled={ssoBusy}>
            {ssoBusy ? 'Opening your identity provider…' : 'Sign in with SSO'}
          </button>
        </form>
        <p className="divider">or, for platform admins, with a password</p>
        <form onSubmit={submit} noValidate aria-label="Sign in with a password">
          {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
          <Field
            label="Email"
            type="email"
            autoComplete="username"
            required
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
          <button type="submit" className="button-wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <p className="hint">
            First time? Open the one-time setup link that Muster printed when it first started.
          </p>
        </form>
      </div>
    </main>
  )
}
