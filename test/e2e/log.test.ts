// The provisioning log in Chromium (issue 13): names and old → new values in the table, the event's
// page with members by name and redacted bodies, search by name with Back stepping back, the "To"
// minute included, bad values in the address reset with a message, and new events announced live.
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'

const SCIM = '/api/v1/scim/v2'
const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const ROLE = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'
const LOG = '/platform/provisioning-log'
/** `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e` refreshes the README's pictures in docs/. */
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1'

describe('the provisioning log in Chromium', () => {
  let m: Running
  let secret = ''
  const ids: Record<string, string> = {}

  const scim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(m.origin + SCIM + path, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/scim+json',
        'user-agent': 'Azure AD SCIM',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) }
  }
  const person = async (name: string, given: string, family: string) => {
    const res = await scim('POST', '/Users', {
      schemas: [USER],
      userName: `${name}@acme.test`,
      displayName: `${given} ${family}`,
      name: { givenName: given, familyName: family },
      password: 'Initial-Secret-1!',
      active: true,
    })
    expect(res.status).toBe(201)
    ids[name] = res.body.id
  }
  const docs = async (name: string) => {
    await m.screenshot(name)
    if (!DOCS) return
    await mkdir('docs', { recursive: true })
    await copyFile(join(SCREENSHOTS, `${name}.png`), join('docs', `${name}.png`))
  }
  const rows = () => m.page.locator('tbody tr')

  beforeAll(async () => {
    m = await startMusterAndBrowser()
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('First name').fill('Ada')
    await page.getByLabel('Last name').fill('Lovelace')
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    const platform = await m.store.db.selectFrom('platforms').select('id').executeTakeFirstOrThrow()
    secret = (await createApiKey(m.store.db, platform.id, 'Entra ID production')).secret
    await person('joy', 'Joy', 'Young')
    await person('bob', 'Bob', 'Brown')
    await person('cy', 'Cy', 'Twombly')
    const group = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Tour Operations',
      members: [{ value: ids.joy }, { value: ids.bob }],
    })
    expect(group.status).toBe(201)
    ids.tour = group.body.id
    const patched = await scim('PATCH', `/Groups/${ids.tour}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: ids.cy }] },
        { op: 'remove', path: `members[value eq "${ids.bob}"]` },
      ],
    })
    expect(patched.status).toBeLessThan(300)
    const renamed = await scim('PATCH', `/Users/${ids.joy}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Joy Young-Park' },
        { op: 'replace', path: 'password', value: 'Rotated-Secret-2!' },
        { op: 'replace', path: `${ROLE}:platformRole`, value: 'OPERATOR' },
      ],
    })
    expect(renamed.status).toBe(200)
    expect((await scim('POST', '/Users', { schemas: [USER], userName: 'BOB@acme.test' })).status).toBe(409)
  })
  afterAll(() => m?.close())

  it('names users and groups and says what changed, old → new', async () => {
    const { page } = m
    await page.getByRole('link', { name: 'Provisioning log' }).click()
    await page.getByRole('heading', { level: 1, name: 'Provisioning log' }).waitFor()
    await page.getByRole('cell', { name: /displayName: Joy Young → Joy Young-Park/ }).waitFor()
    const joyRow = rows().filter({ hasText: 'displayName: Joy Young →' })
    await expect(joyRow.textContent()).resolves.toMatch(/platformRole: MEMBER → OPERATOR/)
    await expect(joyRow.textContent()).resolves.toMatch(/password changed/)
    await expect(joyRow.getByRole('link', { name: 'joy@acme.test' }).count()).resolves.toBe(1)
    const groupRow = rows().filter({ hasText: 'added Cy Twombly' })
    await expect(groupRow.textContent()).resolves.toMatch(/removed Bob Brown/)
    await expect(groupRow.textContent()).resolves.toMatch(/Entra ID production/)
    await expect(rows().filter({ hasText: 'added Joy Young-Park, Bob Brown' }).count()).resolves.toBe(1)
    await expect(rows().filter({ hasText: '409' }).textContent()).resolves.toMatch(/BOB@acme\.test/)
    expect(await page.content()).not.toContain('Secret-')
    await docs('provisioning-log')
  })

  it('shows an event with the old and new values, the members by name and the redacted bodies', async () => {
    const { page } = m
    await rows()
      .filter({ hasText: 'displayName: Joy Young →' })
      .getByRole('link', { name: /details/ })
      .click()
    await page.getByRole('heading', { level: 1, name: /PATCH User joy@acme\.test/ }).waitFor()
    const table = page.getByRole('table')
    await table.getByRole('row', { name: /displayName Joy Young Joy Young-Park/ }).waitFor()
    await table.getByRole('row', { name: /platformRole MEMBER OPERATOR/ }).waitFor()
    await table.getByRole('row', { name: /password changed \(never shown\)/ }).waitFor()
    // Bodies are written within a second of the answer.
    for (let i = 0; !(await page.getByText('Request body').isVisible()); i++) {
      if (i === 10) throw new Error('the bodies never showed')
      await page.waitForTimeout(500)
      await page.reload()
    }
    const request = await page.locator('pre').first().textContent()
    expect(request).toContain('"value": "[redacted]"')
    expect(request).toContain('Joy Young-Park')
    expect(await page.content()).not.toContain('Secret-')
    await docs('provisioning-event')

    await page.getByRole('link', { name: '← Provisioning log' }).click()
    await rows()
      .filter({ hasText: 'removed Bob Brown' })
      .getByRole('link', { name: /details/ })
      .click()
    await page.getByRole('heading', { name: 'Members added (1)' }).waitFor()
    await page.getByRole('link', { name: 'Cy Twombly' }).waitFor()
    await page.getByRole('heading', { name: 'Members removed (1)' }).waitFor()
    await page.getByRole('link', { name: 'Bob Brown' }).click()
    await page.waitForURL(new RegExp(`/platform/users/${ids.bob}$`))
  })

  it('searches by name, and Back steps back through the filters', async () => {
    const { page } = m
    await page.goto(m.origin + LOG)
    await page.getByLabel('Search by user, group or request id').fill('tour ops')
    await page.getByLabel('Search by user, group or request id').press('Enter')
    await page.waitForURL(/q=tour/)
    await page.getByText('No events match these filters.').waitFor()
    await page.getByLabel('Search by user, group or request id').fill('tour op')
    await page.getByLabel('Search by user, group or request id').press('Enter')
    await page.waitForURL(/q=tour\+op$|q=tour%20op$/)
    await expect.poll(() => rows().count()).toBe(2)
    await page.getByLabel('Result').selectOption('success')
    await page.waitForURL(/status=success/)
    await page.goBack()
    await page.waitForURL((url) => !url.search.includes('status='))
    await expect(page.getByLabel('Result').inputValue()).resolves.toBe('')
    await page.goBack()
    await page.waitForURL(/q=tour/)
    await page.getByText('No events match these filters.').waitFor()
  })

  it('includes the chosen minute in "To", and resets bad values in the address with a message', async () => {
    const { page } = m
    await page.goto(m.origin + LOG)
    await rows().first().waitFor()
    const total = await rows().count()
    // The minute every event so far was written in: "To" that minute keeps them all.
    const now = await page.evaluate(() => {
      const d = new Date()
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
    })
    await page.getByLabel('To (including that minute)').fill(now)
    await page.waitForURL(/to=/)
    await expect.poll(() => rows().count()).toBe(total)

    await page.goto(`${m.origin}${LOG}?status=maybe&method=PATCH&from=yesterday`)
    await page
      .getByText(/Reset what the address asked for but the log does not know: status=maybe, from=yesterday/)
      .waitFor()
    await page.waitForURL(/\?method=PATCH$/)
    await expect(page.getByLabel('Method').inputValue()).resolves.toBe('PATCH')
  })

  it('announces new events while the first page is open', async () => {
    const { page } = m
    await page.goto(m.origin + LOG)
    await rows().first().waitFor()
    const before = await rows().count()
    await person('dee', 'Dee', 'Rams')
    await page.getByText('1 new event.').waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Show it' }).click()
    await expect.poll(() => rows().count()).toBe(before + 1)
    await rows().first().getByRole('link', { name: 'dee@acme.test' }).waitFor()
  })
})
