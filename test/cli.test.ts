import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'muster-cli-'))
const env = { DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, LOG_LEVEL: 'silent' }
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('muster CLI', () => {
  it('platform create, api-key create/list/revoke with --json', async () => {
    const created = await run(
      'platform',
      'create',
      '--name',
      'Acme',
      '--admin-email',
      'it@acme.test',
      '--json',
    )
    expect(created.code).toBe(0)
    const { id, setupUrl } = JSON.parse(created.out)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(setupUrl).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/)

    const link = JSON.parse((await run('platform', 'setup-link', '--platform', id, '--json')).out)
    expect(link.setupUrl).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/)
    expect(link.setupUrl).not.toBe(setupUrl)

    const platforms = JSON.parse((await run('platform', 'list', '--json')).out)
    expect(platforms.map((p: { id: string }) => p.id)).toContain(id)

    const key = await run('api-key', 'create', '--platform', id, '--name', 'entra', '--json')
    expect(key.code).toBe(0)
    const { id: keyId, secret } = JSON.parse(key.out)
    expect(secret).toMatch(/^sk-/)

    const listed = await run('api-key', 'list', '--platform', id, '--json')
    expect(listed.out).not.toContain(secret)
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({ id: keyId, name: 'entra', revokedAt: null }),
    ])

    expect((await run('api-key', 'revoke', keyId)).code).toBe(0)
    const again = await run('api-key', 'revoke', keyId)
    expect(again.code).toBe(1)
    expect(again.err).toContain('already revoked')
  })

  it('migrate reports an up-to-date database', async () => {
    const res = await run('migrate', '--json')
    expect(res.code).toBe(0)
    expect(JSON.parse(res.out)).toHaveProperty('applied')
  })

  it.each([
    [['frobnicate']],
    [['platform', 'create']],
    [['api-key', 'create', '--name', 'x']],
    [['platform', 'create', '--bogus']],
    [[]],
  ])('misuse %j prints usage to stderr and exits non-zero', async (argv) => {
    const res = await run(...argv)
    expect(res.code).toBeGreaterThan(0)
    expect(res.err).toContain('Usage: muster')
    expect(res.out).toBe('')
  })

  it('an api key for an unknown platform is an error on stderr', async () => {
    const res = await run('api-key', 'create', '--platform', 'nope', '--name', 'x')
    expect(res.code).toBe(1)
    expect(res.err).toContain('No platform with id nope')
  })

  it('an invalid environment names the variable and the accepted values', async () => {
    const err: string[] = []
    const code = await runCli(
      ['migrate'],
      { out: () => {}, err: (t) => err.push(t) },
      { ...env, SCIM_DEFAULT_PROJECT_ROLE: 'Owner' },
    )
    expect(code).toBe(1)
    expect(err.join()).toMatch(/SCIM_DEFAULT_PROJECT_ROLE="Owner": must be one of Admin, Editor, Viewer/)
  })

  it('an unreachable database is a clear error', async () => {
    const err: string[] = []
    const code = await runCli(
      ['migrate'],
      { out: () => {}, err: (t) => err.push(t) },
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent' },
    )
    expect(code).toBe(1)
    expect(err.join()).toMatch(/Database does not answer/)
  })
})
