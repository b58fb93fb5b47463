// `muster sso …` says and does what the console's Single sign-on page does, each with --json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli.js'
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-idp.js'
import { idpKey, idpMetadata } from '../helpers/saml-idp.js'

const dir = mkdtempSync(join(tmpdir(), 'muster-sso-cli-'))
const env = {
  DATABASE_URL: `file:${join(dir, 'db.sqlite')}`,
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'https://id.acme.test',
}

async function run(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('muster sso', () => {
  let idp: TestOidcProvider
  let platform = ''
  beforeAll(async () => {
    idp = await startOidcProvider({
      redirectUris: ['https://id.acme.test/api/v1/authn/oidc/callback'],
      accounts: {},
    })
    platform = JSON.parse((await run('platform', 'create', '--name', 'Acme', '--json')).out).id
  })
  afterAll(async () => {
    await idp?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('shows the addresses to paste into the IdP', async () => {
    const res = await run('sso', 'show', '--platform', platform)
    expect(res.code).toBe(0)
    expect(res.out).toContain(`https://id.acme.test/api/v1/authn/saml/${platform}`)
    expect(res.out).toContain('https://id.acme.test/api/v1/authn/saml/acs')
    const json = JSON.parse((await run('sso', 'show', '--platform', platform, '--json')).out)
    expect(json).toMatchObject({ saml: null, oidc: null, allowIdpInitiated: true, requireSso: false })
  })

  it('saml set loads a metadata file', async () => {
    const key = await idpKey()
    const file = join(dir, 'entra.xml')
    writeFileSync(file, idpMetadata({ certs: [key.der] }))
    const res = await run('sso', 'saml', 'set', '--platform', platform, '--metadata', file, '--json')
    expect(res.code, res.err).toBe(0)
    expect(JSON.parse(res.out).saml.certificates).toHaveLength(1)
    const bad = await run(
      'sso',
      'saml',
      'set',
      '--platform',
      platform,
      '--metadata',
      'http://idp.example.com/md',
    )
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/https:/)
  })

  it('oidc set discovers the issuer and never prints the secret', async () => {
    const res = await run(
      'sso',
      'oidc',
      'set',
      '--platform',
      platform,
      '--issuer',
      idp.issuer,
      '--client-id',
      idp.clientId,
      '--client-secret',
      idp.clientSecret,
      '--json',
    )
    expect(res.code, res.err).toBe(0)
    expect(JSON.parse(res.out).oidc).toMatchObject({ issuer: idp.issuer, clientSecretSet: true })
    expect(res.out).not.toContain(idp.clientSecret)
    expect((await run('sso', 'show', '--platform', platform)).out).not.toContain(idp.clientSecret)
    // The secret is sealed under the key file next to the database, so a new process can use it.
    const back = await run(
      'sso',
      'oidc',
      'set',
      '--platform',
      platform,
      '--issuer',
      idp.issuer,
      '--client-id',
      idp.clientId,
      '--client-secret',
      idp.clientSecret,
    )
    expect(back.code).toBe(0)
  })

  it('domains set and the switches', async () => {
    const res = await run(
      'sso',
      'domains',
      'set',
      '--platform',
      platform,
      'acme.test',
      'EU.acme.test',
      '--json',
    )
    expect(JSON.parse(res.out).domains).toEqual(['acme.test', 'eu.acme.test'])
    const set = await run(
      'sso',
      'set',
      '--platform',
      platform,
      '--require-sso',
      'on',
      '--idp-initiated',
      'off',
      '--json',
    )
    expect(JSON.parse(set.out)).toMatchObject({
      requireSso: true,
      allowIdpInitiated: false,
      createUsers: false,
    })
    expect((await run('sso', 'set', '--platform', platform, '--require-sso', 'maybe')).code).toBe(2)
    expect((await run('sso', 'show', '--platform', 'nope')).err).toContain('No platform')
  })
})
