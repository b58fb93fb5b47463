// The SET signer: the compact JWS jose itself would make, and one that jose verifies.
import { CompactSign, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { ed25519Signer, SET_ALG } from './keys.js'

describe('ed25519Signer', async () => {
  const { privateKey, publicKey } = await generateKeyPair(SET_ALG, { crv: 'Ed25519', extractable: true })
  const privateJwk = await exportJWK(privateKey)
  const claims = {
    iss: 'https://muster.example',
    jti: 'a1',
    aud: 'https://receiver.example/events',
    events: {
      'urn:ietf:params:scim:event:prov:create:full': { attributes: { userName: 'zoë@example.com' } },
    },
  }

  it('gives the bytes of jose CompactSign with the same key, header and claims', async () => {
    const ours = await ed25519Signer(privateJwk, 'k1').sign(claims)
    const jose = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: SET_ALG, kid: 'k1', typ: 'secevent+jwt' })
      .sign(await importJWK(privateJwk, SET_ALG))
    expect(ours).toBe(jose)
  })

  it('verifies with jose against the public key, with its kid and typ', async () => {
    const jwt = await ed25519Signer(privateJwk, 'k1').sign(claims)
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { typ: 'secevent+jwt' })
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'k1', typ: 'secevent+jwt' })
    expect(payload).toEqual(claims)
  })

  it('a SET altered after signing does not verify', async () => {
    const [header, body, signature] = (await ed25519Signer(privateJwk, 'k1').sign(claims)).split('.')
    const forged = Buffer.from(JSON.stringify({ ...claims, aud: 'https://attacker.example' })).toString(
      'base64url',
    )
    await expect(jwtVerify(`${header}.${forged}.${signature}`, publicKey)).rejects.toThrow(/signature/)
    expect(body).not.toBe(forged)
  })

  it('refuses a key that is not Ed25519', async () => {
    const { privateKey: es } = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(es)
    expect(() => ed25519Signer(jwk, 'k2')).toThrow(/not an Ed25519 key/)
  })
})
