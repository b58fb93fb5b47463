// The console shell in Chromium (issue 13): focus and announcements on navigation and after "Create
// key", "Copied" only when the clipboard took it, no sideways scroll at 390 px, sign-in's `next` never
// a blank page, the sign-in page saying why a session ended, the SCIM health card, and Test connection
// against a PUBLIC_URL where nothing listens. `UPDATE_DOCS_SCREENSHOTS=1` refreshes docs/api-keys.png
// and docs/sign-in-ended.png.
import { copyFile, mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOM_USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { createAccount, PASSWORD } from '../helpers/admin.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'

const SCIM = '/api/v1/scim/v2'
const HOME = '/platform/security/api-keys'
const ADMIN = { email: 'ada@acme.test', password: PASSWORD }
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1'

/** A TCP port nothing listens on (taken, then released): PUBLIC_URL points there. */
async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('console shell in Chromium', () => {
  let m: Running
  let port = 0
  let secret = ''
  beforeAll(async () => {
    port = await deadPort()
    m = await startMusterAndBrowser({ PUBLIC_URL: `http://127.0.0.1:${port}` })
  })
  afterAll(() => m?.close())

  const docs = async (name: string) => {
    await m.screenshot(name)
    if (!DOCS) return
    await mkdir('docs', { recursive: true })
    await copyFile(join(SCREENSHOTS, `${name}.png`), join('docs', `${name}.png`))
  }
  const scim = (method: string, path: string, body?: unknown, agent = 'Azure AD SCIM') =>
    fetch(m.origin + SCIM + path, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/scim+json',
        'user-agent': agent,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const active = () =>
    m.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      return {
        tag: el?.tagName,
        text: el?.textContent?.trim(),
        testId: el?.dataset.testid,
        selected: el instanceof HTMLInputElement ? el.selectionEnd! - el.selectionStart! : 0,
      }
    })
  const signIn = async (email: string, password = ADMIN.password) => {
    await m.page.getByLabel('Email').fill(email)
    await m.page.getByLabel('Password').fill(password)
    await m.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  }

  it('after "Create key" focus is on the one-time secret, then its copy button', async () => {
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('First name').fill('Ada')
    await page.getByLabel('Last name').fill('Lovelace')
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()

    await page.getByLabel('New key name').fill('Entra ID production')
    await page.getByRole('button', { name: 'Create key' }).click()
    await page.getByTestId('new-secret').waitFor()
    secret = await page.getByTestId('new-secret').inputValue()
    await expect.poll(active).toMatchObject({ tag: 'INPUT', testId: 'new-secret', selected: secret.length })
    await page.keyboard.press('Tab')
    await expect.poll(active).toMatchObject({ tag: 'BUTTON', text: 'Copy secret' })
  })

  it('"Copied" only when the clipboard write succeeded; otherwise say so and select the text', async () => {
    const { page } = m
    // Clipboard denied, and the old execCommand path refused too.
    await page.evaluate(() => {
      const denied = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: denied }, configurable: true })
      document.execCommand = () => false
    })
    await page.getByRole('button', { name: 'Copy secret' }).click()
    await page.getByText('Copy failed — select and copy manually').waitFor()
    await expect(page.getByText('Copied', { exact: true }).count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: 'Copy secret' }).textContent()).resolves.toBe('Copy secret')
    await expect.poll(active).toMatchObject({ testId: 'new-secret', selected: secret.length })

    // Allowed: "Copied", and the clipboard really holds the secret.
    await page.evaluate(() => {
      const store: { text?: string } = {}
      ;(window as unknown as { copied: typeof store }).copied = store
      const writeText = async (text: string) => {
        store.text = text
      }
      Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    })
    await page.getByRole('button', { name: 'Copy secret' }).click()
    await page.getByRole('button', { name: 'Copied', exact: true }).waitFor()
    await expect(page.getByText('Copy failed').count()).resolves.toBe(0)
    await expect(
      page.evaluate(() => (window as unknown as { copied: { text: string } }).copied.text),
    ).resolves.toBe(secret)
  })

  it('Test connection with PUBLIC_URL where nothing listens: the tenant URL was not reachable', async () => {
    const { page } = m
    const tenant = `http://127.0.0.1:${port}${SCIM}`
    await expect(page.getByTestId('tenant-url').inputValue()).resolves.toBe(tenant)
    await page.getByLabel('Secret token to test').fill(secret)
    await page.getByRole('button', { name: 'Test connection' }).click()
    const result = page.getByTestId('test-result')
    await result.getByText('The tenant URL was not reachable').waitFor()
    await expect(result.textContent()).resolves.toContain(`GET ${tenant}/Users?filter=userName eq`)
    await expect(result.textContent()).resolves.toMatch(/connection refused/)
    await expect(result.textContent()).resolves.toMatch(/key is a live key of this platform/)
    await expect(result.textContent()).resolves.not.toMatch(/answers|Connection works/)
    await expect(result.getAttribute('class')).resolves.toContain('alert-error')
  })

  it('the SCIM health card: last request, errors of the last 24 h (linked to the log), and the key Entra uses', async () => {
    const { page } = m
    for (const [given, family] of [
      ['Joy', 'Young'],
      ['Maximilian-Alexander', 'Featherstonehaugh-Worthington'],
      ['Ngozi', 'Okonjo'],
    ] as const) {
      const res = await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `${given}.${family}@contoso-international-holdings.example`,
        name: { givenName: given, familyName: family },
        displayName: `${given} ${family}`,
        active: true,
      })
      expect(res.status).toBe(201)
    }
    const refused = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'Joy.Young@contoso-international-holdings.example',
    })
    expect(refused.status).toBe(409)
    await page.getByRole('button', { name: 'I have copied it' }).click()
    const card = page.getByTestId('scim-health')
    await card.getByRole('button', { name: 'Refresh' }).click()
    await card.getByText('POST /api/v1/scim/v2/Users').waitFor()
    // Afresh, as an admin would open it, for the picture: key table, health, a test. A key's last use
    // is written within a second (store/api-keys.ts createKeyToucher), so the table may need a reload.
    const lastUsedBy = page.getByRole('cell', { name: /by Azure AD SCIM/ })
    for (let attempt = 0; ; attempt++) {
      await page.reload()
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
      if (await lastUsedBy.isVisible()) break
      if (attempt === 10) throw new Error('The key table never showed the last use by Azure AD SCIM')
      await page.waitForTimeout(500)
    }
    await page.getByLabel('Secret token to test').fill(secret)
    await page.getByRole('button', { name: 'Test connection' }).click()
    await page.getByTestId('test-result').waitFor()
    await lastUsedBy.waitFor()
    await card.getByText('POST /api/v1/scim/v2/Users').waitFor()
    await expect(card.getByTestId('health-last').textContent()).resolves.toMatch(/→ 409/)
    // The card is read by its own request, which may have run before the key's last use was written.
    await expect
      .poll(async () => {
        const text = await card.getByTestId('health-keys').textContent()
        if (!/last used by/.test(text ?? '')) await card.getByRole('button', { name: 'Refresh' }).click()
        return text
      })
      .toMatch(/Entra ID production.*last used by Microsoft Entra ID \(Azure AD SCIM\)/)
    await card.getByRole('link', { name: '1 refused or failed request' }).waitFor()
    await page.getByText('Microsoft Entra ID', { exact: true }).click()
    await docs('api-keys')
    await card.getByRole('link', { name: '1 refused or failed request' }).click()
    await page.waitForURL(/\/platform\/provisioning-log\?status=failure/)
  })

  it('on navigation, focus and an announcement move to the new page’s heading', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Users', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
    await expect.poll(active).toMatchObject({ tag: 'H1', text: 'Users' })
    await expect.poll(() => page.getByTestId('page-announcer').textContent()).toBe('Users page')
    await page.getByRole('link', { name: 'API keys & SCIM' }).click()
    await expect.poll(active).toMatchObject({ tag: 'H1', text: 'API keys' })
    await expect.poll(() => page.getByTestId('page-announcer').textContent()).toBe('API keys page')
  })

  it('no sideways scroll at 390 px on Users and API keys', async () => {
    const { page } = m
    await page.setViewportSize({ width: 390, height: 844 })
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    for (const [path, heading] of [
      ['/platform/users', 'Users'],
      [HOME, 'API keys'],
    ] as const) {
      await page.goto(m.origin + path)
      await page.getByRole('heading', { level: 1, name: heading }).waitFor()
      await page.locator('tbody tr').first().waitFor()
      await expect.poll(overflow, { message: `${path} scrolls sideways` }).toBeLessThanOrEqual(0)
    }
    await page.setViewportSize({ width: 1366, height: 900 })
  })

  it('sign-in’s next never renders a blank page: foreign, script, unknown and junk values go home', async () => {
    const { page } = m
    for (const next of [
      '//evil.test',
      'javascript:alert(1)',
      '/nonexistent',
      '%E0%A4%A',
      '/platform/projects/%E0%A4%A',
      '/\\evil.test',
      'https://evil.test/platform/users',
    ]) {
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { name: 'Sign in' }).waitFor()
      await page.goto(`${m.origin}/sign-in?next=${encodeURIComponent(next)}`)
      await signIn(ADMIN.email)
      await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor()
      const url = new URL(page.url())
      expect([url.origin, url.pathname], next).toEqual([m.origin, HOME])
    }
    // A good next still works.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${m.origin}/sign-in?next=${encodeURIComponent('/platform/users?q=joy')}`)
    await signIn(ADMIN.email)
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
    expect(new URL(page.url()).search).toBe('?q=joy')
  })

  it('a session ended by a role change says why on the sign-in page, and sign-in says no console access', async () => {
    const { page } = m
    const platformId = (await m.store.db.selectFrom('platforms').select('id').executeTakeFirstOrThrow()).id
    const grace = await createAccount(m, platformId, 'grace@acme.test')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await signIn('grace@acme.test')
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor()
    // The page's cards load after its heading; one still in flight when her session ends would take her
    // to sign-in from this page (next=/platform/security/api-keys) before the click below.
    await page.waitForLoadState('networkidle')

    // Entra's first sync maps platformRole MEMBER for her.
    const patch = await scim('PATCH', `/Users/${grace.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: 'MEMBER' }],
    })
    expect(patch.status).toBe(200)
    await page.getByRole('link', { name: 'Users', exact: true }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    const notice = page.getByTestId('session-ended')
    await notice.getByText('Your role changed').waitFor()
    await expect(notice.textContent()).resolves.toMatch(
      /platform role was changed to MEMBER by your identity provider \(SCIM\)\. Only ADMINs can use the console\. This happened at .+\d{2}:\d{2}:\d{2}/,
    )
    expect(new URL(page.url()).searchParams.get('next')).toBe('/platform/users')
    await page.getByLabel('Email').fill('grace@acme.test')
    await docs('sign-in-ended')

    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByText(/Your password is correct, but you no longer have console access/).waitFor()
    await expect(page.getByText('Email or password is incorrect.').count()).resolves.toBe(0)
  })
})
