// The two receivers of README "A receiver in a few lines", run exactly as written there against a
// running Muster: the push one as a server that Muster posts to, the poll one as a loop that polls.
// Both must see every change of a small sync, verified against the JWKS, in order per resource.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { addStream } from '../../src/events/streams.js'
import { createApiKey } from '../../src/store/api-keys.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createTestStore, dialects } from '../helpers/db.js'

const ROOT = resolve(import.meta.dirname, '../..')
const DIR = join(ROOT, 'test-results', 'readme-receiver')

/** The code block that follows `<!-- receiver:NAME -->` in the README. */
function example(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const match = new RegExp(`<!-- receiver:${name} -->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme)
  if (!match?.[1]) throw new Error(`README has no receiver:${name} example`)
  return match[1]
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
})

/** Runs an example file; collects its stdout lines. Killed after the test, or after 60 s anyway. */
function run(file: string, env: Record<string, string>): { lines: string[]; errors: string[] } {
  const out = { lines: [] as string[], errors: [] as string[] }
  const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' })
  children.push(child)
  setTimeout(() => child.kill('SIGKILL'), 60_000).unref()
  let buffer = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    out.lines.push(...parts)
  })
  child.stderr.on('data', (chunk: Buffer) => out.errors.push(chunk.toString()))
  return out
}

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe.each(dialects)('the README receivers on %s', (dialect) => {
  it('get every change of a sync through push and through poll, verified, in order', async () => {
    mkdirSync(DIR, { recursive: true })
    const push = join(DIR, `push-${dialect}.mjs`)
    const poll = join(DIR, `poll-${dialect}.mjs`)
    writeFileSync(push, example('push'))
    writeFileSync(poll, example('poll'))

    const store = await createTestStore(dialect)
    const port = await freePort()
    const origin = `http://127.0.0.1:${port}`
    const app = await buildApp({
      config: testConfig({
        PUBLIC_URL: origin,
        EVENTS_ALLOW_LOOPBACK: '1',
        EVENTS_POLL_INTERVAL_MS: '50',
        EVENTS_LONG_POLL_SECONDS: '2',
        ENCRYPTION_KEY: '66'.repeat(32),
      }),
      store,
      webRoot: null,
    })
    try {
      await app.listen({ host: '127.0.0.1', port })
      const platform = await createPlatform(store.db, 'Acme')
      const { secret } = await createApiKey(store.db, platform.id, 'idp')
      const receiverPort = await freePort()
      const policy = { allowLoopback: true, allowPrivate: false }
      const pushStream = await addStream(
        store.db,
        { platformId: platform.id, push: `http://127.0.0.1:${receiverPort}/` },
        policy,
        origin,
      )
      const pollStream = await addStream(store.db, { platformId: platform.id, poll: true }, policy, origin)

      const pushed = run(push, { MUSTER: origin, AUDIENCE: pushStream.audience, PORT: String(receiverPort) })
      const polled = run(poll, { MUSTER: origin, STREAM: pollStream.id, API_KEY: secret })

      const scim = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${origin}/api/v1/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
        return res.status === 204 ? undefined : ((await res.json()) as { id: string })
      }
      const patch = (...Operations: unknown[]) => ({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations,
      })
      const user = await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'joy@contoso.test',
      })
      const group = await scim('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Sales',
      })
      await scim(
        'PATCH',
        `/Groups/${group?.id}`,
        patch({ op: 'add', path: 'members', value: [{ value: user?.id }] }),
      )
      await scim('PATCH', `/Users/${user?.id}`, patch({ op: 'replace', path: 'active', value: false }))
      await scim('DELETE', `/Users/${user?.id}`)

      const P = 'urn:ietf:params:scim:event:prov:'
      const expected = [
        `${P}create:full /Users/${user?.id}`,
        `${P}patch:full /Users/${user?.id}`,
        `${P}deactivate /Users/${user?.id}`,
        `${P}delete /Users/${user?.id}`,
        `${P}create:full /Groups/${group?.id}`,
        `${P}patch:full /Groups/${group?.id}`,
      ]
      for (const out of [pushed, polled]) {
        // "<jti> <event URI> <resource>", one line per event; per resource in order.
        const events = () => out.lines.map((line) => line.split(' ').slice(1).join(' '))
        await until(
          () => events().length >= expected.length,
          () =>
            `${events().length} of ${expected.length} events: ${out.lines.join(' | ')} ${out.errors.join('')}`,
        )
        const of = (uri: string) => events().filter((e) => e.endsWith(uri))
        expect([...of(`/Users/${user?.id}`), ...of(`/Groups/${group?.id}`)]).toEqual(expected)
        expect(out.errors.join('')).toBe('')
      }
      // Both receivers answered or acknowledged everything they printed.
      for (let i = 0; i < 100; i++) {
        const pending = await store.db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow()
        if (Number(pending.n) === 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      // returnImmediately false really waits: with nothing to send, a poll loop makes few requests.
      const polls = async () =>
        Number(
          (await app.inject({ method: 'GET', url: '/metrics' })).body.match(
            /muster_http_requests_total\{[^}]*route="\/api\/v1\/events\/streams\/:id\/poll"[^}]*\} (\d+)/,
          )?.[1] ?? 0,
        )
      const before = await polls()
      expect(before).toBeGreaterThan(0)
      await new Promise((r) => setTimeout(r, 3000))
      expect((await polls()) - before).toBeLessThanOrEqual(3)
      const left = await store.db
        .selectFrom('event_outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow()
      expect(Number(left.n)).toBe(0)
    } finally {
      for (const child of children.splice(0)) child.kill('SIGKILL')
      await app.close()
      await store.close()
    }
  })
})
