// What an admin types into the identity provider, and a "Test connection" that sends exactly the
// request Entra's "Test Connection" sends: a filtered GET for a random GUID that must answer 200 with
// an empty list.
import { type FormEvent, useState } from 'react'
import { CopyButton } from '../components/copy-button'
import { Field } from '../components/ui'

/** crypto.randomUUID exists only on HTTPS and localhost; getRandomValues works everywhere. */
function randomGuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

interface Outcome {
  ok: boolean
  title: string
  detail: string
  request: string
}

async function testConnection(scimPath: string, secret: string): Promise<Outcome> {
  const filter = `userName eq "${randomGuid()}"`
  const url = `${scimPath}/Users?filter=${encodeURIComponent(filter)}`
  const request = `GET ${scimPath}/Users?filter=${filter}`
  let response: Response
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${secret.trim()}`, accept: 'application/scim+json' },
    })
  } catch {
    return {
      ok: false,
      request,
      title: 'No answer',
      detail: 'The server could not be reached from this browser.',
    }
  }
  const body = await response.json().catch(() => ({}))
  if (response.status === 200 && body.totalResults === 0) {
    return {
      ok: true,
      request,
      title: 'Connection works',
      detail:
        'Muster answered 200 with an empty list, as Entra ID and Okta expect. Their "Test Connection" will pass with this key.',
    }
  }
  if (response.status === 401) {
    return {
      ok: false,
      request,
      title: 'The key was refused (401)',
      detail: 'Check that the whole secret was pasted (it starts with sk-) and that the key is not revoked.',
    }
  }
  return {
    ok: false,
    request,
    title: `Unexpected answer (${response.status})`,
    detail: typeof body.detail === 'string' ? body.detail : 'Muster did not answer with an empty SCIM list.',
  }
}

export function ScimSetupCard({ scimUrl }: { scimUrl: string }) {
  const [secret, setSecret] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>()
  const [fieldError, setFieldError] = useState<string>()
  const scimPath = new URL(scimUrl).pathname

  const test = async (event: FormEvent) => {
    event.preventDefault()
    if (!secret.trim()) return setFieldError('Paste an API key secret to test with.')
    setFieldError(undefined)
    setBusy(true)
    setOutcome(await testConnection(scimPath, secret))
    setBusy(false)
  }

  return (
    <section className="card" aria-labelledby="scim-title">
      <h2 id="scim-title">Connect an identity provider (SCIM)</h2>
      <div className="field">
        <span className="label" id="tenant-url-label">
          Tenant URL
        </span>
        <div className="copy-row">
          <input
            className="mono"
            readOnly
            aria-labelledby="tenant-url-label"
            value={scimUrl}
            data-testid="tenant-url"
          />
          <CopyButton value={scimUrl} label="Copy URL" />
        </div>
      </div>
      <div className="guides">
        <details>
          <summary>Microsoft Entra ID</summary>
          <ol>
            <li>
              Entra admin center → Enterprise applications → New application → Create your own application
              (non-gallery).
            </li>
            <li>
              Provisioning → Get started → Provisioning Mode: <strong>Automatic</strong>.
            </li>
            <li>
              Tenant URL: the URL above. Secret Token: an API key from this page. Click{' '}
              <strong>Test Connection</strong>.
            </li>
            <li>
              Mappings: <code>userName</code> ← userPrincipalName (or mail), <code>externalId</code> ←
              objectId. Optionally add{' '}
              <code>urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole</code> (
              <code>ADMIN</code>, <code>OPERATOR</code>, <code>MEMBER</code>).
            </li>
            <li>
              Assign users and groups, set the scope, and turn provisioning <strong>On</strong>.
            </li>
          </ol>
        </details>
        <details>
          <summary>Okta</summary>
          <ol>
            <li>
              Applications → Create App Integration → SAML 2.0 or SWA app, then General → enable SCIM
              provisioning.
            </li>
            <li>
              Provisioning → Integration: SCIM connector base URL = the URL above; Unique identifier field ={' '}
              <code>userName</code>; Authentication Mode = <strong>HTTP Header</strong>, Bearer = an API key.
            </li>
            <li>
              Supported actions: Push New Users, Push Profile Updates, Push Groups. Click Test Connector
              Configuration.
            </li>
            <li>
              To App: enable Create Users, Update User Attributes and Deactivate Users; assign people and push
              groups.
            </li>
          </ol>
        </details>
      </div>
      <form className="inline-form" onSubmit={test} noValidate>
        <Field
          label="Secret token to test"
          type="password"
          autoComplete="off"
          placeholder="sk-…"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          error={fieldError}
          hint="Sent only to this Muster server, exactly as Entra's Test Connection sends it."
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Testing…' : 'Test connection'}
        </button>
      </form>
      {outcome && (
        <div
          className={`alert ${outcome.ok ? 'alert-success' : 'alert-error'}`}
          role="status"
          data-testid="test-result"
        >
          <strong>{outcome.title}.</strong> {outcome.detail}
          <div className="mono small">{outcome.request}</div>
        </div>
      )}
    </section>
  )
}
