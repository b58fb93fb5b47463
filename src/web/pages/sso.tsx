// Single sign-on for the platform: the values for the IdP, IdP metadata (paste, upload or link), the
// OpenID Connect client, claimed domains, the three switches and Test sign-in.
import { type ChangeEvent, type FormEvent, type ReactNode, useEffect, useState } from 'react'
import { type ApiError, api, type SsoSettings } from '../api'
import { Badge, ErrorMessage, Field, Loading, PageHeader, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { SsoSetupCard } from './sso-setup-card'

/** A form that saves through the admin API and shows "Saved." or the error next to its fields. */
function useSave(onSaved: (settings: SsoSettings) => void) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [saved, setSaved] = useState(false)
  const run = async (method: string, path: string, body?: unknown) => {
    setBusy(true)
    setSaved(false)
    setError(undefined)
    try {
      onSaved(await api<SsoSettings>(method, path, body))
      setSaved(true)
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, saved, run }
}

function Actions({
  busy,
  saved,
  label,
  children,
}: {
  busy: boolean
  saved: boolean
  label: string
  children?: ReactNode
}) {
  return (
    <div className="actions">
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Saving…' : label}
      </button>
      {children}
      {saved && (
        <span className="saved" role="status">
          Saved.
        </span>
      )}
    </div>
  )
}

function TestLink({ protocol }: { protocol: 'saml' | 'oidc' }) {
  return (
    <a className="button button-small" href={`/api/v1/sso/test/${protocol}`} target="_blank" rel="noopener">
      Test sign-in
    </a>
  )
}

function SamlCard({ settings, onSaved }: { settings: SsoSettings; onSaved(s: SsoSettings): void }) {
  const [xml, setXml] = useState('')
  const [url, setUrl] = useState(settings.saml?.metadataUrl ?? '')
  const save = useSave((s) => {
    setXml('')
    onSaved(s)
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    save.run('PUT', '/sso/saml', xml.trim() ? { metadataXml: xml } : { metadataUrl: url })
  }
  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    if (file) setXml(await file.text())
  }
  const saml = settings.saml
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="saml-title">
      <div className="card-head">
        <h2 id="saml-title">SAML identity provider</h2>
        {saml ? <Badge tone="good">Set up</Badge> : <Badge>Not set up</Badge>}
      </div>
      {saml && (
        <dl className="details">
          <div>
            <dt>IdP entity ID</dt>
            <dd className="mono">{saml.idpEntityId}</dd>
          </div>
          <div>
            <dt>Sign-on URL</dt>
            <dd className="mono">{saml.ssoUrl}</dd>
          </div>
          <div>
            <dt>Signing certificates</dt>
            <dd>
              {saml.certificates.map((c) => (
                <div key={c.fingerprint ?? c.subject} className="small">
                  {c.subject} · valid until <Time value={c.notAfter} empty="?" />
                  <div className="mono muted">{c.fingerprint}</div>
                </div>
              ))}
            </dd>
          </div>
          <div>
            <dt>Loaded</dt>
            <dd>
              <Time value={saml.updatedAt} />
            </dd>
          </div>
        </dl>
      )}
      <Field
        label="Federation metadata URL"
        type="url"
        placeholder="https://login.microsoftonline.com/…/federationmetadata.xml?appid=…"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        error={save.error?.fields.metadataUrl}
        hint="Entra: App Federation Metadata Url. Okta: Metadata URL. All signing certificates in it are trusted, so a rollover does not lock anyone out."
      />
      <div className="field">
        <label htmlFor="metadata-xml">…or paste the metadata XML</label>
        <textarea
          id="metadata-xml"
          className="mono"
          rows={4}
          value={xml}
          onChange={(e) => setXml(e.target.value)}
          aria-invalid={save.error?.fields.metadataXml ? true : undefined}
        />
        <input
          type="file"
          accept=".xml,application/xml,text/xml"
          aria-label="Upload an XML file"
          onChange={upload}
        />
        {save.error?.fields.metadataXml && <p className="field-error">{save.error.fields.metadataXml}</p>}
      </div>
      {save.error && !Object.keys(save.error.fields).some((f) => f.startsWith('metadata')) && (
        <ErrorMessage error={save.error.fields._ ?? save.error} />
      )}
      <Actions busy={save.busy} saved={save.saved} label="Load metadata">
        {saml && <TestLink protocol="saml" />}
      </Actions>
    </form>
  )
}

