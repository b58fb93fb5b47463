import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'muster-cli-events-'))
const env = {
  DATABASE_URL: `file:${join(dir, 'db.sqlite')}`,
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'https://muster.test',
  ENCRYPTION_KEY_FILE: join(dir, 'encryption.key'),
}
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(extra: Record<string, string>, ...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, { ...env, ...extra })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('muster events CLI', () => {
  it('stream create (push and poll), list and delete with --json, as EVENTS.md says', async () => {
    const platform = JSON.parse((await run({}, 'platform', 'create', '--name', 'Acme', '--json')).out)
    const loopback = { EVENTS_ALLOW_LOOPBACK: '1' }
    const push = await run(
      loopback,
      'events',
      'stream',
      'create',
      '--platform',
      platform.id,
      '--push',
      'http://127.0.0.1:9/hook',
      '--events',
      'prov:create:full,prov:delete',
      '--json',
    )
    expect(push.code, push.err).toBe(0)
    const pushed = JSON.parse(push.out)
    expect(Object.keys(pushed)).toEqual(['id', 'audience'])
    expect(pushed.audience).toBe(`https://muster.test/api/v1/events/streams/${pushed.id}`)

    const poll = JSON.parse(
      (await run({}, 'events', 'stream', 'create', '--platform', platform.id, '--poll', '--json')).out,
    )
    expect(poll).toEqual({
      id: expect.any(String),
      audience: expect.any(String),
      pollUrl: `https://muster.test/api/v1/events/streams/${poll.id}/poll`,
    })

    const listed = JSON.parse(
      (await run({}, 'events', 'stream', 'list', '--platform', platform.id, '--json')).out,
    )
    expect(listed.map((s: { id: string }) => s.id).sort()).toEqual([pushed.id, poll.id].sort())
    expect(listed.find((s: { id: string }) => s.id === pushed.id)).toMatchObject({
      method: 'push',
      status: 'enabled',
      events: ['urn:ietf:params:scim:event:prov:create:full', 'urn:ietf:params:scim:event:prov:delete'],
      backlog: 0,
    })

    const deleted = await run({}, 'events', 'stream', 'delete', pushed.id, '--json')
    expect(JSON.parse(deleted.out)).toEqual({ id: pushed.id, deleted: true })
    const after = JSON.parse(
      (await run({}, 'events', 'stream', 'list', '--platform', platform.id, '--json')).out,
    )
    expect(after.map((s: { id: string }) => s.id)).toEqual([poll.id])
  })

  it('refuses a loopback push URL unless EVENTS_ALLOW_LOOPBACK is set, and an unknown event type', async () => {
    const platform = JSON.parse((await run({}, 'platform', 'create', '--name', 'Beta', '--json')).out)
    const refused = await run(
      {},
      'events',
      'stream',
      'create',
      '--platform',
      platform.id,
      '--push',
      'https://127.0.0.1/hook',
    )
    expect(refused.code).toBe(2)
    expect(refused.err).toMatch(/loopback/)
    const metadata = await run(
      { EVENTS_ALLOW_LOOPBACK: '1', EVENTS_ALLOW_PRIVATE: '1' },
      'events',
      'stream',
      'create',
      '--platform',
      platform.id,
      '--push',
      'http://169.254.169.254/',
    )
    expect(metadata.err).toMatch(/link-local/)
    const unknown = await run(
      {},
      'events',
      'stream',
      'create',
      '--platform',
      platform.id,
      '--poll',
      '--events',
      'prov:explode',
    )
    expect(unknown.err).toMatch(/Unknown event type/)
  })

  it('key rotate publishes a new key that signs later (or at once with --now)', async () => {
    const first = JSON.parse((await run({}, 'events', 'key', 'rotate', '--json')).out)
    expect(Date.parse(first.signsFrom) - Date.parse(first.publishedAt)).toBe(600_000)
    const now = JSON.parse((await run({}, 'events', 'key', 'rotate', '--now', '--json')).out)
    expect(now.signsFrom).toBe(now.publishedAt)
    const keys = JSON.parse((await run({}, 'events', 'key', 'list', '--json')).out)
    expect(keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([first.kid, now.kid]))
    expect(keys).toHaveLength(3)
  })
})
