// /platform/security/api-keys: the page the Entra guide sends admins to. Create a key (its secret is
// shown once), list and revoke keys, the SCIM health summary, and the SCIM setup card with the tenant
// URL and a connection test. A new secret takes the focus, so the keyboard is where the copy is.
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { type ApiError, type ApiKey, api, type Me } from '../api'
import { ConfirmDialog } from '../components/confirm-dialog'
import { CopyButton } from '../components/copy-button'
import { Badge, ErrorMessage, Field, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { ScimHealthCard } from './scim-health-card'
import { ScimSetupCard } from './scim-setup-card'

export function ApiKeysPage({ me }: { me: Me }) {
  const keys = useLoad(() => api<{ keys: ApiKey[] }>('GET', '/api-keys'), [])
  const [created, setCreated] = useState<{ name: string; secret: string }>()
  const [revoking, setRevoking] = useState<ApiKey>()
  const [revokeBusy, setRevokeBusy] = useState(false)
  const [revokeError, setRevokeError] = useState<ApiError>()

  const revoke = async () => {
    if (!revoking) return
    setRevokeBusy(true)
    try {
      await api('DELETE', `/api-keys/${revoking.id}`)
      setRevoking(undefined)
      setRevokeError(undefined)
      keys.reload()
    } catch (reason) {
      setRevokeError(reason as ApiError)
      setRevoking(undefined)
    } finally {
      setRevokeBusy(false)
    }
  }

  return (
    <>
      <PageHeader title="API keys">
        An API key is the <strong>secret token</strong> an identity provider (Microsoft Entra ID, Okta, …)
        uses to provision users and groups into this platform over SCIM. Each key works until you revoke it.
      </PageHeader>

      {created && <NewSecret created={created} onDone={() => setCreated(undefined)} />}

      <section className="card" aria-labelledby="keys-title">
        <div className="card-head">
          <h2 id="keys-title">Keys</h2>
        </div>
        <CreateKeyForm
          onCreated={(name, secret) => {
            setCreated({ name, secret })
            keys.reload()
          }}
        />
        {revokeError && <ErrorMessage error={revokeError} />}
        {keys.loading && !keys.data && <Loading />}
        {keys.error && <ErrorMessage error={keys.error} onRetry={keys.reload} />}
        {keys.data && <KeyTable keys={keys.data.keys} onRevoke={setRevoking} />}
      </section>

      <ScimHealthCard />

      <ScimSetupCard scimUrl={me.scimUrl} />

      <ConfirmDialog
        open={revoking !== undefined}
        title="Revoke this API key?"
        confirmLabel="Revoke key"
        busy={revokeBusy}
        onConfirm={revoke}
        onCancel={() => setRevoking(undefined)}
      >
        <p>
          <strong>{revoking?.name}</strong> ({revoking?.truncated}) stops working at once: every identity
          provider using it gets 401 on its next request. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}

function CreateKeyForm({ onCreated }: { onCreated(name: string, secret: string): void }) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const result = await api<{ key: ApiKey; secret: string }>('POST', '/api-keys', { name })
      setName('')
      onCreated(result.key.name, result.secret)
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <Field
        label="New key name"
        placeholder="e.g. Entra ID production"
        value={name}
        maxLength={100}
        onChange={(e) => setName(e.target.value)}
        error={error?.fields.name}
      />
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
      {error && !Object.keys(error.fields).length && <ErrorMessage error={error} />}
    </form>
  )
}

function NewSecret({ created, onDone }: { created: { name: string; secret: string }; onDone(): void }) {
  const input = useRef<HTMLInputElement>(null)
  // Focus (which selects it) goes to the secret as soon as it shows; its copy button is the next stop.
  useEffect(() => {
    if (created.secret) input.current?.focus()
  }, [created.secret])
  return (
    <section className="card card-highlight" aria-labelledby="secret-title" aria-live="polite">
      <h2 id="secret-title">Copy the secret of “{created.name}” now</h2>
      <p>
        <strong>You will not see it again.</strong> Paste it as the <em>Secret Token</em> in your identity
        provider. If you lose it, create a new key and revoke this one.
      </p>
      <div className="copy-row">
        <input
          ref={input}
          className="mono"
          readOnly
          aria-label="New API key secret"
          data-testid="new-secret"
          value={created.secret}
          onFocus={(e) => e.target.select()}
        />
        <CopyButton value={created.secret} label="Copy secret" />
      </div>
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </section>
  )
}

function KeyTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke(key: ApiKey): void }) {
  if (keys.length === 0)
    return <p className="empty">No API keys yet. Create one above for your identity provider.</p>
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} className={key.revokedAt ? 'row-muted' : undefined}>
              <td>{key.name}</td>
              <td className="mono">{key.truncated}</td>
              <td>
                <Time value={key.createdAt} />
              </td>
              <td>
                <Time value={key.lastUsedAt} empty="never" />
                {key.lastClient && <div className="muted small">by {key.lastClient}</div>}
              </td>
              <td className="cell-actions">
                {key.revokedAt ? (
                  <Badge>Revoked</Badge>
                ) : (
                  <button type="button" className="button-small button-danger" onClick={() => onRevoke(key)}>
                    Revoke<span className="visually-hidden"> {key.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
