// The audit trail of admin actions over the admin API (issue 13) on both dialects: each action writes
// one row naming the admin, the target, old → new and the client's address; a refused request writes
// none; no secret ever reaches a row; rows stay on their platform; the CSV export and the filters.
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOM_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { streamAudit } from '../../src/store/audit.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-idp.js'
import { IDP_ENTITY_ID, type IdpKey, idpKey, idpMetadata } from '../helpers/saml-idp.js'

const ADDRESS = '203.0.113.7'

interface Entry {
  id: number
  actorEmail: string
  action: string
  actionLabel: string
  targetType: string | null
  targetId: string | null
  targetName: string | null
  targetExists: boolean
  details: Record<string, unknown> | null
  changes: string[]
  ip: string | null
  requestId: string | null
  createdAt: string
}

describe.each(dialects)('audit trail on %s', (dialect) => {
  let t: TestApp
  let oidc: TestOidcProvider
  let key: IdpKey
  let cookie = ''
  const secrets: string[] = []

  /** An admin API call from ADDRESS as root@acme.test. */
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${path}`,
      headers: { cookie },
      remoteAddress: ADDRESS,
      ...(body === undefined ? {} : { payload: body as object }),
    })
  const ok = (res: LightMyRequestResponse, status = 200) => {
    expect(res.statusCode, res.body).toBe(status)
    return res
  }
  const trail = async (query = ''): Promise<{ total: number; entries: Entry[] }> =>
    ok(await call('GET', `/audit?limit=200${query}`)).json()
  const rows = async (action: string) => (await trail(`&action=${action}`)).entries
  /** The one row `run` adds, after checking it added exactly one. */
  const one = async (run: () => Promise<unknown>): Promise<Entry> => {
    const before = (await trail()).total
    await run()
    const after = await trail()
    expect(after.total).toBe(before + 1)
    const entry = after.entries[0]!
    expect(entry.actorEmail).toBe('root@acme.test')
    expect(entry.ip).toBe(ADDRESS)
    expect(entry.requestId).toBeTruthy()
    return entry
  }
  /** Runs `run` and checks the trail did not grow. */
  const none = async (run: () => Promise<unknown>) => {
    const before = (await trail()).total
    await run()
    expect((await trail()).total).toBe(before)
  }
  const scimUser = async (name: string, role = 'MEMBER') => {
    const res = await t.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
      userName: `${name}@acme.test`,
      active: true,
      [CUSTOM_USER_SCHEMA]: { platformRole: role },
    })
    expect(res.statusCode).toBe(201)
    return res.json().id as string
  }

  beforeAll(async () => {
    t = await createTestApp(dialect)
    key = await idpKey()
    oidc = await startOidcProvider({
      redirectUris: ['https://muster.test/api/v1/authn/oidc/callback'],
      accounts: {},
    })
    secrets.push(oidc.clientSecret, key.der, key.key)
    await createAccount(t, t.platformId, 'root@acme.test')
    cookie = (await signedIn(t, 'root@acme.test')).cookie
  })
  afterAll(async () => {
    await oidc?.close()
    await t?.close()
  })

  it('creating and revoking an API key names the key, never its secret', async () => {
    let id = ''
    const created = await one(async () => {
      const res = ok(await call('POST', '/api-keys', { name: 'Entra production' }), 201)
      id = res.json().key.id
      secrets.push(res.json().secret)
    })
    expect(created).toMatchObject({
      action: 'api_key.created',
      actionLabel: 'API key created',
      targetType: 'api_key',
      targetId: id,
      targetName: 'Entra production',
    })
    expect(created.changes).toEqual([expect.stringMatching(/^Key: sk-….{4}$/)])
    const revoked = await one(async () => ok(await call('DELETE', `/api-keys/${id}`), 204))
    expect(revoked).toMatchObject({ action: 'api_key.revoked', targetName: 'Entra production' })
  })

  it('a platform role change and a deactivation say old → new and link to the user', async () => {
    const mia = await scimUser('mia')
    const role = await one(async () => ok(await call('PATCH', `/users/${mia}`, { platformRole: 'OPERATOR' })))
    expect(role).toMatchObject({
      action: 'user.role_changed',
      targetType: 'user',
      targetId: mia,
      targetName: 'mia@acme.test',
      targetExists: true,
      details: { platformRole: { from: 'MEMBER', to: 'OPERATOR' } },
      changes: ['Platform role: MEMBER → OPERATOR'],
    })
    const off = await one(async () => ok(await call('PATCH', `/users/${mia}`, { active: false })))
    expect(off).toMatchObject({
      action: 'user.deactivated',
      targetName: 'mia@acme.test',
      changes: ['Active: yes → no'],
    })
    const on = await one(async () => ok(await call('PATCH', `/users/${mia}`, { active: true })))
    expect(on).toMatchObject({ action: 'user.reactivated', changes: ['Active: no → yes'] })
    // Saving what is already there changes nothing and is not an action.
    await none(async () => ok(await call('PATCH', `/users/${mia}`, { platformRole: 'OPERATOR' })))
    // Once the user is deleted (by the IdP), the row still names them but no longer links.
    expect((await t.scim('DELETE', `/Users/${mia}`)).statusCode).toBe(204)
    const kept = (await rows('user.role_changed')).find((e) => e.targetId === mia)!
    expect(kept).toMatchObject({ targetName: 'mia@acme.test', targetExists: false })
  })

  it('project and member role changes name the project and the member', async () => {
    const noa = await scimUser('noa')
    const group = await t.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Apollo',
      members: [{ value: noa }],
    })
    expect(group.statusCode).toBe(201)
    const project = group.json().id as string
    const projectRole = await one(async () =>
      ok(await call('PATCH', `/projects/${project}`, { projectRole: 'Viewer' })),
    )
    expect(projectRole).toMatchObject({
      action: 'project.role_changed',
      targetType: 'project',
      targetId: project,
      targetName: 'Apollo',
      targetExists: true,
      changes: ['Project role: (none) → Viewer'],
    })
    const member = await one(async () =>
      ok(await call('PATCH', `/projects/${project}/members/${noa}`, { role: 'Admin' })),
    )
    expect(member).toMatchObject({
      action: 'member.role_changed',
      targetName: 'Apollo',
      details: { member: 'noa@acme.test', role: { from: 'Viewer', to: 'Admin' } },
      changes: ['Member: noa@acme.test', 'Role: Viewer → Admin'],
    })
  })

  it('a settings change is one row with the old and new default role', async () => {
    // Projects that follow the default take the new role: one settings row, not one per project.
    expect(
      (await t.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Follows default' }))
        .statusCode,
    ).toBe(201)
    const entry = await one(async () =>
      ok(await call('PATCH', '/settings', { defaultProjectRole: 'Viewer' })),
    )
    expect(entry).toMatchObject({
      action: 'settings.changed',
      targetName: 'Acme',
      changes: ['Default project role: (none) → Viewer'],
    })
    const back = await one(async () => ok(await call('PATCH', '/settings', { defaultProjectRole: null })))
    expect(back.changes).toEqual(['Default project role: Viewer → (none)'])
  })

  it('SSO changes record what changed: certificate fingerprints, never a certificate or the client secret', async () => {
    const saml = await one(async () =>
      ok(await call('PUT', '/sso/saml', { metadataXml: idpMetadata({ certs: [key.der] }) })),
    )
    expect(saml).toMatchObject({ action: 'sso.saml_changed', targetName: 'SAML' })
    expect(saml.details).toMatchObject({
      entityId: { from: null, to: IDP_ENTITY_ID },
      certificates: { from: [], to: [expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)] },
    })
    expect(saml.changes).toContain(`IdP entity ID: (none) → ${IDP_ENTITY_ID}`)

    const oidcSet = await one(async () =>
      ok(
        await call('PUT', '/sso/oidc', {
          issuer: oidc.issuer,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
        }),
      ),
    )
    expect(oidcSet).toMatchObject({
      action: 'sso.oidc_changed',
      details: {
        issuer: { from: null, to: oidc.issuer },
        clientId: { from: null, to: oidc.clientId },
        clientSecret: 'replaced',
      },
    })
    const domains = await one(async () => ok(await call('PUT', '/sso/domains', { domains: ['Acme.test'] })))
    expect(domains).toMatchObject({ action: 'sso.domains_changed', changes: ['Domains: (none) → acme.test'] })
    const toggles = await one(async () => ok(await call('PATCH', '/sso/settings', { createUsers: true })))
    expect(toggles).toMatchObject({
      action: 'sso.settings_changed',
      changes: ['Create users at first sign-in: no → yes'],
    })
    expect((await one(async () => ok(await call('DELETE', '/sso/oidc')))).action).toBe('sso.oidc_removed')
    const removed = await one(async () => ok(await call('DELETE', '/sso/saml')))
    expect(removed).toMatchObject({
      action: 'sso.saml_removed',
      details: { entityId: { from: IDP_ENTITY_ID, to: null } },
    })
  })

  it('event stream actions each write a row', async () => {
    let id = ''
    const created = await one(async () => {
      id = ok(await call('POST', '/events/streams', { method: 'poll' }), 201).json().stream.id
    })
    expect(created).toMatchObject({ action: 'stream.created', targetType: 'stream', targetId: id })
    expect(created.changes).toContain('Method: poll')
    const paused = await one(async () =>
      ok(await call('PATCH', `/events/streams/${id}`, { status: 'paused' })),
    )
    expect(paused).toMatchObject({ action: 'stream.paused', changes: ['Status: enabled → paused'] })
    const resumed = await one(async () =>
      ok(await call('PATCH', `/events/streams/${id}`, { status: 'enabled' })),
    )
    expect(resumed.action).toBe('stream.resumed')
    const redelivered = await one(async () =>
      ok(await call('POST', `/events/streams/${id}/redeliver`, { from: '2024-01-01T00:00:00Z' })),
    )
    expect(redelivered).toMatchObject({
      action: 'stream.redelivered',
      details: { from: '2024-01-01T00:00:00.000Z' },
    })
    const test = await one(async () => ok(await call('POST', `/events/streams/${id}/test`), 202))
    expect(test.action).toBe('stream.test_sent')
    const deleted = await one(async () => ok(await call('DELETE', `/events/streams/${id}`), 204))
    expect(deleted).toMatchObject({ action: 'stream.deleted', targetId: id })
  })

  it('a refused request writes no row', async () => {
    const leo = await scimUser('leo')
    const me = (await call('GET', '/auth/me')).json()
    await none(async () =>
      expect((await call('PATCH', `/users/${leo}`, { platformRole: 'KING' })).statusCode).toBe(400),
    )
    // Refused inside the write's transaction: the user changed since the admin saw them (If-Match).
    await none(async () =>
      expect((await call('PATCH', `/users/${leo}`, { platformRole: 'ADMIN', version: 99 })).statusCode).toBe(
        412,
      ),
    )
    await none(async () =>
      expect((await call('PATCH', `/users/${me.user.id}`, { active: false })).statusCode).toBe(409),
    )
    await none(async () => expect((await call('POST', '/api-keys', { name: '' })).statusCode).toBe(400))
    await none(async () => expect((await call('DELETE', '/api-keys/no-such-key')).statusCode).toBe(404))
    await none(async () =>
      expect((await call('PATCH', '/settings', { defaultProjectRole: 'Owner' })).statusCode).toBe(400),
    )
    await none(async () =>
      expect((await call('PATCH', '/sso/settings', { requireSso: true })).statusCode).toBe(400),
    )
    await none(async () =>
      expect((await call('PUT', '/sso/domains', { domains: ['not a domain'] })).statusCode).toBe(400),
    )
    await none(async () =>
      expect(
        (await call('POST', '/events/streams', { method: 'push', url: 'http://127.0.0.1/x' })).statusCode,
      ).toBe(400),
    )
  })

  it('no secret appears in the trail or its export', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4)
    const list = (await call('GET', '/audit?limit=200')).body
    const csv = (await call('GET', '/audit.csv')).body
    for (const secret of secrets) {
      expect(list).not.toContain(secret)
      expect(csv).not.toContain(secret)
    }
    // The sealed OIDC secret is not in any row either (the stored column is the only place it lives).
    const sealed = await t.store.db.selectFrom('sso_settings').select('oidc_client_secret').execute()
    for (const { oidc_client_secret } of sealed)
      if (oidc_client_secret) expect(list).not.toContain(oidc_client_secret)
  })

  it("another platform's admin sees none of these rows", async () => {
    const globex = await createPlatform(t.store.db, 'Globex')
    await createAccount(t, globex.id, 'boss@globex.test')
    const other = await signedIn(t, 'boss@globex.test')
    const res = await other.call('GET', '/audit')
    expect(res.statusCode).toBe(200)
    expect(res.json().total).toBe(0)
    expect((await other.call('GET', '/audit.csv')).body.trim().split('\r\n')).toHaveLength(1)
  })

  it('exports CSV with a header, one line per row, and defuses a cell a spreadsheet would run', async () => {
    ok(await call('POST', '/api-keys', { name: '=HYPERLINK("http://evil.test")' }), 201)
    const res = ok(await call('GET', '/audit.csv?action=api_key.created'))
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    expect(res.headers['content-disposition']).toContain('audit-trail.csv')
    const lines = res.body.trim().split('\r\n')
    expect(lines[0]).toBe('time (UTC),by,action,target,details,address,request id')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,root@acme\.test,API key created,/)
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.test"")"`)
    expect(lines[1]).toContain(ADDRESS)
    expect(lines[2]).toContain('Entra production')
    const all = ok(await call('GET', '/audit.csv'))
      .body.trim()
      .split('\r\n')
    expect(all).toHaveLength((await trail()).total + 1)
    expect(all.join('\n')).toContain('Platform role: MEMBER → OPERATOR')
  })

  it('filters by action, time and text, and refuses a bad filter', async () => {
    const { entries } = await trail()
    expect((await rows('user.role_changed')).every((e) => e.action === 'user.role_changed')).toBe(true)
    expect(await rows('user.role_changed')).toHaveLength(1)
    const oldest = entries[entries.length - 1]!.createdAt
    const newest = entries[0]!.createdAt
    expect((await trail(`&to=${encodeURIComponent(oldest)}`)).total).toBe(0)
    const after = new Date(Date.parse(newest) + 1).toISOString()
    expect((await trail(`&from=${encodeURIComponent(after)}`)).total).toBe(0)
    expect((await trail(`&from=${encodeURIComponent(oldest)}&to=${encodeURIComponent(after)}`)).total).toBe(
      entries.length,
    )
    const apollo = (await trail('&q=apol')).entries
    expect(apollo.length).toBe(2)
    expect(apollo.every((e) => e.targetName === 'Apollo')).toBe(true)
    expect((await call('GET', '/audit?action=nope')).statusCode).toBe(400)
    expect((await call('GET', '/audit?from=yesterday')).statusCode).toBe(400)
    expect((await call('GET', '/audit.csv?to=soon')).statusCode).toBe(400)
  })

  it('the export reads the trail in batches, newest first, as the list shows it', async () => {
    const ids: number[] = []
    for await (const batch of streamAudit(t.store.db, t.platformId, {}, 3)) {
      expect(batch.length).toBeLessThanOrEqual(3)
      ids.push(...batch.map((e) => e.id))
    }
    expect(ids.length).toBeGreaterThan(6)
    expect(ids).toEqual((await trail()).entries.map((e) => e.id))
  })

  it('rows older than EVENT_RETENTION_DAYS are pruned with the provisioning log', async () => {
    const { entries, total } = await trail()
    const oldest = entries[entries.length - 1]!
    const longAgo = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString()
    await t.store.db
      .updateTable('audit_log')
      .set({ created_at: longAgo })
      .where('id', '=', oldest.id)
      .execute()
    await t.app.retention.runOnce()
    const after = await trail()
    expect(after.total).toBe(total - 1)
    expect(after.entries.map((e) => e.id)).not.toContain(oldest.id)
  })

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    expect(doc.paths['/audit'].get).toBeDefined()
    expect(doc.paths['/audit.csv'].get).toBeDefined()
  })
})
