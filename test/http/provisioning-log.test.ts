// The provisioning log as an admin reads it (issue 13): names instead of ids, old → new values, members
// by name, redacted request and response bodies on an event's page, search by user, group or request
// id, one user's events, and the count of new events for the live view.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOM_USER_SCHEMA, GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/index.js'
import { type AdminClient, createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

interface Value {
  path: string
  from?: unknown
  to?: unknown
  redacted?: true
}

describe.each(dialects)('provisioning log on %s', (dialect) => {
  let t: TestApp
  let a: AdminClient
  const ids: Record<string, string> = {}

  const user = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await t.scim(
      'POST',
      '/Users',
      {
        schemas: [USER_SCHEMA],
        userName: `${name}@acme.test`,
        displayName: name[0]!.toUpperCase() + name.slice(1),
        active: true,
        ...extra,
      },
      { 'x-request-id': `create-${name}-${dialect}` },
    )
    expect(res.statusCode).toBe(201)
    ids[name] = res.json().id
    return res.json().id as string
  }
  const log = async (q = '') => {
    const res = await a.call('GET', `/events${q}`)
    expect(res.statusCode).toBe(200)
    return res.json() as {
      total: number
      events: {
        id: number
        requestId: string
        method: string
        status: number
        actorType: string
        actorEmail: string | null
        resourceType: string
        resourceId: string
        resourceName: string | null
        resourceExists: boolean
        changes: { values?: Value[]; membersAdded?: string[]; membersRemoved?: string[] } & Record<
          string,
          unknown
        >
      }[]
      names: { id: string; name: string; displayName: string | null }[]
    }
  }
  /** The event's page; its bodies are written within a second of the answer (src/http/scim/bodies.ts). */
  const detail = async (id: number, { bodies = true } = {}) => {
    for (let i = 0; ; i++) {
      const res = await a.call('GET', `/events/${id}`)
      expect(res.statusCode).toBe(200)
      const json = res.json()
      if (!bodies || json.event.bodies || i === 40) return json
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  beforeAll(async () => {
    t = await createTestApp(dialect)
    await createAccount(t, t.platformId, 'root@acme.test')
    a = await signedIn(t, 'root@acme.test')
  })
  afterAll(() => t?.close())

  it('names the user and shows every attribute a create set, and old → new for a change', async () => {
    const ann = await user('ann', { name: { givenName: 'Ann', familyName: 'Lee' } })
    const [created] = (await log(`?resourceId=${ann}`)).events
    expect(created).toMatchObject({ method: 'POST', resourceName: 'ann@acme.test', resourceExists: true })
    expect(created!.changes.values).toEqual(
      expect.arrayContaining([
        { path: 'userName', to: 'ann@acme.test' },
        { path: 'name.givenName', to: 'Ann' },
        { path: 'active', to: true },
        // The default role is shown although the IdP did not send it.
        { path: `${CUSTOM_USER_SCHEMA}:platformRole`, to: 'MEMBER' },
      ]),
    )

    await t.scim('PATCH', `/Users/${ann}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Ann Lee' },
        { op: 'replace', path: 'name.familyName', value: 'Lee-Park' },
        { op: 'replace', path: `${CUSTOM_USER_SCHEMA}:platformRole`, value: 'OPERATOR' },
      ],
    })
    const [patched] = (await log(`?resourceId=${ann}`)).events
    expect(patched!.changes.values).toEqual(
      expect.arrayContaining([
        { path: 'displayName', from: 'Ann', to: 'Ann Lee' },
        { path: 'name.familyName', from: 'Lee', to: 'Lee-Park' },
        { path: `${CUSTOM_USER_SCHEMA}:platformRole`, from: 'MEMBER', to: 'OPERATOR' },
      ]),
    )
  })

  it('names a password change but never its value, in the log or in the kept bodies', async () => {
    const ben = await user('ben', { password: 'Hunter2-initial!' })
    const res = await t.scim('PATCH', `/Users/${ben}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'replace', path: 'password', value: 'Hunter2-changed!' }],
    })
    expect(res.statusCode).toBe(200)
    const events = (await log(`?resourceId=${ben}`)).events
    expect(events[0]!.changes.values).toEqual([{ path: 'password', redacted: true }])
    const page = await detail(events[0]!.id)
    expect(page.event.bodies.request).toContain('"value":"[redacted]"')
    expect(page.event.bodies.response).toContain(`"id":"${ben}"`)
    // The create names the password it came with, as a change does.
    expect(events[1]!.changes.attributes).toContain('password')
    expect(events[1]!.changes.values).toContainEqual({ path: 'password', redacted: true })
    const created = await detail(events[1]!.id)
    expect(created.event.bodies.request).toContain('"password":"[redacted]"')
    const everything = JSON.stringify([events, page, created, await log()])
    expect(everything).not.toContain('Hunter2')
  })

  it('lists members added and removed by id, with their names beside the events', async () => {
    const cat = await user('cat')
    const dan = await user('dan')
    const group = await t.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales EMEA',
      members: [{ value: cat }, { value: dan }],
    })
    expect(group.statusCode).toBe(201)
    const groupId = group.json().id as string
    await t.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: 'remove', path: `members[value eq "${dan}"]` },
        { op: 'replace', path: 'displayName', value: 'Sales Europe' },
      ],
    })
    const { events, names } = await log(`?resourceId=${groupId}`)
    expect(events.map((e) => [e.method, e.resourceName])).toEqual([
      ['PATCH', 'Sales Europe'],
      ['POST', 'Sales EMEA'],
    ])
    expect(events[1]!.changes.membersAdded?.sort()).toEqual([cat, dan].sort())
    expect(events[0]!.changes.membersRemoved).toEqual([dan])
    expect(events[0]!.changes.values).toEqual([
      { path: 'displayName', from: 'Sales EMEA', to: 'Sales Europe' },
    ])
    expect(Object.fromEntries(names.map((n) => [n.id, n.name]))).toEqual({
      [cat]: 'cat@acme.test',
      [dan]: 'dan@acme.test',
    })
    const page = await detail(events[0]!.id, { bodies: false })
    expect(page.names).toEqual([{ id: dan, type: 'User', name: 'dan@acme.test', displayName: 'Dan' }])
  })

  it('keeps the name of a deleted user, without a link, and names what a refused create asked for', async () => {
    const eve = await user('eve')
    expect((await t.scim('DELETE', `/Users/${eve}`)).statusCode).toBe(204)
    const events = (await log(`?resourceId=${eve}`)).events
    expect(events.map((e) => [e.method, e.resourceName, e.resourceExists])).toEqual([
      ['DELETE', 'eve@acme.test', false],
      ['POST', 'eve@acme.test', false],
    ])
    const refused = await t.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ANN@acme.test' })
    expect(refused.statusCode).toBe(409)
    // A refusal is recorded after its answer has gone (an onResponse hook: the IdP never waits for the
    // log), so it may land a moment after the response.
    let [failure] = (await log('?status=failure')).events
    for (let i = 0; i < 100 && !failure; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      ;[failure] = (await log('?status=failure')).events
    }
    expect(failure).toMatchObject({ status: 409, resourceType: 'User', resourceName: 'ANN@acme.test' })
  })

  it('searches by request id, by id, by part of a name, and shows one user’s events with their groups', async () => {
    const byRequest = await log(`?q=create-cat-${dialect}`)
    expect(byRequest.events.map((e) => e.resourceName)).toEqual(['cat@acme.test'])
    expect((await log(`?q=${ids.ann}`)).events.every((e) => e.resourceId === ids.ann)).toBe(true)
    const byName = await log('?q=SALES%20eu')
    expect(byName.events.map((e) => e.resourceName)).toEqual(['Sales Europe'])
    expect((await log('?q=nobody-like-this')).total).toBe(0)

    const dans = await log(`?user=${ids.dan}`)
    expect(dans.events.map((e) => `${e.method} ${e.resourceType} ${e.resourceName}`)).toEqual([
      'PATCH Group Sales Europe',
      'POST Group Sales EMEA',
      'POST User dan@acme.test',
    ])
  })

  it('counts the events newer than the one on top, for the live view', async () => {
    const [top] = (await log()).events
    expect((await log(`?afterId=${top!.id}&limit=1`)).total).toBe(0)
    await user('fay')
    await user('gus')
    const newer = await log(`?afterId=${top!.id}&limit=1`)
    expect(newer.total).toBe(2)
    expect(newer.events).toHaveLength(1)
  })

  it('records the admin behind a console change, with the old and new role', async () => {
    const res = await a.call('PATCH', `/users/${ids.fay}`, { platformRole: 'OPERATOR' })
    expect(res.statusCode).toBe(200)
    const [event] = (await log(`?resourceId=${ids.fay}`)).events
    expect(event).toMatchObject({
      actorType: 'console',
      actorEmail: 'root@acme.test',
      resourceName: 'fay@acme.test',
    })
    expect(event!.changes.values).toEqual(
      expect.arrayContaining([
        { path: `${CUSTOM_USER_SCHEMA}:platformRole`, from: 'MEMBER', to: 'OPERATOR' },
      ]),
    )
  })

  it('exports the log of the current filter as CSV, with names and old → new', async () => {
    const res = await a.call('GET', `/events.csv?resourceType=Group`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    const lines = res.body.trim().split('\r\n')
    expect(lines[0]).toBe(
      'time (UTC),by,method,path,status,resource type,name,resource id,what changed,request id,duration (ms)',
    )
    expect(lines.slice(1).every((l) => l.includes(',Group,'))).toBe(true)
    expect(lines.find((l) => l.includes('Sales Europe'))).toMatch(
      /displayName: Sales EMEA → Sales Europe; removed dan@acme\.test/,
    )
    expect(lines.find((l) => l.includes(',POST,') && l.includes('Sales EMEA'))).toMatch(
      /added (cat@acme\.test, dan@acme\.test|dan@acme\.test, cat@acme\.test)/,
    )
    const all = await a.call('GET', '/events.csv')
    expect(all.body.trim().split('\r\n')).toHaveLength((await log()).total + 1)
    expect(all.body).not.toContain('Hunter2')
  })

  it.runIf(dialect === 'postgres')(
    'keeps bodies in an UNLOGGED table on PostgreSQL: they cost no WAL',
    async () => {
      const { rows } = await sql<{
        persistence: string
      }>`select c.relpersistence as persistence from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where c.relname = 'event_bodies' and n.nspname = current_schema()`.execute(t.store.db)
      expect(rows).toEqual([{ persistence: 'u' }])
    },
  )

  it('refuses filters it cannot read with the field named', async () => {
    const res = await a.call('GET', '/events?afterId=soon')
    expect(res.statusCode).toBe(400)
    expect(res.json().fields).toHaveProperty('afterId')
  })
})

describe.each(dialects)('request bodies not kept on %s', (dialect) => {
  it('keeps none when LOG_BODY_RETENTION_HOURS is 0', async () => {
    const t = await createTestApp(dialect, { LOG_BODY_RETENTION_HOURS: '0' })
    try {
      await createAccount(t, t.platformId, 'root@acme.test')
      const a = await signedIn(t, 'root@acme.test')
      const res = await t.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'hal@acme.test' })
      expect(res.statusCode).toBe(201)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const [event] = (await a.call('GET', '/events')).json().events
      expect((await a.call('GET', `/events/${event.id}`)).json().event.bodies).toBeNull()
      expect(await t.store.db.selectFrom('event_bodies').selectAll().execute()).toEqual([])
    } finally {
      await t.close()
    }
  })
})
