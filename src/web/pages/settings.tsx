// Platform settings: the default project role of SCIM group members.
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiError, api, type ProjectRole, query, type Settings } from '../api'
import { type RoleImpact, RoleImpactDialog } from '../components/role-impact'
import { ErrorMessage, Loading, PageHeader } from '../components/ui'
import { useLoad } from '../components/use-load'

export function SettingsPage() {
  const settings = useLoad(() => api<Settings>('GET', '/settings'), [])
  const [choice, setChoice] = useState<string>('')
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [impact, setImpact] = useState<RoleImpact>()
  useEffect(() => setChoice(settings.data?.defaultProjectRole ?? ''), [settings.data])

  // First whom the change moves (members who follow the default), then the change once confirmed.
  const review = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setSaved(false)
    setError(undefined)
    try {
      setImpact(await api<RoleImpact>('GET', `/projects/default-role-impact${query({ role: choice })}`))
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }

  const save = async () => {
    setBusy(true)
    setSaved(false)
    setError(undefined)
    try {
      await api('PATCH', '/settings', { defaultProjectRole: (choice || null) as ProjectRole | null })
      setSaved(true)
      setImpact(undefined)
      settings.reload()
    } catch (reason) {
      setError(reason as ApiError)
      setImpact(undefined)
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
      <form className="card" onSubmit={review}>
        <h2>Default project role for SCIM members</h2>
        <p className="muted">
          Members of a project that has no role of its own (set by the group’s{' '}
          <code>urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes:projectRole</code> or on
          the project’s page) have this role, old and new members alike, unless an admin set their role by
          hand. Now: <strong>{data.effectiveDefaultProjectRole}</strong>. You see whom a change moves before
          it is saved.
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
            {busy ? 'Working…' : 'Review and save…'}
          </button>
          {saved && (
            <span className="saved" role="status">
              Saved.
            </span>
          )}
        </div>
      </form>
      <RoleImpactDialog
        open={impact !== undefined}
        title={`Change the default project role to ${impact?.role ?? ''}?`}
        impact={impact}
        busy={busy}
        showProject
        onConfirm={save}
        onCancel={() => {
          if (!busy) setImpact(undefined)
        }}
      />
    </>
  )
}
