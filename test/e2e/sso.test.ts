// Single sign-on in a real browser: the admin sets up SAML on the console page, a provisioned MEMBER
// signs in through SAML SP-initiated (a tiny IdP on 127.0.0.1 answers the redirect with an
// auto-posting signed Response form) and sees their projects, a deactivated person is refused with a
// clear page, and an ADMIN signs in through OpenID Connect (oidc-provider's own login and consent
// pages) and reaches the API keys page. Only 127.0.0.1 is ever contacted.
import { copyFile, mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { listPlatforms } from '../../src/store/platforms.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-idp.js'
import {
  type IdpKey,
  idpKey,
  idpMetadata,
  readAuthnRequest,
  samlResponse,
  signAssertion,
} from '../helpers/saml-idp.js'

const SCIM = '/api/v1/scim/v2'
const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }
/** `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e` refreshes the README's pictures in docs/. */
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1'

describe('single sign-on in Chromium', () => {
  let m: Running
  let key: IdpKey
  let idp: Server
  let idpOrigin = ''
  let oidc: TestOidcProvider
  let platformId = ''
  let secret = ''
  /** Who the test IdP signs in next. */
  let person = 'joy@acme.test'

  beforeAll(async () => {
    m = await startMusterAndBrowser()
    key = await idpKey()
    // The browser talks to 127.0.0.1 only (the oidc-provider page would load a web font).
    await m.context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    )
    idp = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== '/sso') {
        response.statusCode = 404
        return response.end()
      }
      const authn = readAuthnRequest(url.href)
      const xml = signAssertion(
        samlResponse({
          audience: authn.issuer,
          acsUrl: authn.acsUrl!,
          nameId: person,
          inResponseTo: authn.id,
          issuer: `${idpOrigin}/`,
          attributes: { firstName: person.split('@')[0]!, lastName: 'Tester' },
        }),
        key,
      )
      const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
      response.setHeader('content-type', 'text/html; charset=utf-8')
      response.end(`<!doctype html><title>Test IdP</title><body onload="document.forms[0].submit()">
<form method="post" action="${attr(authn.acsUrl!)}">
<input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}">
<input type="hidden" name="RelayState" value="${attr(authn.relayState ?? '')}">
<noscript><button>Continue</button></noscript></form></body>`)
    })
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve))
    idpOrigin = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`
    oidc = await startOidcProvider({
      redirectUris: [`${m.origin}/api/v1/authn/oidc/callback`],
      accounts: { [ADMIN.email]: { name: 'Ada Lovelace' } },
    })
    platformId = (await listPlatforms(m.store.db))[0]!.id
    secret = (await createApiKey(m.store.db, platformId, 'entra')).secret
  })
  afterAll(async () => {
    await m?.close()
    idp?.closeAllConnections()
    idp?.close()
    await oidc?.close()
  })

  const scim = (method: string, path: string, body?: unknown) =>
    fetch(m.origin + SCIM + path, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  const docs = async (name: string) => {
    await m.screenshot(name)
    if (!DOCS) return
    await mkdir('docs', { recursive: true })
    await copyFile(join(SCREENSHOTS, `${name}.png`), join('docs', `${name}.png`))
  }

  it('the admin sets up SAML on the Single sign-on page', async () => {
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()

    await page.getByRole('link', { name: 'Single sign-on' }).click()
    await page.getByRole('heading', { name: 'Values for your identity provider' }).waitFor()
    expect(await page.getByTestId('sp-entity-id').inputValue()).toBe(
      `${m.origin}/api/v1/authn/saml/${platformId}`,
    )
    expect(await page.getByTestId('sp-acs-url').inputValue()).toBe(`${m.origin}/api/v1/authn/saml/acs`)
    await page
      .getByLabel('…or paste the metadata XML')
      .fill(idpMetadata({ entityId: `${idpOrigin}/`, ssoUrl: `${idpOrigin}/sso`, certs: [key.der] }))
    await page.getByRole('button', { name: 'Load metadata' }).click()
    await page.getByText(`${idpOrigin}/sso`).waitFor()
    await page.getByLabel('Domains this platform claims').fill('acme.test')
    await page.getByRole('button', { name: 'Save domains' }).click()
    await page.getByRole('status').getByText('Saved.').first().waitFor()
    await page.getByText('Microsoft Entra ID (SAML)').click()
    await docs('sso-settings')
  })

  it('SCIM provisions a MEMBER into a project, and a person who will be deactivated', async () => {
    const joy = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'joy@acme.test',
      name: { givenName: 'Joy', familyName: 'Young' },
      displayName: 'Joy Young',
      active: true,
    })
    expect(joy.status).toBe(201)
    const joyId = ((await joy.json()) as { id: string }).id
    const group = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Tour Operations',
      members: [{ value: joyId }],
    })
    expect(group.status).toBe(201)
    const leaver = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'leaver@acme.test',
      active: false,
    })
    expect(leaver.status).toBe(201)
  })

  it('a MEMBER signs in with SSO (SAML, SP-initiated) and sees their projects', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByRole('link', { name: 'Sign in with SSO' }).click()
    await page.getByLabel('Work email').fill('nobody@unclaimed.test')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByText('Single sign-on is not set up for this email domain.').waitFor()
    person = 'joy@acme.test'
    await page.getByLabel('Work email').fill('joy@acme.test')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(`${m.origin}/account`)
    await page.getByRole('heading', { name: 'Joy Young' }).waitFor()
    await page.getByRole('cell', { name: 'Tour Operations' }).waitFor()
    await expect(page.getByText('MEMBER', { exact: true }).count()).resolves.toBe(1)
    await docs('member-page')
    // The console is not theirs.
    await page.goto(`${m.origin}/platform/users`)
    await page.waitForURL(`${m.origin}/account`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  })

  it('a deactivated person is refused with a clear page', async () => {
    const { page } = m
    person = 'leaver@acme.test'
    await page.getByRole('link', { name: 'Sign in with SSO' }).click()
    await page.getByLabel('Work email').fill('leaver@acme.test')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByRole('heading', { name: 'Your account is deactivated' }).waitFor()
    await page.getByText('What to do:').waitFor()
    await page.getByText('user_inactive').waitFor()
    await m.screenshot('sso-refused-inactive')
    await page.getByRole('link', { name: 'Back to sign-in' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  })

  it('an ADMIN signs in through OpenID Connect and reaches the API keys page', async () => {
    const { page } = m
    // OIDC is set up in the console as well (the ADMIN is the password admin from the first test).
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    await page.goto(`${m.origin}/platform/security/sso`)
    await page.getByLabel('Issuer URL').fill(oidc.issuer)
    await page.getByLabel('Client ID').fill(oidc.clientId)
    await page.getByLabel('Client secret').fill(oidc.clientSecret)
    await page.getByRole('button', { name: 'Save OpenID Connect' }).click()
    await page.getByRole('status').getByText('Saved.').first().waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    await page.goto(`${m.origin}/api/v1/authn/oidc/${platformId}/login`)
    await page.locator('input[name="login"]').fill(ADMIN.email)
    await page.locator('input[name="password"]').fill('anything')
    await page.locator('button[type="submit"]').click()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(`${m.origin}/platform/security/api-keys`)
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    await page.getByRole('link', { name: 'Sign-in log' }).click()
    await page
      .getByRole('cell', { name: /Signed in\./ })
      .first()
      .waitFor()
    await page.getByText('user_inactive').waitFor()
    await m.screenshot('sso-sign-in-log')
  })
})
