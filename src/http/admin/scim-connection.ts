// The SCIM health of the API keys page and its "Test connection". The test sends what Entra ID's
// "Test Connection" sends (a filtered GET for a random GUID that must answer 200 with an empty list)
// to the tenant URL the page shows, from this server, and says plainly what that did and did not
// prove: PUBLIC_URL may point at a proxy or another host, and a console that only asked itself once
// reported success for an address nothing answered at (issue 13, defect 5).
import { randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Config } from '../../config.js'
import { refusal } from '../../events/ssrf.js'
import { SCIM_BASE } from '../../scim/base-path.js'
import { authenticateKey } from '../../store/api-keys.js'
import { scimHealth } from '../../store/scim-health.js'
import { validate } from './errors.js'
import type { AdminOptions } from './options.js'

/** How long the test waits for the tenant URL. */
export const TEST_TIMEOUT_MS = 5000

/** The tenant URL an identity provider needs: PUBLIC_URL when set, else how this request came in. */
export function tenantUrl(request: FastifyRequest, config: Config): string {
  return (config.PUBLIC_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '') + SCIM_BASE
}

const testBody = z.object({
  secret: z
    .string({ error: 'Paste an API key secret to test with.' })
    .trim()
    .min(1, 'Paste an API key secret to test with.')
    .max(256, 'An API key secret is shorter than this.'),
})

type Verdict = 'ok' | 'unreachable' | 'refused_key' | 'unexpected'

export async function scimConnectionRoutes(
  app: FastifyInstance,
  { store, config }: AdminOptions,
): Promise<void> {
  app.get('/scim-health', async (request) => scimHealth(store.db, request.admin.platformId))

  app.post('/scim-connection-test', async (request) => {
    const { secret } = validate(testBody, request.body)
    const base = tenantUrl(request, config)
    const key = await authenticateKey(store, secret)
    const keyHere = key?.platformId === request.admin.platformId
    const filter = `userName eq "${randomUUID()}"`
    const sent = `GET ${base}/Users?filter=${filter}`
    const answer = await send(`${base}/Users?filter=${encodeURIComponent(filter)}`, secret)
    const verdict: Verdict =
      answer.status === undefined
        ? 'unreachable'
        : answer.status === 200 && answer.emptyList
          ? 'ok'
          : answer.status === 401
            ? 'refused_key'
            : 'unexpected'
    return {
      ok: verdict === 'ok',
      verdict,
      tenantUrl: base,
      request: sent,
      status: answer.status ?? null,
      error: answer.error ?? null,
      // Checked in this server's database, whatever the tenant URL answered.
      key: keyHere ? 'valid' : key ? 'other_platform' : 'unknown',
      // Said outright so nobody reads more into a success than it proves.
      notTested: notTested(base),
    }
  })
}

async function send(
  url: string,
  secret: string,
): Promise<{ status?: number; emptyList?: boolean; error?: string }> {
  try {
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${secret}`,
        accept: 'application/scim+json',
        'user-agent': 'Muster connection test',
      },
      redirect: 'manual',
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    })
    const body = (await response.json().catch(() => undefined)) as { totalResults?: unknown } | undefined
    return { status: response.status, emptyList: body?.totalResults === 0 }
  } catch (error) {
    return { error: describe(error) }
  }
}

/** A sentence for why nothing answered (connection refused, unknown name, timeout, TLS). */
function describe(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string } }
  if (err.name === 'TimeoutError') return `no answer within ${TEST_TIMEOUT_MS / 1000} s`
  const code = err.cause?.code
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens at that address and port'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (code === 'ECONNRESET') return 'the connection was reset'
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code?.startsWith('DEPTH_ZERO'))
    return `TLS failed (${code})`
  return err.cause?.message ?? (error instanceof Error ? error.message : String(error))
}

/** What a test from this server cannot show about the identity provider's own call. */
function notTested(base: string): string[] {
  const host = new URL(base).hostname.replace(/^\[|\]$/g, '')
  const notes = [
    'The request went from this server, not from the identity provider: firewalls, proxies and DNS between the provider and this address were not tested.',
  ]
  const local =
    host === 'localhost' ||
    /\.(local|internal|lan|localhost)$/i.test(host) ||
    (isIP(host) !== 0 && refusal(host, { allowLoopback: false, allowPrivate: false }) !== undefined)
  if (local)
    notes.unshift(
      `${host} is a local or private address: Microsoft Entra ID and Okta call from the internet and cannot reach it. Set PUBLIC_URL to the address they can reach.`,
    )
  return notes
}
