// Tenant isolation: with two platforms and their keys, nothing that platform A sends (ids, filters,
// .search, member references, ETags) reveals or touches platform B's users and projects, and error
// messages never carry B's data. The console API is checked the same way with A's admin session.
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import type { Dialect } from '../../src/store/database.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { CORE_GROUP, CORE_USER, PATCH_OP, snapshot } from './helpers.js'

let requests = 0

describe.each(dialects)('tenant isolation on %s', (dialect: Dialect) => {
  let t: TestApp
  let bSecret = ''
  let bPlatform = ''
  let bKeyId = ''
  /** B's data: what must never show up in any answer to A. */
  const b = {
    userId: '',
    userName: 'secret.b@tenant-b.test',
    externalId: 'ext-b-7f3a',
    groupId: '',
    group: 'Tenant B Secret Project',
  }
  const a = { userId: '', groupId: '' }

  const asA = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    requests++
    return t.scim(method, path, body, headers)
  }
  const asB = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) => {
    requests++
    return t.scim(method, path, body, { authorization: `Bearer ${bSecret}` })
  }
  /** Nothing of B in the answer: not its ids, names, external ids or group name. */
  const revealsNothing = (res: LightMyRequestResponse, sent = '') => {
    for (const secret of [b.userId, b.userName, b.externalId, b.groupId, b.group, bPlatform, bKeyId]) {
      // An id the client itself sent may be echoed in "not found"; nothing else of B may appear.
      if (sent.includes(secret)) continue
      expect(res.body.toLowerCase(), `${res.statusCode} ${res.body.slice(0, 300)}`).not.toContain(
        secret.toLowerCase(),
      )
    }
  }

  /** B's data that A never sent in any write: may appear in none of A's console answers or events. */
  const neverSentByA = () => [b.externalId, 'B only', bPlatform, bKeyId, 'b-idp']

  beforeAll(async () => {
    t = await createTestApp(dialect, { RATE_LIMIT_PER_SECOND: '0' })
    const platform = await createPlatform(t.store.db, 'Tenant B')
    bPlatform = platform.id
    const key = await createApiKey(t.store.db, platform.id, 'b-idp')
    bSecret = key.secret
    bKeyId = key.key.id
    const bUser = await asB('POST', '/Users', {
      schemas: [CORE_USER],
      userName: b.userName,
      externalId: b.externalId,
      title: 'B only',
    })
    expect(bUser.statusCode).toBe(201)
    b.userId = bUser.json().id
    const bGroup = await asB('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: b.group,
      externalId: b.externalId,
      members: [{ value: b.userId }],
    })
    expect(bGroup.statusCode).toBe(201)
    b.groupId = bGroup.json().id
    const aUser = await asA('POST', '/Users', { schemas: [CORE_USER], userName: 'a@tenant-a.test' })
    a.userId = aUser.json().id
    const aGroup = await asA('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Tenant A project',
      members: [{ value: a.userId }],
    })
    a.groupId = aGroup.json().id
  })
  afterAll(async () => {
    console.log(`[reliability] tenant isolation ${dialect}: ${requests} requests`)
    await t?.close()
  })

  /** B's rows as they were: A's requests below must leave them exactly so. */
  async function bRows(): Promise<string> {
    const users = await t.store.db
      .selectFrom('users')
      .selectAll()
      .where('platform_id', '=', bPlatform)
      .execute()
    const projects = await t.store.db
      .selectFrom('projects')
      .selectAll()
      .where('platform_id', '=', bPlatform)
      .execute()
    const members = await t.store.db
      .selectFrom('project_members')
      .selectAll()
      .where('platform_id', '=', bPlatform)
      .execute()
    return JSON.stringify({ users, projects, members })
  }

  it("reads by id: B's user and group are 404 to A, with or without ETags", async () => {
    for (const path of [`/Users/${b.userId}`, `/Groups/${b.groupId}`]) {
      for (const headers of <Record<string, string>[]>[
        {},
        { 'if-none-match': 'W/"1"' },
        { 'if-none-match': '*' },
        { 'if-match': 'W/"1"' },
      ]) {
        const res = await asA('GET', path, undefined, headers)
        expect(res.statusCode, `${path} ${JSON.stringify(headers)}`).toBe(404)
        expect(res.headers.etag).toBeUndefined()
        revealsNothing(res, path)
      }
    }
    // Projected reads too.
    const projected = await asA('GET', `/Groups/${b.groupId}?excludedAttributes=members`)
    expect(projected.statusCode).toBe(404)
  })

  it("writes by id: PUT, PATCH and DELETE of B's resources are 404 and change nothing", async () => {
    const before = await bRows()
    const writes: ['PUT' | 'PATCH' | 'DELETE', string, unknown?, Record<string, string>?][] = [
      ['PUT', `/Users/${b.userId}`, { schemas: [CORE_USER], userName: 'taken@tenant-a.test' }],
      [
        'PATCH',
        `/Users/${b.userId}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
      ],
      ['PATCH', `/Users/${b.userId}`, { schemas: [PATCH_OP], Operations: [] }],
      ['DELETE', `/Users/${b.userId}`],
      ['DELETE', `/Users/${b.userId}`, undefined, { 'if-match': '*' }],
      ['PUT', `/Groups/${b.groupId}`, { schemas: [CORE_GROUP], displayName: 'hijacked', members: [] }],
      [
        'PATCH',
        `/Groups/${b.groupId}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] },
      ],
      [
        'PATCH',
        `/Groups/${b.groupId}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: a.userId }] }] },
      ],
      [
        'PATCH',
        `/Groups/${b.groupId}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] },
        { 'if-match': 'W/"1"' },
      ],
      ['DELETE', `/Groups/${b.groupId}`],
    ]
    for (const [method, path, body, headers] of writes) {
      const res = await asA(method, path, body, headers)
      expect(res.statusCode, `${method} ${path}`).toBe(404)
      revealsNothing(res, path)
    }
    expect(await bRows()).toBe(before)
  })

  it("member references: B's users cannot join A's groups, by any PATCH, PUT or POST form", async () => {
    const before = await snapshot(t.store)
    const refs = [
      [{ value: b.userId }],
      [{ value: b.userId, $ref: `https://muster.test${SCIM}/Users/${b.userId}` }],
    ]
    const attempts: ['PATCH' | 'PUT' | 'POST', string, unknown][] = [
      ...refs.map((value): ['PATCH', string, unknown] => [
        'PATCH',
        `/Groups/${a.groupId}`,
        { Operations: [{ op: 'add', path: 'members', value }] },
      ]),
      [
        'PATCH',
        `/Groups/${a.groupId}`,
        {
          Operations: [{ op: 'replace', path: 'members', value: [{ value: a.userId }, { value: b.userId }] }],
        },
      ],
      [
        'PATCH',
        `/Groups/${a.groupId}`,
        { Operations: [{ op: 'replace', value: { members: [{ value: b.userId }] } }] },
      ],
      ['PUT', `/Groups/${a.groupId}`, { displayName: 'Tenant A project', members: [{ value: b.userId }] }],
      [
        'POST',
        '/Groups',
        { displayName: 'Tenant A new', members: [{ value: a.userId }, { value: b.userId }] },
      ],
    ]
    for (const [method, path, body] of attempts) {
      const res = await asA(method, path, body)
      expect(res.statusCode, `${method} ${path} ${JSON.stringify(body)}`).toBe(400)
      expect(res.json().scimType).toBe('invalidValue')
      revealsNothing(res, JSON.stringify(body))
    }
    // Removing B's user from A's group is a no-op on A, and B's membership stays.
    const removal = await asA('PATCH', `/Groups/${a.groupId}`, {
      Operations: [{ op: 'remove', path: `members[value eq "${b.userId}"]` }],
    })
    expect(removal.statusCode).toBe(204)
    expect(await snapshot(t.store)).toBe(before)
    const bMembers = await t.store.db
      .selectFrom('project_members')
      .select('user_id')
      .where('project_id', '=', b.groupId)
      .execute()
    expect(bMembers.map((m) => m.user_id)).toEqual([b.userId])
    // Nor can A's manager reference point at B's user and read anything back.
    const manager = await asA('PATCH', `/Users/${a.userId}`, {
      Operations: [
        {
          op: 'add',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
          value: b.userId,
        },
      ],
    })
    expect(manager.statusCode).toBeLessThan(500)
    revealsNothing(manager, b.userId)
    // The manager is an opaque reference A wrote itself; nothing of B (its name) is filled in.
    expect(manager.body).not.toContain(b.userName)
    await asA('PATCH', `/Users/${a.userId}`, {
      Operations: [
        {
          op: 'replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
          value: '',
        },
      ],
    })
  })

  it("filters and .search never match B's resources", async () => {
    const filters = {
      Users: [
        `id eq "${b.userId}"`,
        `userName eq "${b.userName}"`,
        `userName eq "${b.userName.toUpperCase()}"`,
        `externalId eq "${b.externalId}"`,
        `id eq "${b.userId}" and userName pr`,
        `groups.value eq "${b.groupId}"`,
        `groups eq "${b.groupId}"`,
        `groups[value eq "${b.groupId}"]`,
        `groups.display eq "${b.group}"`,
        `title eq "B only"`,
        `userName co "tenant-b"`,
        `userName sw "secret"`,
        `not (userName eq "a@tenant-a.test")`,
        'userName pr',
        `meta.lastModified gt "2000-01-01T00:00:00Z"`,
      ],
      Groups: [
        `id eq "${b.groupId}"`,
        `displayName eq "${b.group}"`,
        `displayName co "Secret"`,
        `externalId eq "${b.externalId}"`,
        `members eq "${b.userId}"`,
        `members.value eq "${b.userId}"`,
        `members[value eq "${b.userId}"]`,
        `id eq "${b.groupId}" and members eq "${b.userId}"`,
        `members.display eq "${b.userName}"`,
        'displayName pr',
        `not (displayName eq "Tenant A project")`,
      ],
    }
    for (const [resource, list] of Object.entries(filters)) {
      for (const filter of list) {
        for (const [method, path, body] of [
          ['GET', `/${resource}?filter=${encodeURIComponent(filter)}`, undefined],
          ['POST', `/${resource}/.search`, { filter }],
          ['POST', '/.search', { filter }],
        ] as const) {
          const res = await asA(method, path, body)
          if (res.statusCode === 400) continue // a filter the root .search cannot apply to both types
          expect(res.statusCode, `${method} ${path} ${filter}`).toBe(200)
          revealsNothing(res, filter)
          const ids = (res.json().Resources as { id: string }[]).map((r) => r.id)
          expect(ids, filter).not.toContain(b.userId)
          expect(ids, filter).not.toContain(b.groupId)
        }
      }
    }
    // Totals count A's resources only.
    const all = await asA('GET', '/Users?count=0')
    const aUsers = await t.store.db
      .selectFrom('users')
      .select('id')
      .where('platform_id', '=', t.platformId)
      .execute()
    expect(all.json().totalResults).toBe(aUsers.length)
    const root = await asA('POST', '/.search', { count: 1000 })
    expect((root.json().Resources as { id: string }[]).map((r) => r.id)).not.toContain(b.userId)
  })

  it("uniqueness is per platform: A may use B's userName and group name, and the 409 never points at B", async () => {
    const user = await asA('POST', '/Users', { userName: b.userName.toUpperCase() })
    expect(user.statusCode).toBe(201)
    const group = await asA('POST', '/Groups', { displayName: b.group })
    expect(group.statusCode).toBe(201)
    revealsNothing(group, b.group)
    // A's own duplicate is a 409 that names A's value only.
    const again = await asA('POST', '/Users', { userName: b.userName })
    expect(again.statusCode).toBe(409)
    // B's view: its resources unchanged, and A's namesakes invisible.
    const bList = await asB('GET', `/Users?filter=${encodeURIComponent(`userName eq "${b.userName}"`)}`)
    expect((bList.json().Resources as { id: string }[]).map((r) => r.id)).toEqual([b.userId])
    const bUser = await asB('GET', `/Users/${b.userId}`)
    expect(bUser.json().groups).toEqual([expect.objectContaining({ value: b.groupId })])
    // A deletes its namesakes; B's originals stay.
    expect((await asA('DELETE', `/Users/${user.json().id}`)).statusCode).toBe(204)
    expect((await asA('DELETE', `/Groups/${group.json().id}`)).statusCode).toBe(204)
    expect((await asB('GET', `/Users/${b.userId}`)).statusCode).toBe(200)
    expect((await asB('GET', `/Groups/${b.groupId}`)).statusCode).toBe(200)
  })

  it("A's user never lists B's groups, and B's group never lists A's users", async () => {
    const aUser = await asA('GET', `/Users/${a.userId}`)
    for (const g of (aUser.json().groups ?? []) as { value: string }[]) expect(g.value).not.toBe(b.groupId)
    const bGroup = await asB('GET', `/Groups/${b.groupId}`)
    expect((bGroup.json().members as { value: string }[]).map((m) => m.value)).toEqual([b.userId])
  })

  it("the console API of A's admin neither shows nor changes B's users, projects or keys", async () => {
    await createAccount(t, t.platformId, 'admin@tenant-a.test')
    const admin = await signedIn(t, 'admin@tenant-a.test')
    const before = await bRows()
    const keyBefore = await t.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', bKeyId)
      .executeTakeFirstOrThrow()
    const reads = [
      '/users',
      `/users?q=${encodeURIComponent(b.userName)}`,
      '/projects',
      `/projects?q=${encodeURIComponent('Secret')}`,
      `/projects/${b.groupId}`,
      '/api-keys',
      '/events',
      '/events?limit=200',
    ]
    for (const path of reads) {
      requests++
      const res = await admin.call('GET', path)
      expect(res.statusCode, path).toBeLessThan(500)
      for (const secret of neverSentByA()) expect(res.body, path).not.toContain(secret)
      // A wrote B's ids and names itself (in paths and namesakes); B's originals are not listed.
      if (path.startsWith('/users')) expect(res.body).not.toContain(b.userId)
      if (path.startsWith('/projects')) expect(res.body).not.toContain(`"id":"${b.groupId}"`)
    }
    const writes: ['PATCH' | 'DELETE', string, unknown?][] = [
      ['PATCH', `/users/${b.userId}`, { active: false }],
      ['PATCH', `/users/${b.userId}`, { platformRole: 'ADMIN' }],
      ['PATCH', `/projects/${b.groupId}/members/${b.userId}`, { role: 'Viewer' }],
      ['PATCH', `/projects/${a.groupId}/members/${b.userId}`, { role: 'Viewer' }],
      ['DELETE', `/api-keys/${bKeyId}`],
    ]
    for (const [method, path, body] of writes) {
      requests++
      const res = await admin.call(method, path, body)
      expect(res.statusCode, `${method} ${path}`).toBe(404)
      revealsNothing(res, path)
    }
    expect(await bRows()).toBe(before)
    const keyAfter = await t.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', bKeyId)
      .executeTakeFirstOrThrow()
    expect(keyAfter.revoked_at).toBe(keyBefore.revoked_at)
    expect((await asB('GET', '/Users?count=0')).statusCode).toBe(200)
  })

  it("A's key reads A's provisioning log only; B's events name only B", async () => {
    const events = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('platform_id', '=', t.platformId)
      .execute()
    expect(events.length).toBeGreaterThan(0)
    for (const e of events) {
      // A's own requests carry B's ids in the URLs A sent; never anything of B that A did not send.
      for (const secret of neverSentByA()) expect(JSON.stringify(e)).not.toContain(secret)
    }
    const bEvents = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('platform_id', '=', bPlatform)
      .execute()
    for (const e of bEvents) expect(e.api_key_id).toBe(bKeyId)
  })
})
