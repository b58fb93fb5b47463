// Users, roles and projects in Chromium (issue 13): nothing changes on the server while moving through
// a role list with the keyboard, role changes and deactivations ask first (old → new), a project's role
// change names the members it moves before it is applied, the users list keeps its filters and sort in
// the address (Back steps back, bad values reset with a message), and a page per user.
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'

const SCIM = '/api/v1/scim/v2'
const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ROLE = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'
/** `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e` refreshes the README's pictures in docs/. */
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1'

describe('users and projects in Chromium', () => {
  let m: Running
  let secret = ''
  const ids: Record<string, string> = {}
  let projectId = ''

  const scim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(m.origin + SCIM + path, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) }
  }
  const person = async (name: string, given: string, family: string, role = 'MEMBER') => {
    const res = await scim('POST', '/Users', {
      schemas: [USER, ROLE],
      userName: `${name}@acme.test`,
      externalId: `oid-${name}`,
      displayName: `${given} ${family}`,
      name: { givenName: given, familyName: family },
      title: 'Engineer',
      active: true,
      [ROLE]: { platformRole: role },
    })
    expect(res.status).toBe(201)
    ids[name] = res.body.id
  }
  const roleOf = async (name: string) => (await scim('GET', `/Users/${ids[name]}`)).body[ROLE].platformRole
  const docs = async (name: string) => {
    await m.screenshot(name)
    if (!DOCS) return
    await mkdir('docs', { recursive: true })
    await copyFile(join(SCREENSHOTS, `${name}.png`), join('docs', `${name}.png`))
  }
  /** The page itself never scrolls sideways (tables scroll inside their own box). */
  const noSidewaysScroll = () =>
    m.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

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
    secret = (await createApiKey(m.store.db, platform.id, 'Entra ID')).secret
    await person('joy', 'Joy', 'Young')
    await person('bob', 'Bob', 'Brown')
    await person('cy', 'Cy', 'Twombly', 'OPERATOR')
    await person('dee', 'Dee', 'Rams')
    const group = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Tour Operations',
      members: ['joy', 'bob', 'cy', 'dee'].map((n) => ({ value: ids[n] })),
    })
    expect(group.status).toBe(201)
    projectId = group.body.id
  })
  afterAll(() => m?.close())

  it('arrow keys in the role list change nothing on the server until the change is confirmed', async () => {
    const { page } = m
    await page.goto(`${m.origin}/platform/users`)
    const select = page.getByLabel('Platform role of joy@acme.test')
    await select.focus()
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('ArrowUp')
    expect(await select.inputValue()).not.toBe('MEMBER')
    // Nothing was sent: the server still says MEMBER.
    await page.waitForTimeout(300)
    expect(await roleOf('joy')).toBe('MEMBER')

    await select.selectOption('OPERATOR')
    await page.getByRole('button', { name: 'Change role of joy@acme.test to OPERATOR…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Change the platform role of Joy Young?' })
    await dialog.waitFor()
    await expect(dialog.textContent()).resolves.toMatch(/MEMBER\s*→\s*OPERATOR/)
    await dialog.getByText('may overwrite this at its next sync').waitFor()
    await m.screenshot('users-role-confirm')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => select.inputValue()).toBe('MEMBER')
    expect(await roleOf('joy')).toBe('MEMBER')

    await select.selectOption('OPERATOR')
    await page.getByRole('button', { name: 'Change role of joy@acme.test to OPERATOR…' }).click()
    await dialog.getByRole('button', { name: 'Make OPERATOR' }).click()
    await expect.poll(() => roleOf('joy')).toBe('OPERATOR')
    await expect.poll(() => select.inputValue()).toBe('OPERATOR')
  })

  it('deactivating asks first, showing Active → Inactive', async () => {
    const { page } = m
    await page.getByRole('button', { name: 'Deactivate dee@acme.test…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Deactivate Dee Rams?' })
    await expect(dialog.textContent()).resolves.toMatch(/Active\s*→\s*Inactive/)
    expect((await scim('GET', `/Users/${ids.dee}`)).body.active).toBe(true)
    await dialog.getByRole('button', { name: 'Deactivate' }).click()
    await expect.poll(async () => (await scim('GET', `/Users/${ids.dee}`)).body.active).toBe(false)
    await page.getByRole('button', { name: 'Reactivate dee@acme.test…' }).waitFor()
  })

  it('filters and sorts in the address: Back steps back, bad values reset with a message', async () => {
    const { page } = m
    const names = () => page.locator('tbody tr td:first-child').allTextContents()
    await page.getByLabel('Platform role', { exact: true }).selectOption('OPERATOR')
    await page.waitForURL(/role=OPERATOR/)
    await expect.poll(names).toEqual(['Cy Twombly', 'Joy Young'])
    // Name is not the current sort: the first click sorts ascending, the second descending.
    await page.getByRole('button', { name: 'Name: sort ascending' }).click()
    await page.waitForURL(/sort=name/)
    await page.getByRole('button', { name: 'Name: sort descending' }).click()
    await page.waitForURL(/order=desc/)
    await expect.poll(names).toEqual(['Joy Young', 'Cy Twombly'])
    await page.goBack()
    await page.waitForURL((url) => url.searchParams.get('order') === 'asc')
    await expect.poll(names).toEqual(['Cy Twombly', 'Joy Young'])
    await page.getByLabel('Status', { exact: true }).selectOption('INACTIVE')
    await expect.poll(names).toEqual([])
    await page.getByText('No user matches these filters.').waitFor()
    await page.goBack()
    await expect.poll(names).toEqual(['Cy Twombly', 'Joy Young'])

    await page.goto(`${m.origin}/platform/users?role=BOSS&sort=age&source=scim`)
    await page.getByRole('status').filter({ hasText: 'role=BOSS, sort=age' }).waitFor()
    await page.waitForURL((url) => url.search === '?source=scim')
    await expect.poll(names).toContain('Bob Brown')
    await page.goto(`${m.origin}/platform/users`)
    await page.getByRole('link', { name: 'Bob Brown' }).waitFor()
    await docs('users')
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await noSidewaysScroll()).toBe(true)
    await m.screenshot('users-390')
    await page.setViewportSize({ width: 1366, height: 900 })
  })

  it("a project's role change names the members it moves before it is applied", async () => {
    const { page } = m
    await page.goto(`${m.origin}/platform/projects/${projectId}`)
    await page.getByRole('heading', { name: 'Tour Operations' }).waitFor()
    // Bob's role is set by hand (confirmed), so the project's role will not move him.
    const bob = page.getByLabel('Project role of bob@acme.test')
    await bob.selectOption('Admin')
    await page.getByRole('button', { name: 'Change role of bob@acme.test…' }).click()
    const memberDialog = page.getByRole('dialog', { name: 'Change the project role of Bob Brown?' })
    await expect(memberDialog.textContent()).resolves.toMatch(/Editor\s*→\s*Admin/)
    await memberDialog.getByRole('button', { name: 'Make Admin' }).click()
    await page
      .getByRole('row', { name: /Bob Brown/ })
      .getByText('set by an admin')
      .waitFor()

    await page.getByLabel('Project role', { exact: true }).selectOption('Viewer')
    await page.getByRole('button', { name: 'Review change…' }).click()
    const dialog = page.getByRole('dialog', {
      name: /Change the role for members of Tour Operations: the platform default → Viewer/,
    })
    const listed = dialog.getByRole('list', { name: 'Members whose role changes' })
    await listed.waitFor()
    await expect(listed.getByRole('listitem').allTextContents()).resolves.toEqual([
      'Cy Twombly cy@acme.test: Editor → Viewer',
      'Dee Rams dee@acme.test: Editor → Viewer',
      'Joy Young joy@acme.test: Editor → Viewer',
    ])
    await dialog.getByText('1 member keeps the role an admin set by hand.').waitFor()
    await m.screenshot('project-role-preview')
    // Not applied yet.
    expect((await scim('GET', `/Groups/${projectId}`)).body).not.toHaveProperty([
      'urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes',
    ])
    await dialog.getByRole('button', { name: 'Change 3 members' }).click()
    await page
      .getByRole('row', { name: /Joy Young/ })
      .getByRole('combobox')
      .waitFor()
    await expect
      .poll(() => page.getByLabel('Project role of joy@acme.test').locator('option:checked').textContent())
      .toBe('Follow the project (Viewer)')
    await expect(page.getByRole('row', { name: /Bob Brown/ }).textContent()).resolves.toContain('Admin')
    // An OPERATOR is at least Editor, whatever the project says; an inactive member has no role.
    await expect(page.getByRole('row', { name: /Cy Twombly/ }).textContent()).resolves.toContain(
      'Editor (raised by OPERATOR)',
    )
    await expect(page.getByRole('row', { name: /Dee Rams/ }).textContent()).resolves.toContain('None')
  })

  it('the platform default also says whom it moves before it is saved', async () => {
    const { page } = m
    await page.goto(`${m.origin}/platform/settings`)
    await page.getByLabel('Admin', { exact: true }).check()
    await page.getByRole('button', { name: 'Review and save…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Change the default project role to Admin?' })
    // Tour Operations has its own role now: nobody follows the default.
    await dialog.getByText('No current member’s role changes; new members get Admin.').waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    const settings = await (await page.request.get(`${m.origin}/api/v1/settings`)).json()
    expect(settings.defaultProjectRole).toBeNull()
  })

  it('a page per user: SCIM attributes, source, projects with effective roles, sign-in and events', async () => {
    const { page } = m
    await page.goto(`${m.origin}/platform/users`)
    await page.getByRole('link', { name: 'Joy Young' }).click()
    await page.getByRole('heading', { name: 'Joy Young', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe(`/platform/users/${ids.joy}`)
    await page.getByText('Provisioned by your identity provider over SCIM.').waitFor()
    await page.getByText('Never signed in').waitFor()
    const scimJson = await page.locator('pre.scim-json').textContent()
    expect(JSON.parse(scimJson ?? '{}')).toMatchObject({ userName: 'joy@acme.test', title: 'Engineer' })
    const projects = page.getByRole('region', { name: 'Projects and effective roles' })
    await expect(projects.getByRole('row', { name: /Tour Operations/ }).textContent()).resolves.toMatch(
      /Viewer.*follows the project.*Editor \(raised by OPERATOR\)/,
    )
    const events = page.getByRole('region', { name: 'Recent events' })
    await expect(events.getByRole('row').count()).resolves.toBeGreaterThanOrEqual(3)
    await expect(events.getByRole('link', { name: /log/ }).getAttribute('href')).resolves.toBe(
      `/platform/provisioning-log?user=${ids.joy}`,
    )
    const first = events.locator('tbody tr').first()
    await expect(first.textContent()).resolves.toContain('Console')
    await expect(first.getByRole('link').getAttribute('href')).resolves.toMatch(
      /^\/platform\/provisioning-log\/\d+$/,
    )
    await docs('user-page')

    // The admin's own page after a password sign-in: the method shows, and no way to demote themselves.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    await page.goto(`${m.origin}/platform/users`)
    await page.getByRole('link', { name: 'Ada Lovelace' }).click()
    await page.getByText(/^Password, last on/).waitFor()
    await page.getByText('Created in Muster with the setup link.').waitFor()
    expect(await page.getByLabel('Platform role of ada@acme.test').isDisabled()).toBe(true)

    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${m.origin}/platform/users/${ids.joy}`)
    await page.getByRole('heading', { name: 'Joy Young', level: 1 }).waitFor()
    expect(await noSidewaysScroll()).toBe(true)
    await m.screenshot('user-page-390')
    await page.setViewportSize({ width: 1366, height: 900 })
  })
})
