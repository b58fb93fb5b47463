// A real OpenID Provider for tests: oidc-provider on 127.0.0.1 with its development interactions
// (login with any password, then consent), one confidential client, and accounts keyed by email.
// For refusals that a correct provider never produces (wrong issuer, audience, nonce, an expired ID
// token), `tamper` re-signs the token endpoint's ID token with the provider's own signing key after
// changing one claim: the RP trusts that key through the provider's JWKS, so only the claim is wrong.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose'
import Provider from 'oidc-provider'

export interface TestOidcProvider {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Changes the next ID tokens' claims until reset with undefined. */
  tamper(change: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined): void
  close(): Promise<void>
}

export async function startOidcProvider({
  redirectUris,
  accounts,
}: {
  redirectUris: readonly string[]
  /** email → claims; the email is the login name at the dev interaction. */
  accounts: Readonly<
    Record<string, { name?: string; given_name?: string; family_name?: string; email_verified?: boolean }>
  >
}): Promise<TestOidcProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clientId = 'muster'
  const clientSecret = 'test-client-secret-0123456789abcdef'
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const account = accounts[id]
      if (!account) return undefined
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: id,
          email_verified: account.email_verified ?? true,
          ...account,
        }),
      }
    },
  })
  let change: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined
  const signingKey = await importJWK(jwk, 'RS256')
  provider.use(async (ctx, next) => {
    await next()
    const body = ctx.body as { id_token?: string } | undefined
    if (ctx.path === '/token' && change && body?.id_token) {
      const header = decodeProtectedHeader(body.id_token)
      body.id_token = await new SignJWT(change(decodeJwt(body.id_token)) as never)
        .setProtectedHeader({ alg: 'RS256', kid: header.kid ?? 'test-key', typ: 'JWT' })
        .sign(signingKey)
    }
  })
  server.on('request', provider.callback())
  return {
    issuer,
    clientId,
    clientSecret,
    tamper: (next) => {
      change = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A tiny cookie jar for driving the provider's pages with fetch. */
class Jar {
  readonly #cookies = new Map<string, string>()
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      this.#cookies.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

/**
 * Follows the provider from the authorization URL through login (as `email`) and consent, the way a
 * browser would, and returns the redirect back to the RP (with `code`, `state` and `iss`).
 */
export async function authorizeAs(authorizationUrl: string, email: string): Promise<URL> {
  const jar = new Jar()
  let url = authorizationUrl
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: jar.header() },
      signal: AbortSignal.timeout(10_000),
    })
    jar.store(response)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url)
      if (!next.href.startsWith(new URL(authorizationUrl).origin)) return next
      url = next.href
      continue
    }
    const html = await response.text()
    const action = /action="([^"]+)"/.exec(html)?.[1]
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1]
    if (!action || !prompt)
      throw new Error(`unexpected provider page (${response.status}): ${html.slice(0, 500)}`)
    const form = new URLSearchParams({
      prompt,
      ...(prompt === 'login' ? { login: email, password: 'any' } : {}),
    })
    const posted = await fetch(new URL(action, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(10_000),
    })
    jar.store(posted)
    url = new URL(posted.headers.get('location') ?? '', url).href
  }
  throw new Error('the provider never redirected back')
}
