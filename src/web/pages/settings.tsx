// Platform settings: the default project role of SCIM group members.
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiError, api, type ProjectRole, type Settings } from '../api'
import { ErrorMessage, Loading, PageHeader } from '../components/ui'
import { useLoad } from '../components/use-load'

export function SettingsPage() {
  const settings = useLoad(() => api<Settings>('GET', '/settings'), [])
  const [choice, setChoice] = useState<string>('')
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(false)
  const [error, setError] = useState<ApiError>()
  useEffect(() => setChoice(settings.data?.defaultProjectRole ?? ''), [settings.data])

  const save = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setSaved(false)
    setError(undefined)
    try {
      await api('PATCH', '/settings', { defaultProjectRole: (choice || null) as ProjectRole | null })
      setSaved(true)
      settings.reload()
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }

  if (settings.error) return <ErrorMessage error={settings.error} onRetry={settings.reload} />
  if (!settings.data) return <Loading />
  const data = settings.data
  return (
    <>
      <PageHeader title="Settings">Settings of the platform {data.platform.name}.</PageHeader>
      <form className="card" onSubmit={save}>
        <h2>Default project role for SCIM members</h2>
        <p className="muted">
          Members of a pushed group get this role in its project, unless the group sets its own through{' '}
          <code>urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes:projectRole</code>. Now:{' '}
          <strong>{data.effectiveDefaultProjectRole}</strong>.
        </p>
        <fieldset className="radio-group">
          <legend className="visually-hidden">Default project role</legend>
          {(['', 'Admin', 'Editor', 'Viewer'] as const).map((role) => (
            <label key={role || 'server'}>
              <input
                type="radio"
                name="role"
                value={role}
                checked={choice === role}
                onChange={() => setChoice(role)}
              />
              {role || `Server default (${data.serverDefaultProjectRole}, from SCIM_DEFAULT_PROJECT_ROLE)`}
            </label>
          ))}
        </fieldset>
        {error && <ErrorMessage error={error.fields.defaultProjectRole ?? error} />}
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {saved && (
            <span className="saved" role="status">
              Saved.
            </span>
          )}
        </div>
      </form>
    </>
  )
}
