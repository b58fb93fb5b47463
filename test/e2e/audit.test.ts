// The audit trail in Chromium (issue 13): an operator creates a key at the command line, an admin creates
// one and changes a user's platform role in the console; "Audit trail" from the navigation shows the
// three with who, target and old → new; filtering by action is a history entry, so Back returns.
import { copyFile, mkdir } from 'node:fs/promises'
import { hostname, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'

const SCIM = '/api/v1/scim/v2'
const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ROLE = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'
/** `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e` refreshes the README's pictures in docs/. */
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1'

describe('audit trail in Chromium', () => {
  let m: Running
  let secret = ''
  let joyId = ''

  const docs = async (name: string) => {
    await m.screenshot(name)
    if (!DOCS) return
    await mkdir('docs', { recursive: true })
    await copyFile(join(SCREENSHOTS, `${name}.png`), join('docs', `${name}.png`))
  }
  /** The rows of the trail's table as their cells' text. */
  const rows = () =>
    m.page
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      )

  beforeAll(async () => {
    m = await startMusterAndBrowser()
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    const platform = await m.store.db.selectFrom('platforms').select('id').executeTakeFirstOrThrow()
    // The key the IdP uses comes from the command line, as the README's "without the console" shows.
    const out: string[] = []
    const argv = ['api-key', 'create', '--platform', platform.id, '--name', 'Seed', '--json']
    const env = { DATABASE_URL: m.databaseUrl, LOG_LEVEL: 'silent' }
    expect(await runCli(argv, { out: (t) => out.push(t), err: () => {} }, env)).toBe(0)
    secret = JSON.parse(out.join('')).secret
    const res = await fetch(m.origin + SCIM + '/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: [USER, ROLE],
        userName: 'joy@acme.test',
        displayName: 'Joy Young',
        active: true,
        [ROLE]: { platformRole: 'MEMBER' },
      }),
    })
    expect(res.status).toBe(201)
    joyId = ((await res.json()) as { id: string }).id
  })
  afterAll(() => m?.close())

  it('an admin creates a key and changes a role in the console', async () => {
    const { page } = m
    await page.getByLabel('New key name').fill('Okta production')
    await page.getByRole('button', { name: 'Create key' }).click()
    await page.getByTestId('new-secret').waitFor()

    await page.getByRole('link', { name: 'Users', exact: true }).click()
    const select = page.getByLabel('Platform role of joy@acme.test')
    await select.selectOption('OPERATOR')
    await page.getByRole('button', { name: 'Change role of joy@acme.test to OPERATOR…' }).click()
    await page
      .getByRole('dialog', { name: 'Change the platform role of Joy Young?' })
      .getByRole('button', { name: 'Make OPERATOR' })
      .click()
    await expect.poll(() => select.inputValue()).toBe('OPERATOR')
  })

  it('the audit trail shows all three, filters by action, and Back returns to all of them', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Audit trail' }).click()
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor()
    await expect.poll(async () => (await rows()).length).toBe(3)
    const [role, key, seed] = await rows()
    // Newest first: Time, Who, Action, Target, Changes, Address.
    expect(role!.slice(1, 5)).toEqual([
      ADMIN.email,
      'Platform role changed',
      'joy@acme.test',
      'Platform role: MEMBER → OPERATOR',
    ])
    expect(role![5]).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/)
    expect(key!.slice(1, 4)).toEqual([ADMIN.email, 'API key created', 'Okta production'])
    expect(key![4]).toMatch(/^Key: sk-….{4}$/)
    expect(key!.join(' ')).not.toContain(secret)
    expect(seed!.slice(1, 4)).toEqual([
      `command line (${userInfo().username}@${hostname()})`,
      'API key created',
      'Seed',
    ])
    expect(seed![4]).toBe(`Key: sk-…${secret.slice(-4)}`)
    expect(seed![5]).toBe('—')
    // The user still exists: their name links to their page.
    await expect(page.getByRole('link', { name: 'joy@acme.test' }).getAttribute('href')).resolves.toBe(
      `/platform/users/${joyId}`,
    )
    await docs('audit-trail')

    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'API key created' })
    await page.waitForURL(/action=api_key\.created/)
    await expect
      .poll(async () => (await rows()).map((r) => r[2]))
      .toEqual(['API key created', 'API key created'])
    await expect(page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).resolves.toBe(
      '/api/v1/audit.csv?action=api_key.created',
    )
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'User deactivated' })
    await page.getByText('No admin actions match these filters.').waitFor()

    await page.goBack()
    await expect
      .poll(async () => (await rows()).map((r) => r[2]))
      .toEqual(['API key created', 'API key created'])
    await page.goBack()
    await page.waitForURL((url) => url.pathname === '/platform/audit-trail' && url.search === '')
    await expect.poll(async () => (await rows()).length).toBe(3)
  })

  it('a bad value in the address resets the filters with a message', async () => {
    const { page } = m
    await page.goto(`${m.origin}/platform/audit-trail?action=nonsense.code&from=yesterday`)
    await page.getByRole('status').filter({ hasText: 'action=nonsense.code, from=yesterday' }).waitFor()
    await page.waitForURL((url) => url.pathname === '/platform/audit-trail' && url.search === '')
    await expect.poll(async () => (await rows()).length).toBe(3)
  })
})
