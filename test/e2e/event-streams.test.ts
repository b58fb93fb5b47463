// The event streams page in a real browser: an admin creates a push stream to a receiver on this
// machine, sends a test event and sees its delivery, pauses the stream while a change waits in the
// backlog, resumes it and sees the change arrive. The screenshot goes to docs/ for the README
// when UPDATE_DOCS_SCREENSHOTS=1.
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { type Running, SCREENSHOTS, startMusterAndBrowser } from '../helpers/browser.js'
import { type Receiver, startReceiver, summary } from '../helpers/set-receiver.js'

const ADMIN = { email: 'ada@acme.test', password: 'correct horse battery staple' }

describe('event streams page in Chromium', () => {
  let m: Running
  let receiver: Receiver
  beforeAll(async () => {
    m = await startMusterAndBrowser({
      EVENTS_ALLOW_LOOPBACK: '1',
      EVENTS_POLL_INTERVAL_MS: '50',
      ENCRYPTION_KEY: '22'.repeat(32),
    })
    receiver = await startReceiver({ lifetimeMs: 120_000, maxRequests: 100 })
  })
  afterAll(async () => {
    await receiver?.close()
    await m?.close()
  })

  it('creates a push stream, sends a test event, pauses and resumes', async () => {
    const { page } = m
    await page.goto(`${m.origin}/setup/${m.setupToken}`)
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('First name').fill('Ada')
    await page.getByLabel('Last name').fill('Lovelace')
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByLabel('Repeat the password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()

    await page.getByRole('link', { name: 'Event streams' }).click()
    await page.getByRole('heading', { name: 'Event streams' }).waitFor()
    await page.getByLabel('Receiver URL').fill('http://169.254.169.254/latest')
    await page.getByRole('button', { name: 'Create stream' }).click()
    await page.getByText(/link-local/).waitFor()
    await page.getByLabel('Receiver URL').fill(receiver.url)
    await page.getByRole('button', { name: 'Create stream' }).click()
    const stream = page.getByTestId('stream')
    await stream.getByText(receiver.url).waitFor()

    await stream.getByRole('button', { name: 'Send test event' }).click()
    const [test] = await receiver.waitFor(1)
    expect(Object.keys(test?.claims.events ?? {})).toEqual([
      'https://schemas.openid.net/secevent/ssf/event-type/verification',
    ])
    await stream.getByRole('button', { name: 'Deliveries' }).click()
    await stream.getByTestId('deliveries').getByText('test event').waitFor()
    await stream.getByTestId('deliveries').getByText('delivered').waitFor()

    await stream.getByRole('button', { name: 'Pause' }).click()
    await stream.getByText('paused', { exact: true }).waitFor()
    const platformId = (await m.store.db.selectFrom('platforms').select('id').executeTakeFirstOrThrow()).id
    const { secret } = await createApiKey(m.store.db, platformId, 'entra')
    const created = await fetch(`${m.origin}/api/v1/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'joy@contoso.test',
      }),
    })
    const userId = ((await created.json()) as { id: string }).id
    await stream.getByTestId('backlog').getByText('1', { exact: true }).waitFor()
    expect(receiver.received).toHaveLength(1)

    await stream.getByRole('button', { name: 'Resume' }).click()
    const sets = await receiver.waitFor(2)
    expect(summary(sets[1]!)).toEqual(['prov:create:full', `/Users/${userId}`])
    await stream.getByTestId('backlog').getByText('0', { exact: true }).waitFor()
    await stream.getByTestId('deliveries').getByText(`Users/${userId}`).waitFor()
    await m.screenshot('event-streams')
    // `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e` refreshes the README's pictures; a plain run leaves docs/ alone.
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1')
      await copyFile(join(SCREENSHOTS, 'event-streams.png'), join(process.cwd(), 'docs', 'event-streams.png'))
  })
})
