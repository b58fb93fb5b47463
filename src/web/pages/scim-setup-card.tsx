// What an admin types into the identity provider, and a "Test connection" that sends the request
// Entra's "Test Connection" sends (a filtered GET for a random GUID that must answer 200 with an empty
// list) to the tenant URL shown here, from the server (http/admin/scim-connection.ts), and says what
// that did not test.
import { type FormEvent, useState } from 'react'
import { type ApiError, api, type ConnectionTest } from '../api'
import { CopyButton } from '../components/copy-button'
import { ErrorMessage, Field } from '../components/ui'

/** What the page says about a test: a title, what happened, and what the test did not cover. */
function verdictTitle(test: ConnectionTest): string {
  switch (test.verdict) {
    case 'ok':
      return 'The tenant URL answers'
    case 'unreachable':
      return 'The tenant URL was not reachable'
    case 'refused_key':
      return `The tenant URL refused the key (${test.status})`
    case 'unexpected':
      return `Unexpected answer from the tenant URL (${test.status})`
  }
}

function verdictDetail(test: ConnectionTest): string {
  const key =
    test.key === 'valid'
      ? 'The key is a live key of this platform.'
      : test.key === 'other_platform'
        ? 'The key belongs to another platform of this Muster.'
        : 'This Muster does not know the key (mistyped, or revoked).'
  switch (test.verdict) {
    case 'ok':
      return `It answered 200 with an empty list, as Entra ID and Okta expect. ${key}`
    case 'unreachable':
      return `Nothing answered at ${test.tenantUrl} from this server: ${test.error}. Entra ID would fail the same way. Check PUBLIC_URL. ${key}`
    case 'refused_key':
      return test.key === 'valid'
        ? `${key} But the tenant URL refused it: it may lead to another server or database than this console. Check PUBLIC_URL.`
        : `${key} Check that the whole secret was pasted (it starts with sk-).`
    case 'unexpected':
      return `Something answered, but not with the empty SCIM list Entra ID expects: the address may lead to another server. ${key}`
  }
}

export function ScimSetupCard({ scimUrl }: { scimUrl: string }) {
  const [secret, setSecret] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<ConnectionTest>()
  const [error, setError] = useState<ApiError>()
  const [fieldError, setFieldError] = useState<string>()

  const test = async (event: FormEvent) => {
    event.preventDefault()
    if (!secret.trim()) return setFieldError('Paste an API key secret to test with.')
    setFieldError(undefined)
    setError(undefined)
    setOutcome(undefined)
    setBusy(true)
    try {
      setOutcome(await api<ConnectionTest>('POST', '/scim-connection-test', { secret }))
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
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
          error={fieldError ?? error?.fields.secret}
          hint="This server sends it to the tenant URL above, as Entra's Test Connection does."
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Testing…' : 'Test connection'}
        </button>
      </form>
      {error && !error.fields.secret && <ErrorMessage error={error} />}
      {outcome && (
        <div
          className={`alert ${outcome.ok ? 'alert-success' : 'alert-error'}`}
          role="status"
          data-testid="test-result"
        >
          <strong>{verdictTitle(outcome)}.</strong> {verdictDetail(outcome)}
          <div className="mono small">{outcome.request}</div>
          <p className="small">Not tested:</p>
          <ul className="small">
            {outcome.notTested.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}
