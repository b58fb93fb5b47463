// SPEC.md "Guard-rail": no SCIM request may leave a platform without an ACTIVE ADMIN. Entra's first
// sync with the guide's default mapping sends platformRole MEMBER for the admin who set Muster up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const demote = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'Replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: 'MEMBER' }],
}
const deactivate = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
}

describe.each(dialects)('the last active ADMIN on %s', (dialect) => {
  let t: TestApp
  let adminId: string
  beforeEach(async () => {
    t = await createTestApp(dialect)
    adminId = (await createAccount(t, t.platformId, 'ada@acme.test')).id
  })
  afterEach(() => t.close())

  const expectRefused = async (res: Awaited<ReturnType<TestApp['scim']>>) => {
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ status: '400', scimType: 'invalidValue' })
    expect(res.json().detail).toMatch(
      /without an active ADMIN: map platformRole ADMIN for this user or make another admin first/,
    )
    const user = (await t.scim('GET', `/Users/${adminId}`)).json()
    expect(user).toMatchObject({ active: true, [CUSTOM_USER_SCHEMA]: { platformRole: 'ADMIN' } })
  }

  it('refuses a PATCH that demotes them, and keeps their console session', async () => {
    const console = await signedIn(t, 'ada@acme.test')
    await expectRefused(await t.scim('PATCH', `/Users/${adminId}`, demote))
    expect((await console.call('GET', '/auth/me')).statusCode).toBe(200)
  })

  it('refuses a PATCH that deactivates them', async () => {
    await expectRefused(await t.scim('PATCH', `/Users/${adminId}`, deactivate))
  })

  it('refuses a PUT without the platformRole extension (which means MEMBER)', async () => {
    await expectRefused(
      await t.scim('PUT', `/Users/${adminId}`, { schemas: [USER_SCHEMA], userName: 'ada@acme.test' }),
    )
  })

  it('refuses a DELETE', async () => {
    await expectRefused(await t.scim('DELETE', `/Users/${adminId}`))
  })

  it('records the refusal in the provisioning log with its explanation', async () => {
    await t.scim('PATCH', `/Users/${adminId}`, demote)
    const console = await signedIn(t, 'ada@acme.test')
    const [event] = (await console.call('GET', `/events?resourceId=${adminId}`)).json().events
    expect(event).toMatchObject({ method: 'PATCH', status: 400, actorType: 'scim' })
    expect(event.error).toMatch(/without an active ADMIN/)
  })

  it('lets them go once another ACTIVE ADMIN exists', async () => {
    await createAccount(t, t.platformId, 'grace@acme.test')
    const res = await t.scim('PATCH', `/Users/${adminId}`, demote)
    expect(res.statusCode).toBe(200)
    expect(res.json()[CUSTOM_USER_SCHEMA]).toEqual({ platformRole: 'MEMBER' })
  })

  it('an inactive or OPERATOR colleague does not count', async () => {
    await createAccount(t, t.platformId, 'off@acme.test', { active: false })
    await createAccount(t, t.platformId, 'op@acme.test', { role: 'OPERATOR' })
    await expectRefused(await t.scim('PATCH', `/Users/${adminId}`, demote))
  })

  it('two admins demoted at once: one stays ADMIN', async () => {
    const graceId = (await createAccount(t, t.platformId, 'grace@acme.test')).id
    const results = await Promise.all([
      t.scim('PATCH', `/Users/${adminId}`, demote),
      t.scim('PATCH', `/Users/${graceId}`, demote),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400])
    const admins = (await t.scim('GET', '/Users?count=10'))
      .json()
      .Resources.filter(
        (u: Record<string, { platformRole?: string }>) => u[CUSTOM_USER_SCHEMA]?.platformRole === 'ADMIN',
      )
    expect(admins).toHaveLength(1)
  })

  it('other users change freely', async () => {
    const bob = await t.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'bob@acme.test' })
    expect((await t.scim('PATCH', `/Users/${bob.json().id}`, deactivate)).statusCode).toBe(200)
    expect((await t.scim('DELETE', `/Users/${bob.json().id}`)).statusCode).toBe(204)
  })
})
