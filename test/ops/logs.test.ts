import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { createSetupToken } from '../../src/store/setup-tokens.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { encodeResponse, idpKey, samlResponse, signAssertion } from '../helpers/saml-idp.js'
import { ACS, configureTestSaml, entityId, postAcs, setSession } from '../helpers/sso.js'

describe('logs', () => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  let t: TestApp
  const secrets: string[] = []

  beforeAll(async () => {
    t = await createTestApp('sqlite', { LOG_LEVEL: 'trace' }, { logStream: stream })
    secrets.push(t.secret)
    // A full run: first-admin setup, console sign-in, key creation, SCIM writes and failures.
    const token = await createSetupToken(t.store.db, t.platformId)
    const password = 'a very secret console password'
    secrets.push(token, password)
    await t.app.inject(`/api/v1/setup/${token}`)
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { token, email: 'root@acme.test', password },
    })
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'root@acme.test', password },
    })
    const cookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('muster_session='))
    expect(cookie).toBeDefined()
    const cookieValue = cookie!.split(';')[0]!.split('=')[1]!
    secrets.push(cookieValue)
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/api-keys',
      headers: { cookie: cookie!.split(';')[0]! },
    })
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'root@acme.test', password: 'wrong password guess' },
    })
    secrets.push('wrong password guess')
    const { secret } = await createApiKey(t.store.db, t.platformId, 'second')
    secrets.push(secret)
    await t.scim('POST', '/Users', { userName: 'joy@acme.test', password: 'Okta-Sent-Password-1' })
    secrets.push('Okta-Sent-Password-1')
    await t.scim('GET', '/Users?filter=userName eq "joy@acme.test"', undefined, {
      authorization: `Bearer ${secret}`,
    })
    await t.scim('GET', '/Users', undefined, { authorization: `Bearer ${secret}x` })
    await t.scim('PATCH', '/Users/nope', { Operations: [] }, { 'x-request-id': 'trace-me-42' })
    // Single sign-on: an accepted SAML response and a refused one (tampered after signing).
    const key = await idpKey()
    await configureTestSaml(t, t.platformId, [key])
    const signed = signAssertion(
      samlResponse({ audience: entityId(t.platformId), acsUrl: ACS, nameId: 'joy@acme.test' }),
      key,
    )
    const accepted = await postAcs(t, signed)
    expect(accepted.statusCode).toBe(302)
    secrets.push(encodeResponse(signed), setSession(accepted)!.split('=')[1]!)
    const tampered = signed.replace('joy@acme.test', 'root@acme.test')
    expect((await postAcs(t, tampered)).statusCode).toBe(403)
    secrets.push(encodeResponse(tampered))
  })
  afterAll(() => t.close())

  it('are JSON lines, each with a request id once a request is under way', () => {
    expect(lines.length).toBeGreaterThan(5)
    const parsed = lines.map((line) => JSON.parse(line))
    const requestLines = parsed.filter((l) => l.msg === 'request completed')
    expect(requestLines.length).toBeGreaterThanOrEqual(8)
    for (const line of requestLines) {
      expect(line.reqId).toBeTruthy()
      expect(line).toHaveProperty('method')
      expect(line).toHaveProperty('route')
      expect(line).toHaveProperty('status')
      expect(line).toHaveProperty('durationMs')
    }
  })

  it('name the platform and key of SCIM requests and keep a sent X-Request-Id', () => {
    const scim = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'request completed' && l.route?.startsWith(SCIM))
    const created = scim.find((l) => l.method === 'POST' && l.status === 201)
    expect(created).toMatchObject({ platformId: t.platformId, route: `${SCIM}/Users` })
    expect(created.keyId).toBeTruthy()
    expect(scim.find((l) => l.reqId === 'trace-me-42')).toMatchObject({ status: 404 })
  })

  it('never contain a secret: keys, passwords, cookies, setup tokens, SAML responses', () => {
    const log = lines.join('\n')
    expect(secrets.length).toBe(10)
    for (const secret of secrets) expect(log, `log contains ${secret.slice(0, 6)}…`).not.toContain(secret)
    expect(log).not.toMatch(/sk-[A-Za-z0-9_-]{20,}/)
  })
})
