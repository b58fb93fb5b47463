// What `muster …` commands change is in the platform's audit trail beside the console's changes,
// named "command line (user@host)", on both dialects; no secret reaches a row; a refused command
// writes none.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli.js'
import { type AuditEntry, listAudit } from '../src/store/audit.js'
import { createStore, type Store } from '../src/store/database.js'
import { createTestDatabase, dialects, type TestDatabase } from './helpers/db.js'
import { idpKey, idpMetadata } from './helpers/saml-idp.js'

const WHO = `command line (${userInfo().username}@${hostname()})`

describe.each(dialects)('muster commands in the audit trail on %s', (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-cli-audit-'))
  let database: TestDatabase
  let store: Store
  let env: Record<string, string>
  let platformId = ''
  const outputs: string[] = []

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env)
    outputs.push(...out, ...err)
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
  const trail = async (): Promise<AuditEntry[]> =>
    (await listAudit(store.db, platformId, { limit: 200, offset: 0 })).entries
  /** The rows `command` adds, newest first, after checking it succeeded. */
  async function added(...argv: string[]): Promise<AuditEntry[]> {
    const before = (await trail()).length
    const res = await run(...argv)
    expect(res.code, res.err).toBe(0)
    const after = await trail()
    return after.slice(0, after.length - before)
  }

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    env = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://id.acme.test',
      ENCRYPTION_KEY_FILE: join(dir, 'encryption.key'),
      EVENTS_ALLOW_LOOPBACK: '1',
    }
    const created = await run(
      'platform',
      'create',
      '--name',
      'Acme',
      '--admin-email',
      'it@acme.test',
      '--json',
    )
    expect(created.code, created.err).toBe(0)
    platformId = JSON.parse(created.out).id
    store = createStore({ url: database.url, poolSize: 2 })
  })
  afterAll(async () => {
    await store?.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('platform create records the platform and its setup link, never the link', async () => {
    const rows = await trail()
    expect(rows.map((r) => [r.action, r.actorLabel, r.actorUserId])).toEqual([
      ['setup_link.created', WHO, null],
      ['platform.created', WHO, null],
    ])
    expect(rows[1]).toMatchObject({ targetType: 'platform', targetId: platformId, targetName: 'Acme' })
    expect(rows[0]?.details).toEqual({ email: 'it@acme.test' })
    const link = await added('platform', 'setup-link', '--platform', platformId, '--json')
    expect(link.map((r) => r.action)).toEqual(['setup_link.created'])
    const token = JSON.parse(outputs.at(-1)!).setupUrl.split('/').at(-1)
    expect(JSON.stringify(await trail())).not.toContain(token)
  })

  it('api-key create and revoke name the key by its last characters, never its secret', async () => {
    const [created, ...more] = await added(
      'api-key',
      'create',
      '--platform',
      platformId,
      '--name',
      'entra',
      '--json',
    )
    expect(more).toEqual([])
    const { id, secret, truncated } = JSON.parse(outputs.at(-1)!)
    expect(created).toMatchObject({
      action: 'api_key.created',
      actorLabel: WHO,
      targetType: 'api_key',
      targetId: id,
      targetName: 'entra',
      details: { key: `sk-…${truncated}` },
    })
    const [revoked] = await added('api-key', 'revoke', id)
    expect(revoked).toMatchObject({ action: 'api_key.revoked', actorLabel: WHO, targetId: id })
    expect(JSON.stringify(await trail())).not.toContain(secret)
  })

  it('a refused command writes no row', async () => {
    const before = (await trail()).length
    const [key] = await added('api-key', 'create', '--platform', platformId, '--name', 'okta', '--json')
    expect((await run('api-key', 'revoke', key!.targetId!)).code).toBe(0)
    const again = await run('api-key', 'revoke', key!.targetId!)
    expect(again.code).toBe(1)
    const taken = await run('sso', 'domains', 'set', '--platform', platformId, 'not a domain')
    expect(taken.code).toBe(1)
    expect((await trail()).length).toBe(before + 2)
  })

  it('sso commands record what changed, as the console does', async () => {
    const key = await idpKey()
    const file = join(dir, 'idp.xml')
    writeFileSync(file, idpMetadata({ certs: [key.der] }))
    const [saml] = await added('sso', 'saml', 'set', '--platform', platformId, '--metadata', file)
    expect(saml).toMatchObject({ action: 'sso.saml_changed', actorLabel: WHO, targetType: 'sso' })
    expect(JSON.stringify(saml?.details)).not.toContain(key.der.slice(0, 40))
    const [domains] = await added('sso', 'domains', 'set', '--platform', platformId, 'acme.test')
    expect(domains).toMatchObject({
      action: 'sso.domains_changed',
      details: { domains: { from: [], to: ['acme.test'] } },
    })
    const [toggles] = await added('sso', 'set', '--platform', platformId, '--idp-initiated', 'off')
    expect(toggles).toMatchObject({
      action: 'sso.settings_changed',
      details: { allowIdpInitiated: { from: true, to: false } },
    })
    // Setting what is already set changes nothing and records nothing.
    expect(await added('sso', 'set', '--platform', platformId, '--idp-initiated', 'off')).toEqual([])
  })

  it('events stream create and delete are recorded with the stream named by its URL', async () => {
    const url = 'http://127.0.0.1:9/hook'
    const [created] = await added(
      'events',
      'stream',
      'create',
      '--platform',
      platformId,
      '--push',
      url,
      '--json',
    )
    const { id } = JSON.parse(outputs.at(-1)!)
    expect(created).toMatchObject({
      action: 'stream.created',
      actorLabel: WHO,
      targetId: id,
      targetName: url,
      details: { method: 'push', url, events: 'all' },
    })
    const [deleted] = await added('events', 'stream', 'delete', id)
    expect(deleted).toMatchObject({ action: 'stream.deleted', targetId: id, targetName: url })
    const missing = await run('events', 'stream', 'delete', id)
    expect(missing.code).toBe(1)
    expect(missing.err).toContain(`No event stream with id ${id}`)
  })
})
