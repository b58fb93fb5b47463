// What an admin pastes into Entra ID or Okta for SAML sign-in, with copy buttons and a short guide for
// each, like the SCIM card. The values are the fixed addresses of SSO.md for this platform.

import type { SsoSettings } from '../api'
import { CopyButton } from '../components/copy-button'

function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const id = `${testId}-label`
  return (
    <div className="field">
      <span className="label" id={id}>
        {label}
      </span>
      <div className="copy-row">
        <input className="mono" readOnly aria-labelledby={id} value={value} data-testid={testId} />
        <CopyButton value={value} label="Copy" />
      </div>
    </div>
  )
}

export function SsoSetupCard({ sp }: { sp: SsoSettings['sp'] }) {
  return (
    <section className="card" aria-labelledby="sp-title">
      <h2 id="sp-title">Values for your identity provider</h2>
      <CopyField
        label="Identifier (Entity ID) · Okta: Audience URI"
        value={sp.entityId}
        testId="sp-entity-id"
      />
      <CopyField label="Reply URL (ACS) · Okta: Single sign-on URL" value={sp.acsUrl} testId="sp-acs-url" />
      <CopyField label="Sign on URL" value={sp.loginUrl} testId="sp-login-url" />
      <CopyField label="SP metadata URL" value={sp.metadataUrl} testId="sp-metadata-url" />
      <CopyField label="OpenID Connect redirect URI" value={sp.oidcRedirectUri} testId="sp-oidc-redirect" />
      <div className="guides">
        <details>
          <summary>Microsoft Entra ID (SAML)</summary>
          <ol>
            <li>
              Entra admin center → Enterprise applications → New application → Create your own application
              (non-gallery). Use this same application for SCIM provisioning afterwards.
            </li>
            <li>
              Single sign-on → <strong>SAML</strong> → Basic SAML Configuration: <strong>Identifier</strong> =
              the Identifier above, <strong>Reply URL</strong> = the Reply URL above,{' '}
              <strong>Sign on URL</strong> = the Sign on URL above.
            </li>
            <li>
              Attributes &amp; Claims: keep the defaults (NameID = user.userprincipalname, emailaddress,
              givenname, surname, name). Muster matches people by email, as SCIM's <code>userName</code>.
            </li>
            <li>
              SAML Certificates: copy the <strong>App Federation Metadata Url</strong> and paste it below (or
              download the Federation Metadata XML and paste or upload it).
            </li>
            <li>
              Assign users and groups, then press Test sign-in here. Then follow the SCIM guide with the same
              application.
            </li>
          </ol>
        </details>
        <details>
          <summary>Okta (SAML)</summary>
          <ol>
            <li>Applications → Create App Integration → SAML 2.0.</li>
            <li>
              <strong>Single sign-on URL</strong> = the Reply URL above (keep "Use this for Recipient URL and
              Destination URL" checked); <strong>Audience URI (SP Entity ID)</strong> = the Identifier above.
            </li>
            <li>
              Name ID format <code>EmailAddress</code>, Application username <code>Email</code>. Optional
              attribute statements: <code>email</code>, <code>firstName</code>, <code>lastName</code>.
            </li>
            <li>
              Sign On tab → copy the <strong>Metadata URL</strong> and paste it below. Assign people, then
              press Test sign-in.
            </li>
          </ol>
        </details>
        <details>
          <summary>OpenID Connect (Entra, Okta, any provider)</summary>
          <ol>
            <li>
              Register a web application with the redirect URI above, grant type Authorization Code, scopes{' '}
              <code>openid email profile</code>.
            </li>
            <li>
              Enter its issuer URL, client id and client secret below. Muster uses PKCE, state and nonce.
            </li>
          </ol>
        </details>
      </div>
    </section>
  )
}
