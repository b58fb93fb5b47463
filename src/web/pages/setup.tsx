// The first-admin page behind the one-time link printed at first start. A bad, used or expired link
// gets a page that says so and what to do instead.
import { type FormEvent, useState } from 'react'
import { type ApiError, api } from '../api'
import { ErrorMessage, Field, Loading } from '../components/ui'
import { useLoad } from '../components/use-load'

interface Grant {
  platform: { id: string; name: string }
  email: string | null
}

export function SetupPage({ token, onDone }: { token: string; onDone(): void }) {
  const grant = useLoad(() => api<Grant>('GET', `/setup/${encodeURIComponent(token)}`), [token])
  document.title = 'Set up Muster'

  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span>Muster</span>
        </div>
        {grant.loading && <Loading label="Checking the setup link…" />}
        {grant.error?.status === 404 && <BadLink />}
        {grant.error && grant.error.status !== 404 && (
          <ErrorMessage error={grant.error} onRetry={grant.reload} />
        )}
        {grant.data && <SetupForm token={token} grant={grant.data} onDone={onDone} />}
      </div>
    </main>
  )
}

function BadLink() {
  return (
    <section>
      <h1>This setup link does not work</h1>
      <p>It is invalid, has expired (links last 7 days) or was already used: each link works once.</p>
      <ul className="plain-list">
        <li>
          If you already created your admin account, <a href="/sign-in">sign in</a>.
        </li>
        <li>
          Otherwise ask whoever runs Muster for a new link. On the server,{' '}
          <code>npx muster platform setup-link --platform …</code> prints a fresh link for an existing
          platform.
        </li>
      </ul>
    </section>
  )
}

function SetupForm({ token, grant, onDone }: { token: string; grant: Grant; onDone(): void }) {
  const [form, setForm] = useState({
    email: grant.email ?? '',
    firstName: '',
    lastName: '',
    password: '',
    confirm: '',
  })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [confirmError, setConfirmError] = useState<string>()
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value })

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (form.password !== form.confirm) return setConfirmError('The passwords do not match.')
    setConfirmError(undefined)
    setBusy(true)
    try {
      const { confirm: _confirm, ...body } = form
      await api('POST', '/setup', { token, ...body })
      onDone()
    } catch (reason) {
      setError(reason as ApiError)
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <h1>Create the first admin</h1>
      <p className="muted">
        For the platform <strong>{grant.platform.name}</strong>. You will be signed in right after.
      </p>
      {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
      <Field
        label="Email"
        type="email"
        autoComplete="username"
        required
        value={form.email}
        onChange={set('email')}
        error={error?.fields.email}
      />
      <div className="field-row">
        <Field
          label="First name"
          autoComplete="given-name"
          value={form.firstName}
          onChange={set('firstName')}
          error={error?.fields.firstName}
        />
        <Field
          label="Last name"
          autoComplete="family-name"
          value={form.lastName}
          onChange={set('lastName')}
          error={error?.fields.lastName}
        />
      </div>
      <Field
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        value={form.password}
        onChange={set('password')}
        error={error?.fields.password}
        hint="At least 12 characters."
      />
      <Field
        label="Repeat the password"
        type="password"
        autoComplete="new-password"
        required
        value={form.confirm}
        onChange={set('confirm')}
        error={confirmError}
      />
      <button type="submit" className="button-primary button-wide" disabled={busy}>
        {busy ? 'Creating…' : 'Create admin and sign in'}
      </button>
    </form>
  )
}
