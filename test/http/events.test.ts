import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createSecretBox } from '../../src/crypto/secret-box.js'
import { KeyRing } from '../../src/events/keys.js'
import { addStream } from '../../src/events/streams.js'
import { createApiKey } from '../../src/store/api-keys.js'
import { vacuumOutboxIfDue } from '../../src/store/event-outbox.js'
import { createPlatform } from '../../src/store/platforms.js'
import { type AdminClient, createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { type Receiver, startReceiver, summary } from '../helpers/set-receiver.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const ROLE_EXT = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'
const PROV = 'urn:ietf:params:scim:event:prov:'
const ENV = {
  EVENTS_ALLOW_LOOPBACK: '1',
  EVENTS_POLL_INTERVAL_MS: '20',
  EVENTS_BACKOFF_MAX_SECONDS: '1',
  EVENTS_LONG_POLL_SECONDS: '1',
  ENCRYPTION_KEY: '11'.repeat(32),
}

describe.each(dialects)('events out on %s', (dialect) => {
  let t: TestApp
  let admin: AdminClient
  let receiver: Receiver
  let otherKey: string
  let otherAdmin: AdminClient

  beforeAll(async () => {
    t = await createTestApp(dialect, ENV)
    await createAccount(t, t.platformId, 'admin@acme.test')
    admin = await signedIn(t, 'admin@acme.test')
    const other = await createPlatform(t.store.db, 'Beta')
    otherKey = (await createApiKey(t.store.db, other.id, 'beta')).secret
    await createAccount(t, other.id, 'admin@beta.test')
    otherAdmin = await signedIn(t, 'admin@beta.test')
    receiver = await startReceiver({ lifetimeMs: 120_000 })
  })
  afterAll(async () => {
    await receiver.close()
    await t.close()
  })
  const created: string[] = []
  beforeEach(() => {
    receiver.received.length = 0
    receiver.answer = () => ({ status: 202 })
  })
  afterEach(async () => {
    for (const id of created.splice(0)) await admin.call('DELETE', `/events/streams/${id}`)
  })

  async function pushStream(body: Record<string, unknown> = {}) {
    const res = await admin.call('POST', '/events/streams', { method: 'push', url: receiver.url, ...body })
    expect(res.statusCode, res.body).toBe(201)
    created.push(res.json().stream.id)
    return res.json().stream as { id: string; audience: string }
  }

  async function verifier() {
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    return createLocalJWKSet(jwks.json())
  }

  it('the admin API description documents the stream routes', async () => {
    const doc = (await t.app.inject('/api/v1/openapi.json')).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/events/streams',
        '/events/streams/{id}',
        '/events/streams/{id}/redeliver',
        '/events/streams/{id}/test',
        '/events/streams/{id}/poll',
      ]),
    )
    expect(doc.components.schemas.EventStream).toBeDefined()
  })

  it('publishes the signing keys as a public, briefly cacheable JWKS', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    const { keys } = res.json()
    expect(keys.length).toBeGreaterThanOrEqual(1)
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(keys[0]).not.toHaveProperty('d')
  })

  it('pushes every committed change of a sync, in order, as signed SETs that verify against the JWKS', async () => {
    const stream = await pushStream()
    const user = await t.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'joy@contoso.test',
      externalId: 'oid-joy',
      active: true,
    })
    const userId = user.json().id
    const group = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Sales' })
    const groupId = group.json().id
    await t.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
    })
    await t.scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    })
    await t.scim('DELETE', `/Groups/${groupId}`)
    await receiver.waitFor(5)
    // In order per resource (different resources may overtake each other).
    const of = (uri: string) => receiver.received.filter((s) => summary(s)[1] === uri)
    const sets = [...of(`/Users/${userId}`), ...of(`/Groups/${groupId}`)]
    expect(sets.map(summary)).toEqual([
      ['prov:create:full', `/Users/${userId}`],
      ['prov:patch:full', `/Users/${userId}`],
      ['prov:create:full', `/Groups/${groupId}`],
      ['prov:patch:full', `/Groups/${groupId}`],
      ['prov:delete', `/Groups/${groupId}`],
    ])
    const keys = await verifier()
    for (const set of sets) {
      const { payload, protectedHeader } = await jwtVerify(set.jwt, keys, {
        issuer: 'https://muster.test',
        audience: stream.audience,
        typ: 'secevent+jwt',
      })
      expect(protectedHeader.alg).toBe('ES256')
      expect(payload.jti).toMatch(/^[0-9a-f]{32}-\d+$/)
    }
    expect(sets[0]?.claims.sub_id).toEqual({
      format: 'scim',
      uri: `/Users/${userId}`,
      id: userId,
      externalId: 'oid-joy',
    })
    expect(sets[3]?.claims.events?.[`${PROV}patch:full`]).toMatchObject({
      membersAdded: [userId],
      effectiveRoles: { members: [{ value: userId, role: 'Editor' }] },
    })
    expect(Object.keys(sets[1]?.claims.events ?? {})).toEqual([`${PROV}patch:full`, `${PROV}deactivate`])
    // `:full` data is the resource as SCIM returned it (rendered from the columns the outbox keeps).
    expect(sets[0]?.claims.events?.[`${PROV}create:full`]).toEqual({
      version: user.json().meta.version,
      data: user.json(),
      effectiveRoles: { everyProject: null, projects: [] },
    })
    expect(sets[2]?.claims.events?.[`${PROV}create:full`]).toEqual({
      version: group.json().meta.version,
      data: group.json(),
    })
  })

  it('a platform role change tells the receiver the user is now Admin of every project', async () => {
    await pushStream()
    const user = await t.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'ops@contoso.test',
      active: true,
    })
    const id = user.json().id
    await t.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: `${ROLE_EXT}:platformRole`, value: 'ADMIN' }],
    })
    const sets = await receiver.waitFor(2)
    const patch = sets[1]?.claims.events?.[`${PROV}patch:full`]
    expect(patch.data[ROLE_EXT]).toEqual({ platformRole: 'ADMIN' })
    expect(patch.effectiveRoles).toEqual({ everyProject: 'Admin', projects: [] })
  })

  it("a member added by Entra's one-member PATCH is announced with the role they hold in the project", async () => {
    await pushStream()
    const user = async (userName: string, extra: object) =>
      (await t.scim('POST', '/Users', { schemas: [USER, ROLE_EXT], userName, ...extra })).json().id as string
    const admin = await user('boss@contoso.test', { active: true, [ROLE_EXT]: { platformRole: 'ADMIN' } })
    const away = await user('away@contoso.test', { active: false })
    const member = await user('dev@contoso.test', { active: true })
    const groupId = (await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ops' })).json().id
    for (const id of [admin, away, member]) {
      const res = await t.scim('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
      })
      expect(res.statusCode, res.body).toBe(204)
    }
    const sets = await receiver.waitFor(7)
    const added = sets
      .map((s) => s.claims.events?.[`${PROV}patch:full`])
      .filter((e) => e?.membersAdded)
      .map((e) => [e.membersAdded, e.effectiveRoles])
    expect(added).toEqual([
      [[admin], { members: [{ value: admin, role: 'Admin' }] }],
      [[away], { members: [{ value: away, role: null }] }],
      [[member], { members: [{ value: member, role: 'Editor' }] }],
    ])
  })

  it('a change that rolls back publishes nothing', async () => {
    await pushStream()
    const group = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Rollback' })
    const groupId = group.json().id
    // An unknown member fails the whole PATCH, the rename with it.
    const res = await t.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'add', path: 'members', value: [{ value: 'no-such-user' }] },
      ],
    })
    expect(res.statusCode).toBe(400)
    const dup = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'rollback' })
    expect(dup.statusCode).toBe(409)
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'marker@contoso.test' })
    // A duplicate userName fails the user's insert, and its journal and outbox rows with it.
    const dupUser = await t.scim('POST', '/Users', { schemas: [USER], userName: 'MARKER@contoso.test' })
    expect(dupUser.statusCode).toBe(409)
    const sets = await receiver.waitFor(2)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(receiver.received.map((s) => summary(s)[0])).toEqual(['prov:create:full', 'prov:create:full'])
    // Order is kept per resource only (EVENTS.md), so the two creates may arrive either way round.
    const subjects = sets.map((s) => s.claims.sub_id?.uri ?? '').sort()
    expect(subjects[0]).toBe(`/Groups/${groupId}`)
    expect(subjects[1]).toMatch(/^\/Users\//)
  })

  it('a receiver refusing a SET with an RFC 8935 error is recorded and delivery goes on; a 503 is retried', async () => {
    const stream = await pushStream()
    let calls = 0
    receiver.answer = (set) => {
      calls++
      if (
        set.claims.sub_id?.uri?.includes('refuse') ||
        (set.claims.events?.[`${PROV}create:full`]?.data?.userName ?? '').startsWith('refuse')
      )
        return { status: 400, body: '{"err":"invalid_request","description":"not for us"}' }
      return calls <= 3 ? { status: 503 } : { status: 202 }
    }
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'refuse@contoso.test' })
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'later@contoso.test' })
    const sets = await receiver.waitFor(1, 15_000)
    expect(sets[0]?.claims.events?.[`${PROV}create:full`].data.userName).toBe('later@contoso.test')
    // The outcome is recorded once the round that got the 202 ends.
    let deliveries: { state: string; lastError: string | null }[] = []
    for (let i = 0; i < 50 && !deliveries.some((d) => d.state === 'delivered'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      deliveries = (await admin.call('GET', `/events/streams/${stream.id}`)).json().deliveries
    }
    expect(deliveries.find((d) => d.state === 'refused')?.lastError).toBe('invalid_request: not for us')
    expect(deliveries.some((d) => d.state === 'delivered')).toBe(true)
  })

  it('a stream failing past the retry ceiling is marked failed for the admin; Resume retries it', async () => {
    const stream = await pushStream()
    receiver.answer = () => ({ status: 503 })
    await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'paused' })
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'ceiling@contoso.test' })
    // As if it had been failing for a day already (EVENTS_RETRY_CEILING_SECONDS defaults to 24 h).
    const longAgo = new Date(Date.now() - 25 * 3600_000).toISOString()
    await t.store.db
      .updateTable('event_streams')
      .set({ status: 'enabled', failing_since: longAgo, failures: 40 })
      .where('id', '=', stream.id)
      .execute()
    let view: { status: string; lastError: string | null } | undefined
    for (let i = 0; i < 100 && view?.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      view = (await admin.call('GET', `/events/streams/${stream.id}`)).json().stream
    }
    expect(view).toMatchObject({ status: 'failed', lastError: 'HTTP 503' })
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^muster_events_streams\{status="failed"\} 1$/m)
    receiver.answer = () => ({ status: 202 })
    await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'enabled' })
    const [set] = await receiver.waitFor(1)
    expect(set?.claims.events?.[`${PROV}create:full`].data.userName).toBe('ceiling@contoso.test')
  })

  it('pause holds deliveries, resume sends them, redeliver sends them again with the same jti', async () => {
    const stream = await pushStream()
    const paused = await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'paused' })
    expect(paused.json().stream.status).toBe('paused')
    const from = new Date().toISOString()
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'paused@contoso.test' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(receiver.received).toHaveLength(0)
    const list = await admin.call('GET', '/events/streams')
    const view = list.json().streams.find((s: { id: string }) => s.id === stream.id)
    expect(view).toMatchObject({ status: 'paused', backlog: 1 })
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^muster_events_backlog [1-9]/m)
    expect(metrics).toMatch(/^muster_events_lag_seconds [0-9.]+$/m)
    expect(metrics).toMatch(/^muster_events_streams\{status="paused"\} 1$/m)
    expect(metrics).toMatch(/^muster_events_deliveries_total\{outcome="delivered"\} [1-9]/m)
    await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'enabled' })
    const [first] = await receiver.waitFor(1)
    // Recorded as delivered once the round ends.
    for (let i = 0; i < 50; i++) {
      const { stream: view } = (await admin.call('GET', `/events/streams/${stream.id}`)).json()
      if (view.backlog === 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const again = await admin.call('POST', `/events/streams/${stream.id}/redeliver`, { from })
    expect(again.json()).toEqual({ count: 1 })
    const sets = await receiver.waitFor(2)
    expect(sets[1]?.claims.jti).toBe(first?.claims.jti)
  })

  it('"send test event" delivers a verification SET to that stream only', async () => {
    const stream = await pushStream()
    const res = await admin.call('POST', `/events/streams/${stream.id}/test`)
    expect(res.statusCode).toBe(202)
    const [set] = await receiver.waitFor(1)
    expect(Object.keys(set?.claims.events ?? {})).toEqual([
      'https://schemas.openid.net/secevent/ssf/event-type/verification',
    ])
    expect(set?.claims.aud).toBe(stream.audience)
  })

  it('an event filter sends only the events asked for, as notices when asked', async () => {
    await pushStream({ events: ['prov:delete', 'prov:patch:notice'] })
    const user = await t.scim('POST', '/Users', { schemas: [USER], userName: 'filtered@contoso.test' })
    const id = user.json().id
    await t.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'displayName', value: 'F' }],
    })
    await t.scim('DELETE', `/Users/${id}`)
    const sets = await receiver.waitFor(2)
    expect(sets.map((s) => summary(s)[0])).toEqual(['prov:patch:notice', 'prov:delete'])
    expect(sets[0]?.claims.events?.[`${PROV}patch:notice`]).toMatchObject({ attributes: ['displayName'] })
    expect(sets[0]?.claims.events?.[`${PROV}patch:notice`]).not.toHaveProperty('data')
  })

  it('refuses push URLs that reach metadata, private or unresolvable hosts', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.8/hook',
      'ftp://example.com/x',
    ]) {
      const res = await admin.call('POST', '/events/streams', { method: 'push', url })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().fields.url).toBeDefined()
    }
  })

  it("streams never cross platforms: another platform's admin sees none and cannot change one", async () => {
    const stream = await pushStream()
    expect((await otherAdmin.call('GET', '/events/streams')).json().streams).toEqual([])
    expect((await otherAdmin.call('GET', `/events/streams/${stream.id}`)).statusCode).toBe(404)
    expect(
      (await otherAdmin.call('PATCH', `/events/streams/${stream.id}`, { status: 'paused' })).statusCode,
    ).toBe(404)
    expect((await otherAdmin.call('DELETE', `/events/streams/${stream.id}`)).statusCode).toBe(404)
  })

  it('prunes delivered SETs past the retention and keeps every SET still owed, however old', async () => {
    const stream = await pushStream()
    await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'paused' })
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'old-pending@contoso.test' })
    await t.scim('POST', '/Users', { schemas: [USER], userName: 'old-delivered@contoso.test' })
    const rows = await t.store.db
      .selectFrom('event_outbox')
      .select('id')
      .where('stream_id', '=', stream.id)
      .orderBy('id')
      .execute()
    expect(rows).toHaveLength(2)
    const old = new Date(Date.now() - 400 * 3600_000).toISOString()
    await t.store.db
      .updateTable('event_outbox')
      .set({ created_at: old })
      .where('stream_id', '=', stream.id)
      .execute()
    await t.store.db
      .updateTable('event_outbox')
      .set({ state: 'delivered' })
      .where('id', '=', Number(rows[1]?.id))
      .execute()
    await t.app.events.upkeep()
    const left = await t.store.db
      .selectFrom('event_outbox')
      .select(['id', 'state'])
      .where('stream_id', '=', stream.id)
      .execute()
    expect(left.map((r) => [Number(r.id), r.state])).toEqual([[Number(rows[0]?.id), 'pending']])
  })

  it.runIf(dialect === 'postgres')(
    'on PostgreSQL, settled SETs are vacuumed from the head of the delivery queue',
    async () => {
      const stream = await pushStream()
      await admin.call('PATCH', `/events/streams/${stream.id}`, { status: 'paused' })
      for (const name of ['vac-1', 'vac-2', 'vac-3'])
        await t.scim('POST', '/Users', { schemas: [USER], userName: `${name}@contoso.test` })
      const stats = async () =>
        (
          await sql<{ dead: string; vacuums: string }>`
            select n_dead_tup as dead, vacuum_count + autovacuum_count as vacuums
            from pg_stat_user_tables where relid = 'event_outbox'::regclass`.execute(t.store.db)
        ).rows[0]
      const before = await stats()
      // Settle them on one connection and have that backend publish its statistics now (they are
      // otherwise sent at most once a second).
      await t.store.db.connection().execute(async (db) => {
        await db
          .updateTable('event_outbox')
          .set({ state: 'delivered' })
          .where('stream_id', '=', stream.id)
          .execute()
        await sql`select pg_stat_force_next_flush()`.execute(db)
        await sql`select 1`.execute(db)
      })
      expect(Number((await stats())?.dead)).toBeGreaterThanOrEqual(3)
      expect(await vacuumOutboxIfDue(t.store.db, 1_000_000)).toBe(false)
      expect(await vacuumOutboxIfDue(t.store.db, 3)).toBe(true)
      const after = await stats()
      expect(Number(after?.vacuums)).toBeGreaterThan(Number(before?.vacuums))
      expect(Number(after?.dead)).toBeLessThan(3)
      expect(await vacuumOutboxIfDue(t.store.db, 3)).toBe(false)
    },
  )

  it('a platform without streams writes no outbox rows', async () => {
    const before = await t.store.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scim/v2/Users',
      headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/scim+json' },
      payload: { schemas: [USER], userName: 'quiet@beta.test' },
    })
    expect(other.statusCode).toBe(201)
    const after = await t.store.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('EVENTS_WORKER=thread delivers from a worker thread and records the outcomes (inline is the default)', async () => {
    expect(loadConfig({}).EVENTS_WORKER).toBe('inline')
    // An app of its own, so that only the thread delivers (t.app's inline worker would compete).
    const threaded = await createTestApp(dialect, { ...ENV, EVENTS_WORKER: 'thread' }, { databaseUrl: true })
    try {
      expect(threaded.app.events.mode).toBe('thread')
      const stream = await addStream(
        threaded.store.db,
        { platformId: threaded.platformId, push: receiver.url },
        { allowLoopback: true, allowPrivate: false },
        'https://muster.test',
      )
      const user = await threaded.scim('POST', '/Users', {
        schemas: [USER],
        userName: 'threaded@contoso.test',
      })
      await threaded.scim('PATCH', `/Users/${user.json().id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Threaded' }],
      })
      const sets = await receiver.waitFor(2)
      expect(sets.map((s) => summary(s)[0])).toEqual(['prov:create:full', 'prov:patch:full'])
      // The thread's writes (through the main thread on SQLite, its own pool on PostgreSQL) landed:
      // both rows delivered, so neither is sent again.
      const states = async () =>
        (
          await threaded.store.db
            .selectFrom('event_outbox')
            .select(['state', 'attempts', 'last_status'])
            .where('stream_id', '=', stream.id)
            .orderBy('id')
            .execute()
        ).map((r) => ({ ...r, attempts: Number(r.attempts) }))
      const delivered = { state: 'delivered', attempts: 1, last_status: 202 }
      for (
        let i = 0;
        i < 100 && JSON.stringify(await states()) !== JSON.stringify([delivered, delivered]);
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(await states()).toEqual([delivered, delivered])
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(receiver.received).toHaveLength(2)
    } finally {
      await threaded.close()
    }
  })

  describe('poll (RFC 8936)', () => {
    let streamId: string
    const pollAs = (key: string, body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/events/streams/${streamId}/poll`,
        headers: { authorization: `Bearer ${key}` },
        payload: body as object,
      })

    beforeAll(async () => {
      const res = await admin.call('POST', '/events/streams', { method: 'poll' })
      expect(res.statusCode).toBe(201)
      streamId = res.json().stream.id
      expect(res.json().stream.pollUrl).toBe(`https://muster.test/api/v1/events/streams/${streamId}/poll`)
    })

    it('returns unacknowledged SETs until they are acknowledged, then never again', async () => {
      await t.scim('POST', '/Users', { schemas: [USER], userName: 'poll1@contoso.test' })
      await t.scim('POST', '/Users', { schemas: [USER], userName: 'poll2@contoso.test' })
      const first = await pollAs(t.secret, { maxEvents: 10, returnImmediately: true })
      expect(first.statusCode).toBe(200)
      const jtis = Object.keys(first.json().sets)
      expect(jtis).toHaveLength(2)
      expect(first.json().moreAvailable).toBe(false)
      const keys = await verifier()
      for (const jwt of Object.values(first.json().sets) as string[])
        await jwtVerify(jwt, keys, { typ: 'secevent+jwt' })
      // Not acknowledged: returned again.
      const again = await pollAs(t.secret, { returnImmediately: true, maxEvents: 1 })
      expect(Object.keys(again.json().sets)).toEqual([jtis[0]])
      expect(again.json().moreAvailable).toBe(true)
      const acked = await pollAs(t.secret, { ack: jtis, returnImmediately: true })
      expect(acked.json()).toEqual({ sets: {}, moreAvailable: false })
    })

    it('waits (bounded) for SETs when returnImmediately is false', async () => {
      const started = Date.now()
      const empty = await pollAs(t.secret, {})
      expect(empty.json().sets).toEqual({})
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      const waiting = pollAs(t.secret, { returnImmediately: false })
      await new Promise((resolve) => setTimeout(resolve, 200))
      await t.scim('POST', '/Users', { schemas: [USER], userName: 'poll3@contoso.test' })
      const res = await waiting
      const jtis = Object.keys(res.json().sets)
      expect(jtis).toHaveLength(1)
      await pollAs(t.secret, { ack: jtis, maxEvents: 0 })
    })

    it('rotation: the new key signs, the old one stays published until what it signed is acknowledged', async () => {
      await t.scim('POST', '/Users', { schemas: [USER], userName: 'rotate@contoso.test' })
      const before = await pollAs(t.secret, { returnImmediately: true })
      const [jti, jwt] = Object.entries(before.json().sets)[0] as [string, string]
      const oldKid = decodeProtectedHeader(jwt).kid
      const next = await t.app.events.keys.create(0)
      // A ring without a grace period, to see retirement decided by use alone.
      const ring = new KeyRing(t.store.db, createSecretBox(Buffer.from(ENV.ENCRYPTION_KEY, 'hex')), {
        activationSeconds: 0,
        graceSeconds: 0,
      })
      expect(await ring.retire()).toEqual([])
      const kids = async () =>
        (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
          .json()
          .keys.map((k: { kid: string }) => k.kid)
      expect(await kids()).toEqual(expect.arrayContaining([oldKid, next.kid]))
      const again = await pollAs(t.secret, { returnImmediately: true })
      const resigned = again.json().sets[jti] as string
      expect(decodeProtectedHeader(resigned).kid).toBe(next.kid)
      await jwtVerify(resigned, await verifier(), { typ: 'secevent+jwt' })
      await pollAs(t.secret, { ack: [jti], maxEvents: 0 })
      expect(await ring.retire()).toContain(oldKid)
      expect(await kids()).not.toContain(oldKid)
    })

    it('a key made before ES256 (EdDSA) goes on signing until a rotation replaces it', async () => {
      const box = createSecretBox(Buffer.from(ENV.ENCRYPTION_KEY, 'hex'))
      const ring = new KeyRing(t.store.db, box, { activationSeconds: 0, graceSeconds: 0 })
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
      const kid = 'eddsa-from-before'
      await t.store.db
        .insertInto('event_keys')
        .values({
          kid,
          alg: 'EdDSA',
          public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }),
          private_sealed: box.seal(JSON.stringify(await exportJWK(privateKey)), `event-signing-key:${kid}`),
          created_at: new Date().toISOString(),
          activates_at: new Date().toISOString(),
          removed_at: null,
        })
        .execute()
      const claims = { iss: 'https://muster.test', jti: 'j1', events: {} }
      const old = await (await ring.signer()).sign(claims)
      expect(decodeProtectedHeader(old)).toMatchObject({ alg: 'EdDSA', kid })
      await jwtVerify(old, await verifier(), { typ: 'secevent+jwt' })
      await ring.create(0)
      const rotated = await (await ring.signer()).sign(claims)
      expect(decodeProtectedHeader(rotated).alg).toBe('ES256')
      // Both published: receivers verify SETs of either key against the one JWKS.
      const keys = await verifier()
      await jwtVerify(old, keys, { typ: 'secevent+jwt' })
      await jwtVerify(rotated, keys, { typ: 'secevent+jwt' })
    })

    it("refuses another platform's key and a missing key, and shows them nothing", async () => {
      await t.scim('POST', '/Users', { schemas: [USER], userName: 'secret@contoso.test' })
      const other = await pollAs(otherKey, { returnImmediately: true })
      expect(other.statusCode).toBe(403)
      expect(other.body).not.toContain('eyJ')
      const none = await t.app.inject({
        method: 'POST',
        url: `/api/v1/events/streams/${streamId}/poll`,
        payload: {},
      })
      expect(none.statusCode).toBe(401)
      expect(none.headers['www-authenticate']).toBe('Bearer')
      // The other platform's key cannot acknowledge this stream's SETs either.
      const mine = await pollAs(t.secret, { returnImmediately: true })
      const jtis = Object.keys(mine.json().sets)
      await pollAs(otherKey, { ack: jtis })
      const still = await pollAs(t.secret, { returnImmediately: true })
      expect(Object.keys(still.json().sets)).toEqual(jtis)
      await pollAs(t.secret, { ack: jtis, maxEvents: 0 })
    })
  })

  it('the console refuses a user edit made on a stale version (412) and accepts the current one', async () => {
    const user = await t.scim('POST', '/Users', { schemas: [USER], userName: 'stale@contoso.test' })
    const id = user.json().id
    await t.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Changed by the IdP' }],
    })
    const stale = await admin.call('PATCH', `/users/${id}`, { active: false, version: 1 })
    expect(stale.statusCode).toBe(412)
    expect(stale.json().error).toBe('version_changed')
    const current = await admin.call('PATCH', `/users/${id}`, { active: false, version: 2 })
    expect(current.statusCode).toBe(200)
    expect(current.json().user).toMatchObject({ status: 'INACTIVE', version: 3 })
  })
})
