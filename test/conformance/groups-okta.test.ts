// Okta's group push (ENTRA.md "Okta"): create, full member replace by `replace members` (possibly
// `[]`), path-less replace carrying id, displayName and members, members without `type`, PUT on
// rename, batched and parallel PATCHes.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/store/api-keys.js'
import { createPlatform } from '../../src/store/platforms.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  createUser,
  EMPTY_LIST,
  expectError,
  expectScimJson,
  LIST_RESPONSE,
  oktaUser,
  PATCH_OP,
  PUBLIC_BASE,
  unique,
} from './fixtures.js'

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

/** Okta's create body (Okta SCIM 2.0 guide): core schema, displayName, empty members. */
function oktaGroup(displayName: string, members: readonly string[] = []) {
  return { schemas: [CORE_GROUP], displayName, members: members.map(oktaMember) }
}

/** Okta sends members as value + display, without type or $ref. */
function oktaMember(value: string) {
  return { value, display: `${value}@okta.example` }
}

/** Okta's PatchOp: lower-case op names, the PatchOp schema. */
function oktaPatch(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations }
}

const q = (value: string) => encodeURIComponent(value)
const sorted = (ids: readonly string[]) => [...ids].sort()

describe.each(dialects)('Okta Groups conformance on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  async function newUsers(n: number): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const userName = `${unique('okta')}@example.com`
      ids.push((await createUser(t, oktaUser(userName, `Pw-${randomUUID()}`))).id)
    }
    return ids
  }

  async function createGroup(members: readonly string[] = []): Promise<Record<string, any>> {
    const res = await t.scim('POST', '/Groups', oktaGroup(unique('Okta Group'), members))
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }

  async function getGroup(id: string): Promise<Record<string, any>> {
    const res = await t.scim('GET', `/Groups/${id}`)
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  async function memberIds(id: string): Promise<string[]> {
    return (((await getGroup(id)).members ?? []) as { value: string }[]).map((m) => m.value).sort()
  }

  async function memberRows(id: string): Promise<string[]> {
    const rows = await t.store.db
      .selectFrom('project_members')
      .select('user_id')
      .where('project_id', '=', id)
      .execute()
    return rows.map((r) => r.user_id).sort()
  }

  async function patchGroup(id: string, ...ops: unknown[]): Promise<void> {
    const res = await t.scim('PATCH', `/Groups/${id}`, oktaPatch(...ops))
    expect(res.statusCode, res.body).toBe(204)
  }

  it('POST of the Okta body answers 201 with the group, its members and Location', async () => {
    const ids = await newUsers(2)
    const name = unique('Okta Push')
    const res = await t.scim('POST', '/Groups', oktaGroup(name, ids))
    expect(res.statusCode, res.body).toBe(201)
    expectScimJson(res)
    const group = res.json()
    expect(group.schemas).toContain(CORE_GROUP)
    expect(group.displayName).toBe(name)
    expect((group.members as { value: string }[]).map((m) => m.value).sort()).toEqual(sorted(ids))
    expect(res.headers.location).toBe(`${PUBLIC_BASE}/Groups/${group.id}`)
    expect(await memberRows(group.id)).toEqual(sorted(ids))
  })

  it('GET /Groups?filter=displayName eq "…"&startIndex=1&count=100 finds the pushed group', async () => {
    const group = await createGroup()
    const res = await t.scim(
      'GET',
      `/Groups?filter=${q(`displayName eq "${group.displayName}"`)}&startIndex=1&count=100`,
    )
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.schemas).toEqual([LIST_RESPONSE])
    expect(body.totalResults).toBe(1)
    expect(body.Resources[0].id).toBe(group.id)
    const missing = await t.scim(
      'GET',
      `/Groups?filter=${q(`displayName eq "${randomUUID()}"`)}&startIndex=1&count=100`,
    )
    expect(missing.json()).toEqual(EMPTY_LIST)
  })

  describe('replace members', () => {
    it('replace path members with a list makes the members exactly that list', async () => {
      const [a, b, c, d] = await newUsers(4)
      const group = await createGroup([a!, b!])
      await patchGroup(group.id, {
        op: 'replace',
        path: 'members',
        value: [b, c, d].map((id) => oktaMember(id!)),
      })
      expect(await memberIds(group.id)).toEqual(sorted([b!, c!, d!]))
      expect(await memberRows(group.id)).toEqual(sorted([b!, c!, d!]))
    })

    it('replace path members with [] empties the group and keeps the users', async () => {
      const ids = await newUsers(2)
      const group = await createGroup(ids)
      await patchGroup(group.id, { op: 'replace', path: 'members', value: [] })
      expect(await memberIds(group.id)).toEqual([])
      expect(await memberRows(group.id)).toEqual([])
      for (const id of ids) expect((await t.scim('GET', `/Users/${id}`)).statusCode).toBe(200)
    })

    it('replacing with the same list succeeds and changes nothing, not even the version', async () => {
      const ids = await newUsers(2)
      const group = await createGroup(ids)
      const before = await getGroup(group.id)
      await patchGroup(group.id, { op: 'replace', path: 'members', value: ids.map(oktaMember) })
      const after = await getGroup(group.id)
      expect(await memberRows(group.id)).toEqual(sorted(ids))
      expect(after.meta.version).toBe(before.meta.version)
    })

    it('path-less replace with id, displayName and members renames and replaces the members', async () => {
      const [a, b, c] = await newUsers(3)
      const group = await createGroup([a!, b!])
      const name = unique('Okta Renamed')
      await patchGroup(group.id, {
        op: 'replace',
        value: { id: group.id, displayName: name, members: [oktaMember(b!), oktaMember(c!)] },
      })
      const read = await getGroup(group.id)
      expect(read.id).toBe(group.id)
      expect(read.displayName).toBe(name)
      expect(await memberIds(group.id)).toEqual(sorted([b!, c!]))
    })

    it('path-less replace with members: [] empties the group', async () => {
      const ids = await newUsers(2)
      const group = await createGroup(ids)
      await patchGroup(group.id, {
        op: 'replace',
        value: { id: group.id, displayName: group.displayName, members: [] },
      })
      expect(await memberRows(group.id)).toEqual([])
      expect((await getGroup(group.id)).displayName).toBe(group.displayName)
    })

    it('path-less replace with id and displayName but no members leaves the members alone', async () => {
      const ids = await newUsers(2)
      const group = await createGroup(ids)
      const name = unique('Okta Name Only')
      await patchGroup(group.id, { op: 'replace', value: { id: group.id, displayName: name } })
      expect((await getGroup(group.id)).displayName).toBe(name)
      expect(await memberRows(group.id)).toEqual(sorted(ids))
    })

    it('a batch of add and remove operations in one PATCH applies in order', async () => {
      const [a, b, c] = await newUsers(3)
      const group = await createGroup([a!])
      await patchGroup(
        group.id,
        { op: 'add', path: 'members', value: [oktaMember(b!), oktaMember(c!)] },
        { op: 'remove', path: 'members', value: [oktaMember(a!)] },
        { op: 'remove', path: `members[value eq "${c}"]` },
      )
      expect(await memberIds(group.id)).toEqual([b])
    })

    it('a replace naming a non-user is 400 invalidValue naming it, and the group keeps its members', async () => {
      const [a, b] = await newUsers(2)
      const group = await createGroup([a!])
      const ghost = randomUUID()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        oktaPatch(
          { op: 'replace', path: 'displayName', value: unique('Never Applied') },
          { op: 'replace', path: 'members', value: [oktaMember(b!), oktaMember(ghost)] },
        ),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(ghost)
      expect(await memberRows(group.id)).toEqual([a])
      expect((await getGroup(group.id)).displayName).toBe(group.displayName)
    })

    it('a path-less replace naming a user of another platform is 400 invalidValue, nothing applied', async () => {
      const other = await createPlatform(t.store.db, unique('Okta Other'))
      const { secret } = await createApiKey(t.store.db, other.id, 'okta other')
      const created = await t.scim(
        'POST',
        '/Users',
        oktaUser(`${unique('foreign')}@example.com`, `Pw-${randomUUID()}`),
        { authorization: `Bearer ${secret}` },
      )
      expect(created.statusCode, created.body).toBe(201)
      const foreign = created.json().id as string
      const [a] = await newUsers(1)
      const group = await createGroup([a!])
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        oktaPatch({
          op: 'replace',
          value: { id: group.id, displayName: unique('Never'), members: [oktaMember(foreign)] },
        }),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(foreign)
      expect(await memberRows(group.id)).toEqual([a])
      expect((await getGroup(group.id)).displayName).toBe(group.displayName)
    })
  })

  describe('PUT on rename', () => {
    it('PUT /Groups/{id} with the whole group renames it and sets exactly the sent members', async () => {
      const [a, b, c] = await newUsers(3)
      const group = await createGroup([a!, b!])
      const name = unique('Okta Put')
      const res = await t.scim('PUT', `/Groups/${group.id}`, {
        schemas: [CORE_GROUP],
        id: group.id,
        displayName: name,
        members: [oktaMember(b!), oktaMember(c!)],
      })
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body.id).toBe(group.id)
      expect(body.displayName).toBe(name)
      expect((body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(sorted([b!, c!]))
      expect(res.headers.etag).toBe(body.meta.version)
      expect(body.meta.version).not.toBe(group.meta.version)
      expect(await memberRows(group.id)).toEqual(sorted([b!, c!]))
      expect((await getGroup(group.id)).displayName).toBe(name)
    })

    it('PUT with the same members only renames; the members stay', async () => {
      const ids = await newUsers(2)
      const group = await createGroup(ids)
      const name = unique('Okta Put Same')
      const res = await t.scim('PUT', `/Groups/${group.id}`, {
        schemas: [CORE_GROUP],
        id: group.id,
        displayName: name,
        members: ids.map(oktaMember),
      })
      expect(res.statusCode, res.body).toBe(200)
      expect(await memberRows(group.id)).toEqual(sorted(ids))
    })

    it('PUT onto another group’s displayName is 409 uniqueness and changes nothing', async () => {
      const taken = await createGroup()
      const [a] = await newUsers(1)
      const group = await createGroup([a!])
      const res = await t.scim('PUT', `/Groups/${group.id}`, {
        schemas: [CORE_GROUP],
        id: group.id,
        displayName: String(taken.displayName).toUpperCase(),
        members: [],
      })
      expectError(res, 409, 'uniqueness')
      expect(await memberRows(group.id)).toEqual([a])
      expect((await getGroup(group.id)).displayName).toBe(group.displayName)
    })

    it('PUT of an unknown group is 404', async () => {
      const res = await t.scim('PUT', `/Groups/${randomUUID()}`, oktaGroup(unique('Nowhere')))
      expectError(res, 404)
    })
  })

  it('parallel batched PATCHes to one group (Okta group push) lose no member', async () => {
    const ids = await newUsers(12)
    const group = await createGroup()
    const responses = await Promise.all(
      ids.map((id) =>
        t.scim(
          'PATCH',
          `/Groups/${group.id}`,
          oktaPatch({ op: 'add', path: 'members', value: [oktaMember(id)] }),
        ),
      ),
    )
    for (const res of responses) expect(res.statusCode, res.body).toBe(204)
    expect(await memberIds(group.id)).toEqual(sorted(ids))
  })
})
