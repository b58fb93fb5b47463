// The first-run story in a real browser: setup link → admin → API key → the IdP provisions with it →
// the admin sees the user and the event → revokes the key → SCIM refuses it. Screenshots of each page
// land in test-results/screenshots/ for review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Running, startMusterAndBrowser } from '../helpers/browser.js'

const SCIM = '/api/v1/scim/v2'
const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }
const entraUser = {
  schemas: [
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Joy.Young@Contoso.com',
  active: true,
  displayName: 'Joy Young',
  emails: [{ primary: true, type: 'work', value: 'Joy.Young@Contoso.com' }],
  meta: { resourceType: 'User' },
  name: { familyName: 'Young', givenName: 'Joy' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
    employeeNumber: '701984',
    department: 'Tour Operations',
  },
  roles: [],
}

describe('console in Chromium', () => {
  let m: Running
  let secret = ''
  let userId = ''
  beforeAll(async () => {
    m = await startMusterAndBrowser()
  })
  afterAll(() => m?.close())

  const scim = (method: string, path: string, key: string, body?: unknown) =>
    fetch(m.origin + SCIM + path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  it('a bad setup link shows a clear page', async () => {
    const { page } = m
    await page.goto(`${m.origin}/setup/not-a-real-token`)
    await page.getByRole('heading', { name: 'This setup link does not work' }).waitFor()
    await m.screenshot('01-setup-bad-link')
  })

  it('the setup link creates the first admin and signs them in', async () => {
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor()
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('First name').fill('Ada')
    await page.getByLabel('Last name').fill('Lovelace')
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByLabel('Repeat the password').fill('short')
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByText('Use at least 12 characters.').waitFor()
    await m.screenshot('02-setup-form-error')
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/platform/security/api-keys')
  })

  it('signing out and in again: a wrong password gets the generic message', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Email or password is incorrect.').waitFor()
    await m.screenshot('03-sign-in-error')
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
  })

  it('creates an API key and shows its secret once', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'Create key' }).click()
    await page.getByText('Give the key a name.').waitFor()
    await page.getByLabel('New key name').fill('Entra ID')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secretBox = page.getByTestId('new-secret')
    await secretBox.waitFor()
    secret = await secretBox.inputValue()
    expect(secret).toMatch(/^sk-[\w-]{43}$/)
    await page.getByText('You will not see it again.').waitFor()
    await expect(page.getByRole('cell', { name: `sk-…${secret.slice(-4)}` }).count()).resolves.toBe(1)
    await m.screenshot('04-api-key-created')
    const tenantUrl = await page.getByTestId('tenant-url').inputValue()
    expect(tenantUrl).toBe(`${m.origin}${SCIM}`)
  })

  it('"Test connection" sends Entra\'s test request and explains the result', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'I have copied it' }).click()
    await page.getByLabel('Secret token to test').fill('sk-wrong')
    await page.getByRole('button', { name: 'Test connection' }).click()
    await page.getByText('The tenant URL refused the key (401)').waitFor()
    await page.getByLabel('Secret token to test').fill(secret)
    await page.getByRole('button', { name: 'Test connection' }).click()
    await page.getByText('The tenant URL answers').waitFor()
    await page.getByText('Microsoft Entra ID', { exact: true }).click()
    await m.screenshot('05-api-keys-test-connection')
  })

  it('the IdP provisions a user and a group with the key', async () => {
    const created = await scim('POST', '/Users', secret, entraUser)
    expect(created.status).toBe(201)
    userId = ((await created.json()) as { id: string }).id
    const group = await scim('POST', '/Groups', secret, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Tour Operations',
      members: [{ value: userId }],
    })
    expect(group.status).toBe(201)
  })

  it('the users page shows the provisioned user, searchable, and survives a reload', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('cell', { name: 'Joy.Young@Contoso.com', exact: true }).waitFor()
    await page.getByRole('searchbox').fill('joy.young')
    await page.waitForURL(/q=joy\.young/)
    await page.reload()
    await page.getByRole('cell', { name: 'Joy.Young@Contoso.com', exact: true }).waitFor()
    await expect(page.getByRole('cell', { name: ADMIN.email, exact: true }).count()).resolves.toBe(0)
    await page.getByRole('searchbox').fill('')
    await page.getByRole('cell', { name: ADMIN.email, exact: true }).waitFor()
    await m.screenshot('06-users')
  })

  it('the projects page shows the group with its member and effective role', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Projects' }).click()
    await page.getByRole('link', { name: 'Tour Operations' }).click()
    await page.getByRole('heading', { name: 'Tour Operations' }).waitFor()
    await page.getByRole('cell', { name: /Joy\.Young@Contoso\.com/ }).waitFor()
    await m.screenshot('07-project')
    await page.getByRole('link', { name: '← Projects' }).click()
    await page.getByRole('link', { name: 'Tour Operations' }).waitFor()
    await m.screenshot('08-projects')
  })

  it('the provisioning log shows the POST, newest first, with a detail view', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Provisioning log' }).click()
    await page
      .getByRole('cell', { name: /Joy\.Young@Contoso\.com/ })
      .first()
      .waitFor()
    await m.screenshot('09-provisioning-log')
    const rows = page.locator('tbody tr')
    await expect(rows.first().textContent()).resolves.toContain('Group')
    await page.getByLabel('Resource').selectOption('User')
    await page.waitForURL(/resourceType=User/)
    await expect.poll(() => rows.count()).toBe(1)
    await rows
      .first()
      .getByRole('link', { name: /details/ })
      .click()
    await page.getByRole('heading', { name: 'POST User Joy.Young@Contoso.com' }).waitFor()
    await expect(
      page.getByRole('link', { name: 'Joy.Young@Contoso.com' }).getAttribute('href'),
    ).resolves.toBe(`/platform/users/${userId}`)
    await m.screenshot('10-event-detail')
  })

  it('settings show the default project role', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Default project role for SCIM members' }).waitFor()
    await m.screenshot('11-settings')
  })

  it('revoking the key (after confirmation) makes SCIM answer 401', async () => {
    const { page } = m
    expect((await scim('GET', '/Users', secret)).status).toBe(200)
    await page.getByRole('link', { name: 'API keys & SCIM' }).click()
    await page.getByRole('button', { name: 'Revoke Entra ID' }).click()
    await page.getByRole('dialog').getByText('stops working at once').waitFor()
    await m.screenshot('12-revoke-confirm')
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click()
    await page.getByText('Revoked', { exact: true }).waitFor()
    await m.screenshot('13-api-keys-revoked')
    const refused = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "x"')}`, secret)
    expect(refused.status).toBe(401)
  })

  it('signing out ends the session: console pages send back to sign-in', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.goto(`${m.origin}/platform/users`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(new URL(page.url()).searchParams.get('next')).toBe('/platform/users')
    await m.screenshot('14-sign-in')
  })
})