function OidcCard({ settings, onSaved }: { settings: SsoSettings; onSaved(s: SsoSettings): void }) {
  const [issuer, setIssuer] = useState(settings.oidc?.issuer ?? '')
  const [clientId, setClientId] = useState(settings.oidc?.clientId ?? '')
  const [secret, setSecret] = useState('')
  const save = useSave((s) => {
    setSecret('')
    onSaved(s)
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    save.run('PUT', '/sso/oidc', { issuer, clientId, ...(secret ? { clientSecret: secret } : {}) })
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="oidc-title">
      <div className="card-head">
        <h2 id="oidc-title">OpenID Connect</h2>
        {settings.oidc ? <Badge tone="good">Set up</Badge> : <Badge>Not set up</Badge>}
      </div>
      <Field
        label="Issuer URL"
        type="url"
        placeholder="https://login.microsoftonline.com/<tenant>/v2.0"
        value={issuer}
        onChange={(e) => setIssuer(e.target.value)}
        error={save.error?.fields.issuer}
        hint="Muster reads its /.well-known/openid-configuration. https: only (127.0.0.1 and ::1 excepted)."
      />
      <Field
        label="Client ID"
        value={clientId}
        onChange={(e) => setClientId(e.target.value)}
        error={save.error?.fields.clientId}
      />
      <Field
        label="Client secret"
        type="password"
        autoComplete="off"
        value={secret}
        placeholder={settings.oidc ? 'Stored (encrypted). Type a new one to replace it.' : ''}
        onChange={(e) => setSecret(e.target.value)}
        error={save.error?.fields.clientSecret}
        hint="Write-only: it is stored encrypted and never shown again."
      />
      {save.error && !Object.keys(save.error.fields).length && <ErrorMessage error={save.error} />}
      <Actions busy={save.busy} saved={save.saved} label="Save OpenID Connect">
        {settings.oidc && <TestLink protocol="oidc" />}
      </Actions>
    </form>
  )
}

function DomainsCard({ settings, onSaved }: { settings: SsoSettings; onSaved(s: SsoSettings): void }) {
  const [text, setText] = useState(settings.domains.join(', '))
  useEffect(() => setText(settings.domains.join(', ')), [settings.domains])
  const save = useSave(onSaved)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    save.run('PUT', '/sso/domains', { domains: text.split(/[\s,]+/).filter(Boolean) })
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="domains-title">
      <h2 id="domains-title">Email domains</h2>
      <Field
        label="Domains this platform claims"
        placeholder="acme.com, acme.co.uk"
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={save.error?.fields.domains}
        hint={
          '"Sign in with SSO" sends people with these email domains to your identity provider. A domain belongs to one platform.'
        }
      />
      <Actions busy={save.busy} saved={save.saved} label="Save domains" />
    </form>
  )
}

const SWITCHES = [
  [
    'allowIdpInitiated',
    'Allow IdP-initiated sign-in',
    'The Entra My Apps tile and the Okta dashboard sign people in. Same checks and replay protection.',
  ],
  [
    'createUsers',
    'Create users on first sign-in',
    'An unknown person with an email in a claimed domain becomes an ACTIVE MEMBER. Off: they see a page that says they have no account.',
  ],
  [
    'requireSso',
    'Require SSO',
    'Password sign-in is refused for this platform. The CLI setup link (muster platform setup-link) stays the way in if the IdP fails.',
  ],
] as const

function SwitchesCard({ settings, onSaved }: { settings: SsoSettings; onSaved(s: SsoSettings): void }) {
  const save = useSave(onSaved)
  return (
    <section className="card" aria-labelledby="switches-title">
      <h2 id="switches-title">Sign-in rules</h2>
      {SWITCHES.map(([name, label, hint]) => (
        <label key={name} className="switch-row">
          <input
            type="checkbox"
            checked={settings[name]}
            disabled={save.busy}
            onChange={(e) => save.run('PATCH', '/sso/settings', { [name]: e.target.checked })}
          />
          <span>
            <strong>{label}</strong>
            <span className="hint">{hint}</span>
          </span>
        </label>
      ))}
      {save.error && <ErrorMessage error={Object.values(save.error.fields)[0] ?? save.error} />}
      {save.saved && (
        <span className="saved" role="status">
          Saved.
        </span>
      )}
    </section>
  )
}

export function SsoPage() {
  const loaded = useLoad(() => api<SsoSettings>('GET', '/sso'), [])
  const [settings, setSettings] = useState<SsoSettings>()
  useEffect(() => setSettings(loaded.data), [loaded.data])
  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
  if (!settings) return <Loading />
  return (
    <>
      <PageHeader title="Single sign-on">
        People provisioned over SCIM sign in through your identity provider (SAML 2.0 or OpenID Connect).
        Admins get the console; operators and members get their own page. Every attempt is in the sign-in log.
      </PageHeader>
      <SsoSetupCard sp={settings.sp} />
      <SamlCard settings={settings} onSaved={setSettings} />
      <OidcCard settings={settings} onSaved={setSettings} />
      <DomainsCard settings={settings} onSaved={setSettings} />
      <SwitchesCard settings={settings} onSaved={setSettings} />
    </>
  )
}
