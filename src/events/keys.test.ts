// The SET signer: compact JWS that jose verifies, for new keys (ES256) and for keys made before (EdDSA).
import { CompactSign, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { jwsSigner, SET_ALG } from './keys.js'

const claims = {
  iss: 'https://muster.example',
  jti: 'a1',
  aud: 'https://receiver.example/events',
  events: {
    'urn:ietf:params:scim:event:prov:create:full': { attributes: { userName: 'zoë@example.com' } },
  },
}

describe.each(['ES256', 'EdDSA'] as const)('jwsSigner %s', async (alg) => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const privateJwk = await exportJWK(privateKey)

  it('verifies with jose against the public key, with its alg, kid and typ', async () => {
    const jwt = await jwsSigner(privateJwk, 'k1', alg).sign(claims)
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, {
      typ: 'secevent+jwt',
      algorithms: [alg],
    })
    expect(protectedHeader).toEqual({ alg, kid: 'k1', typ: 'secevent+jwt' })
    expect(payload).toEqual(claims)
  })

  it('a SET altered after signing does not verify', async () => {
    const [header, body, signature] = (await jwsSigner(privateJwk, 'k1', alg).sign(claims)).split('.')
    const forged = Buffer.from(JSON.stringify({ ...claims, aud: 'https://attacker.example' })).toString(
      'base64url',
    )
    expect(body).not.toBe(forged)
    await expect(jwtVerify(`${header}.${forged}.${signature}`, publicKey)).rejects.toThrow(/signature/)
  })

  it('refuses a key of another algorithm', () => {
    const other = alg === 'ES256' ? 'EdDSA' : 'ES256'
    expect(() => jwsSigner(privateJwk, 'k1', other)).toThrow(`key k1 is not a key for ${other}`)
  })
})

describe('jwsSigner', () => {
  it('new keys are ES256', () => {
    expect(SET_ALG).toBe('ES256')
  })

  it('EdDSA: the very bytes of jose CompactSign (Ed25519 is deterministic)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    const ours = await jwsSigner(privateJwk, 'k1', 'EdDSA').sign(claims)
    const jose = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'secevent+jwt' })
      .sign(await importJWK(privateJwk, 'EdDSA'))
    expect(ours).toBe(jose)
  })

  it('ES256: a 64-byte R || S signature, as rfc7518#section-3.4 asks, not DER', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const jwt = await jwsSigner(await exportJWK(privateKey), 'k1', 'ES256').sign(claims)
    expect(Buffer.from(jwt.split('.')[2] ?? '', 'base64url')).toHaveLength(64)
  })

  it('refuses an algorithm it does not sign with', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    expect(() => jwsSigner(privateJwk, 'k1', 'HS256')).toThrow(/unsupported algorithm HS256/)
  })
})
