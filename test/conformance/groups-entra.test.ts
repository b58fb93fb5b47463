// Microsoft Entra ID's Groups traffic (ENTRA.md "Test Connection and matching" and "Groups"; SPEC.md
// "Behaviour contract (SCIM)"), replayed literally, asserting what Entra would notice. Groups are
// projects; members are project members with a project role.
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
  PUBLIC_BASE,
  patch,
  plainUser,
  unique,
} from './fixtures.js'

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const MS_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'
const CUSTOM_GROUP = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomGroupAttributes'

/** Entra's create body from ENTRA.md, with its own displayName and externalId. */
function entraGroup(displayName: string, externalId = unique('8aa1')) {
  return {
    schemas: [CORE_GROUP, MS_GROUP],
    externalId,
    displayName,
    members: [],
    meta: { resourceType: 'Group' },
  }
}

/** A query string value with spaces and quotes percent-encoded, as an HTTP client sends it. */
const q = (value: string) => encodeURIComponent(value)

describe.each(dialects)('Entra ID Groups conformance on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  async function newUser(): Promise<string> {
    return (await createUser(t, plainUser(`${unique('member')}@contoso.com`))).id
  }

  async function newUsers(n: number): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < n; i++) ids.push(await newUser())
    return ids
  }

  async function createGroup(body: unknown = entraGroup(unique('Group'))): Promise<Record<string, any>> {
    const res = await t.scim('POST', '/Groups', body)
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }

  async function getGroup(id: string, query = ''): Promise<Record<string, any>> {
    const res = await t.scim('GET', `/Groups/${id}${query}`)
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  /** The member ids of a group as the API returns them, sorted. */
  async function memberIds(id: string): Promise<string[]> {
    const group = await getGroup(id)
    return ((group.members ?? []) as { value: string }[]).map((m) => m.value).sort()
  }

  /** The member ids of a group straight from the membership table, sorted. */
  async function memberRows(id: string): Promise<string[]> {
    const rows = await t.store.db
      .selectFrom('project_members')
      .select('user_id')
      .where('project_id', '=', id)
      .execute()
    return rows.map((r) => r.user_id).sort()
  }

  async function roles(id: string): Promise<Record<string, string>> {
    const rows = await t.store.db
      .selectFrom('project_members')
      .select(['user_id', 'role'])
      .where('project_id', '=', id)
      .execute()
    return Object.fromEntries(rows.map((r) => [r.user_id, r.role]))
  }

  /** PATCHes a group and expects Entra's 204 with no body. */
  async function patchGroup(id: string, ...ops: unknown[]): Promise<void> {
    const res = await t.scim('PATCH', `/Groups/${id}`, patch(...ops))
    expect(res.statusCode, res.body).toBe(204)
    expect(res.body).toBe('')
  }

  /** A group holding the given members (created by POST, then checked). */
  async function groupWith(members: readonly string[], extra: Record<string, unknown> = {}) {
    const group = await createGroup({
      ...entraGroup(unique('Group')),
      members: members.map((value) => ({ value })),
      ...extra,
    })
    expect(await memberRows(group.id)).toEqual([...members].sort())
    return group
  }

  const sorted = (ids: readonly string[]) => [...ids].sort()

  describe('Test Connection and existence checks', () => {
    it('Test Connection: excludedAttributes=members&filter=displayName eq "<GUID>" answers the exact empty ListResponse', async () => {
      const res = await t.scim(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${randomUUID()}"`)}`,
      )
      expect(res.statusCode).toBe(200)
      expectScimJson(res)
      expect(res.json()).toEqual(EMPTY_LIST)
    })

    it('the same check with + for spaces answers the same empty ListResponse', async () => {
      const res = await t.scim(
        'GET',
        `/Groups?excludedAttributes=members&filter=displayName+eq+%22${randomUUID()}%22`,
      )
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(EMPTY_LIST)
    })

    it('existence check by displayName finds the group and returns no members key although it has members', async () => {
      const [a, b] = await newUsers(2)
      const created = await createGroup({ ...entraGroup('Sales'), members: [{ value: a }, { value: b }] })
      const res = await t.scim(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales"')}`,
      )
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body.schemas).toEqual([LIST_RESPONSE])
      expect(body.totalResults).toBe(1)
      expect(body.itemsPerPage).toBe(1)
      expect(body.startIndex).toBe(1)
      expect(body.Resources).toHaveLength(1)
      const [group] = body.Resources
      expect(group.id).toBe(created.id)
      expect(group.displayName).toBe('Sales')
      expect(group).not.toHaveProperty('members')
      expect(res.body).not.toContain('"members"')
      expect(group.meta).toMatchObject({
        resourceType: 'Group',
        location: `${PUBLIC_BASE}/Groups/${created.id}`,
      })
    })

    it('GET /Groups/{id}?excludedAttributes=members returns the group without a members key', async () => {
      const group = await groupWith(await newUsers(2))
      const res = await t.scim('GET', `/Groups/${group.id}?excludedAttributes=members`)
      expect(res.statusCode).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body).not.toHaveProperty('members')
      expect(res.body).not.toContain('"members"')
      expect(body).toMatchObject({
        id: group.id,
        displayName: group.displayName,
        externalId: group.externalId,
      })
      expect(body.meta.resourceType).toBe('Group')
      // Without the exclusion the members are there.
      expect(await memberIds(group.id)).toHaveLength(2)
    })

    it('GET /Groups/{id} of an unknown id is 404, never an empty 200', async () => {
      expectError(await t.scim('GET', `/Groups/${randomUUID()}`), 404)
    })
  })

  describe('create', () => {
    it('POST of the Entra body (Microsoft schema URN, members: [], meta) answers 201 with the stored group', async () => {
      const body = entraGroup(unique('Sales Team'))
      const res = await t.scim('POST', '/Groups', body)
      expect(res.statusCode, res.body).toBe(201)
      expectScimJson(res)
      const group = res.json()
      expect(group.schemas).toContain(CORE_GROUP)
      expect(typeof group.id).toBe('string')
      expect(group.displayName).toBe(body.displayName)
      expect(group.externalId).toBe(body.externalId)
      expect(group.members ?? []).toEqual([])
      expect(group.meta).toMatchObject({
        resourceType: 'Group',
        location: `${PUBLIC_BASE}/Groups/${group.id}`,
      })
      expect(typeof group.meta.created).toBe('string')
      expect(typeof group.meta.lastModified).toBe('string')
      expect(group.meta.version).toMatch(/^W\/".+"$/)
      expect(res.headers.location).toBe(group.meta.location)
      expect(res.headers.etag).toBe(group.meta.version)
      const read = await getGroup(group.id)
      expect(read.displayName).toBe(body.displayName)
      expect(read.externalId).toBe(body.externalId)
    })

    it('POST with members creates the memberships', async () => {
      const ids = await newUsers(2)
      const res = await t.scim('POST', '/Groups', {
        ...entraGroup(unique('With Members')),
        members: ids.map((value) => ({ $ref: null, value })),
      })
      expect(res.statusCode, res.body).toBe(201)
      const group = res.json()
      expect(((group.members ?? []) as { value: string }[]).map((m) => m.value).sort()).toEqual(sorted(ids))
      expect(await memberRows(group.id)).toEqual(sorted(ids))
    })

    it('a duplicate displayName in another case is 409 uniqueness, and the filter finds the holder', async () => {
      const name = unique('Marketing')
      const first = await createGroup(entraGroup(name))
      expectError(await t.scim('POST', '/Groups', entraGroup(name.toUpperCase())), 409, 'uniqueness')
      expectError(await t.scim('POST', '/Groups', entraGroup(name)), 409, 'uniqueness')
      const found = await t.scim(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${name.toUpperCase()}"`)}`,
      )
      expect(found.statusCode).toBe(200)
      expect(found.json().totalResults).toBe(1)
      expect(found.json().Resources[0].id).toBe(first.id)
    })

    it('a rename onto another group’s displayName (any case) is 409 uniqueness and changes nothing', async () => {
      const taken = unique('Taken')
      await createGroup(entraGroup(taken))
      const group = await createGroup()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Replace', path: 'displayName', value: taken.toLowerCase() }),
      )
      expectError(res, 409, 'uniqueness')
      expect((await getGroup(group.id)).displayName).toBe(group.displayName)
    })
  })

  describe('members', () => {
    it('Add members with "$ref": null and without type, one and many per op, answers 204', async () => {
      const group = await createGroup()
      const [a, b, c] = await newUsers(3)
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ $ref: null, value: a }] })
      expect(await memberIds(group.id)).toEqual([a])
      await patchGroup(group.id, {
        op: 'Add',
        path: 'members',
        value: [{ $ref: null, value: b }, { value: c }],
      })
      expect(await memberIds(group.id)).toEqual(sorted([a!, b!, c!]))
      expect(await memberRows(group.id)).toEqual(sorted([a!, b!, c!]))
    })

    it('members read back with value, $ref, display and type User', async () => {
      const email = `${unique('Display')}@contoso.com`
      const user = await createUser(t, plainUser(email, { displayName: 'Dee Splay' }))
      const group = await groupWith([user.id])
      const [member] = (await getGroup(group.id)).members
      expect(member).toEqual({
        value: user.id,
        $ref: `${PUBLIC_BASE}/Users/${user.id}`,
        display: 'Dee Splay',
        type: 'User',
      })
    })

    it('Remove with a value list removes ONLY the listed members', async () => {
      const [a, b, c, d] = await newUsers(4)
      const group = await groupWith([a!, b!, c!, d!])
      await patchGroup(group.id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: a }] })
      expect(await memberIds(group.id)).toEqual(sorted([b!, c!, d!]))
      await patchGroup(group.id, {
        op: 'Remove',
        path: 'members',
        value: [{ $ref: null, value: b }, { value: c }],
      })
      expect(await memberIds(group.id)).toEqual([d])
      expect(await memberRows(group.id)).toEqual([d])
    })

    it('remove members[value eq "<id>"] (aadOptscim062020) removes only that member', async () => {
      const [a, b] = await newUsers(2)
      const group = await groupWith([a!, b!])
      await patchGroup(group.id, { op: 'remove', path: `members[value eq "${a}"]` })
      expect(await memberIds(group.id)).toEqual([b])
    })

    it('remove members without value or filter empties the group (RFC 7644 §3.5.2.2), users stay', async () => {
      const ids = await newUsers(3)
      const group = await groupWith(ids)
      await patchGroup(group.id, { op: 'Remove', path: 'members' })
      expect(await memberIds(group.id)).toEqual([])
      expect(await memberRows(group.id)).toEqual([])
      for (const id of ids) expect((await t.scim('GET', `/Users/${id}`)).statusCode).toBe(200)
    })

    it('re-adding a member and removing a non-member succeed with 204 and change nothing', async () => {
      const [a, b, outsider] = await newUsers(3)
      const group = await groupWith([a!, b!])
      const before = await getGroup(group.id)
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ $ref: null, value: a }] })
      await patchGroup(group.id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: outsider }] })
      await patchGroup(group.id, { op: 'remove', path: `members[value eq "${outsider}"]` })
      const after = await getGroup(group.id)
      expect(await memberRows(group.id)).toEqual(sorted([a!, b!]))
      expect(after.meta.version).toBe(before.meta.version)
      expect(after.meta.lastModified).toBe(before.meta.lastModified)
    })

    it('an Add of an id that is no user is 400 invalidValue naming the id', async () => {
      const group = await createGroup()
      const ghost = randomUUID()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: ghost }] }),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(ghost)
      expect(await memberRows(group.id)).toEqual([])
    })

    it('a user of ANOTHER platform is not a member candidate: 400 invalidValue naming the id', async () => {
      const other = await createPlatform(t.store.db, unique('Other'))
      const { secret } = await createApiKey(t.store.db, other.id, 'other')
      const created = await t.scim('POST', '/Users', plainUser(`${unique('foreign')}@other.com`), {
        authorization: `Bearer ${secret}`,
      })
      expect(created.statusCode, created.body).toBe(201)
      const foreign = created.json().id as string
      const group = await createGroup()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: foreign }] }),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(foreign)
      expect(await memberRows(group.id)).toEqual([])
      // POST with the foreign member is refused too, and no group is left behind.
      const name = unique('Foreign Post')
      const post = await t.scim('POST', '/Groups', { ...entraGroup(name), members: [{ value: foreign }] })
      expectError(post, 400, 'invalidValue')
      expect(post.json().detail).toContain(foreign)
      const found = await t.scim('GET', `/Groups?filter=${q(`displayName eq "${name}"`)}`)
      expect(found.json()).toEqual(EMPTY_LIST)
      // The other platform cannot see or change this platform's group either.
      const cross = await t.scim('GET', `/Groups/${group.id}`, undefined, {
        authorization: `Bearer ${secret}`,
      })
      expectError(cross, 404)
    })

    it('an unknown member rolls back the whole request, preceding valid operations included', async () => {
      const [a, b] = await newUsers(2)
      const group = await groupWith([a!])
      const before = await getGroup(group.id)
      const ghost = randomUUID()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch(
          { op: 'Add', path: 'members', value: [{ $ref: null, value: b }] },
          { op: 'Remove', path: 'members', value: [{ value: a }] },
          { op: 'Replace', path: 'displayName', value: unique('Never') },
          { op: 'Add', path: 'members', value: [{ $ref: null, value: ghost }] },
        ),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(ghost)
      const after = await getGroup(group.id)
      expect(after.displayName).toBe(before.displayName)
      expect(after.meta.version).toBe(before.meta.version)
      expect(await memberRows(group.id)).toEqual([a])
    })

    it('the User groups attribute lists the project (value, display, $ref) and loses it on removal', async () => {
      const user = await newUser()
      const group = await groupWith([user])
      const read = (await t.scim('GET', `/Users/${user}`)).json()
      expect(read.groups).toEqual([
        { value: group.id, display: group.displayName, $ref: `${PUBLIC_BASE}/Groups/${group.id}` },
      ])
      await patchGroup(group.id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: user }] })
      const after = (await t.scim('GET', `/Users/${user}`)).json()
      expect(after.groups ?? []).toEqual([])
    })
  })

  describe('rename and externalId', () => {
    it('Replace displayName renames and leaves members alone', async () => {
      const ids = await newUsers(2)
      const group = await groupWith(ids)
      const name = unique('Renamed')
      await patchGroup(group.id, { op: 'Replace', path: 'displayName', value: name })
      const read = await getGroup(group.id)
      expect(read.displayName).toBe(name)
      expect(await memberRows(group.id)).toEqual(sorted(ids))
    })

    it('a path-less replace without members renames and leaves members alone', async () => {
      const ids = await newUsers(2)
      const group = await groupWith(ids)
      const name = unique('Pathless')
      await patchGroup(group.id, { op: 'replace', value: { displayName: name } })
      expect((await getGroup(group.id)).displayName).toBe(name)
      expect(await memberRows(group.id)).toEqual(sorted(ids))
    })

    it('Add and Replace of externalId set it, case-exact, members untouched', async () => {
      const ids = await newUsers(1)
      const group = await groupWith(ids)
      const added = unique('Ext-Add')
      await patchGroup(group.id, { op: 'Add', path: 'externalId', value: added })
      expect((await getGroup(group.id)).externalId).toBe(added)
      const replaced = unique('Ext-RePlace')
      await patchGroup(group.id, { op: 'Replace', path: 'externalId', value: replaced })
      expect((await getGroup(group.id)).externalId).toBe(replaced)
      const found = await t.scim('GET', `/Groups?filter=${q(`externalId eq "${replaced}"`)}`)
      expect(found.json().totalResults).toBe(1)
      expect(found.json().Resources[0].id).toBe(group.id)
      expect(await memberRows(group.id)).toEqual(ids)
    })
  })

  describe('delete', () => {
    it('DELETE /Groups/{id} answers 204, then 404; the users stay and lose the group', async () => {
      const ids = await newUsers(2)
      const group = await groupWith(ids)
      const res = await t.scim('DELETE', `/Groups/${group.id}`)
      expect(res.statusCode, res.body).toBe(204)
      expect(res.body).toBe('')
      expectError(await t.scim('GET', `/Groups/${group.id}`), 404)
      expectError(await t.scim('DELETE', `/Groups/${group.id}`), 404)
      expectError(
        await t.scim(
          'PATCH',
          `/Groups/${group.id}`,
          patch({ op: 'Replace', path: 'displayName', value: 'x' }),
        ),
        404,
      )
      expect(await memberRows(group.id)).toEqual([])
      for (const id of ids) {
        const user = await t.scim('GET', `/Users/${id}`)
        expect(user.statusCode).toBe(200)
        expect(user.json().groups ?? []).toEqual([])
      }
    })
  })

  describe('write responses', () => {
    it('PATCH answers 204 without a body when no attributes are asked for', async () => {
      const group = await createGroup()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: await newUser() }] }),
      )
      expect(res.statusCode).toBe(204)
      expect(res.body).toBe('')
    })

    it('PATCH through a tenant URL with a feature flag (?aadOptscim062020) still answers 204', async () => {
      const group = await createGroup()
      const user = await newUser()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}?aadOptscim062020`,
        patch({ op: 'add', path: 'members', value: [{ value: user }] }),
      )
      expect(res.statusCode, res.body).toBe(204)
      expect(await memberRows(group.id)).toEqual([user])
    })

    it('PATCH with excludedAttributes=members answers 200 with the group without members', async () => {
      const group = await createGroup()
      const user = await newUser()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}?excludedAttributes=members`,
        patch({ op: 'Add', path: 'members', value: [{ value: user }] }),
      )
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body.id).toBe(group.id)
      expect(body.displayName).toBe(group.displayName)
      expect(body).not.toHaveProperty('members')
      expect(res.headers.etag).toBe(body.meta.version)
      expect(await memberRows(group.id)).toEqual([user])
    })

    it('PATCH with attributes=displayName answers 200 with only that projection', async () => {
      const group = await createGroup()
      const name = unique('Projected')
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}?attributes=displayName`,
        patch({ op: 'Replace', path: 'displayName', value: name }),
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.id).toBe(group.id)
      expect(body.displayName).toBe(name)
      expect(body).not.toHaveProperty('externalId')
      expect(body).not.toHaveProperty('members')
    })

    it('PATCH with attributes=members answers 200 with the new member list', async () => {
      const [a, b] = await newUsers(2)
      const group = await groupWith([a!])
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}?attributes=members`,
        patch({ op: 'Add', path: 'members', value: [{ value: b }] }),
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.id).toBe(group.id)
      expect((body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(sorted([a!, b!]))
      expect(body).not.toHaveProperty('externalId')
    })
  })

  describe('ETags', () => {
    it('GET sends meta.version as ETag; If-None-Match with it answers 304', async () => {
      const group = await createGroup()
      const res = await t.scim('GET', `/Groups/${group.id}`)
      expect(res.headers.etag).toBe(res.json().meta.version)
      const again = await t.scim('GET', `/Groups/${group.id}`, undefined, {
        'if-none-match': res.headers.etag!,
      })
      expect(again.statusCode).toBe(304)
    })

    it('a member change bumps the version; a stale If-Match is 412 on PATCH, PUT and DELETE', async () => {
      const group = await createGroup()
      const stale = group.meta.version as string
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: await newUser() }] })
      const current = (await getGroup(group.id)).meta.version as string
      expect(current).not.toBe(stale)
      const user = await newUser()
      expectError(
        await t.scim(
          'PATCH',
          `/Groups/${group.id}`,
          patch({ op: 'Add', path: 'members', value: [{ value: user }] }),
          {
            'if-match': stale,
          },
        ),
        412,
      )
      expectError(
        await t.scim('PUT', `/Groups/${group.id}`, entraGroup(unique('Put')), { 'if-match': stale }),
        412,
      )
      expectError(await t.scim('DELETE', `/Groups/${group.id}`, undefined, { 'if-match': stale }), 412)
      expect((await memberRows(group.id)).includes(user)).toBe(false)
      const ok = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ value: user }] }),
        { 'if-match': current },
      )
      expect(ok.statusCode, ok.body).toBe(204)
      expect((await memberRows(group.id)).includes(user)).toBe(true)
    })
  })

  describe('filters and paging', () => {
    it('members eq "<uid>" finds exactly the groups the user is in', async () => {
      const [user, other] = await newUsers(2)
      const g1 = await groupWith([user!, other!])
      const g2 = await groupWith([user!])
      await groupWith([other!])
      const res = await t.scim(
        'GET',
        `/Groups?filter=${q(`members eq "${user}"`)}&excludedAttributes=members`,
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.totalResults).toBe(2)
      expect((body.Resources as { id: string }[]).map((g) => g.id).sort()).toEqual(sorted([g1.id, g2.id]))
    })

    it('members[value eq "<uid>"] finds the same groups', async () => {
      const user = await newUser()
      const g1 = await groupWith([user])
      const res = await t.scim('GET', `/Groups?filter=${q(`members[value eq "${user}"]`)}`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().totalResults).toBe(1)
      expect(res.json().Resources[0].id).toBe(g1.id)
    })

    it('legacy check id eq <gid> and members eq <uid>&attributes=id returns only the id', async () => {
      const [member, outsider] = await newUsers(2)
      const group = await groupWith([member!])
      // Literally as Entra sends it (unquoted ids, + for spaces), and quoted.
      for (const filter of [
        `id+eq+${group.id}+and+members+eq+${member}`,
        q(`id eq "${group.id}" and members eq "${member}"`),
      ]) {
        const res = await t.scim('GET', `/Groups?filter=${filter}&attributes=id`)
        expect(res.statusCode, res.body).toBe(200)
        const body = res.json()
        expect(body.totalResults, filter).toBe(1)
        expect(body.Resources[0].id).toBe(group.id)
        expect(body.Resources[0].displayName).toBeUndefined()
        expect(body.Resources[0].members).toBeUndefined()
      }
      const none = await t.scim(
        'GET',
        `/Groups?filter=id+eq+${group.id}+and+members+eq+${outsider}&attributes=id`,
      )
      expect(none.statusCode).toBe(200)
      expect(none.json()).toEqual(EMPTY_LIST)
    })

    it('startIndex and count page the groups; totalResults counts all matches', async () => {
      const prefix = unique('Paged')
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push((await createGroup(entraGroup(`${prefix}-${i}`))).id)
      const filter = `filter=${q(`displayName sw "${prefix}"`)}&sortBy=displayName`
      const page = (await t.scim('GET', `/Groups?${filter}&startIndex=2&count=2`)).json()
      expect(page.totalResults).toBe(5)
      expect(page.startIndex).toBe(2)
      expect(page.itemsPerPage).toBe(2)
      expect((page.Resources as { displayName: string }[]).map((g) => g.displayName)).toEqual([
        `${prefix}-1`,
        `${prefix}-2`,
      ])
      const last = (await t.scim('GET', `/Groups?${filter}&startIndex=5&count=2`)).json()
      expect(last.totalResults).toBe(5)
      expect(last.Resources).toHaveLength(1)
      const none = (await t.scim('GET', `/Groups?${filter}&count=0`)).json()
      expect(none.totalResults).toBe(5)
      expect(none.Resources).toEqual([])
      const all = (await t.scim('GET', '/Groups?excludedAttributes=members&count=1')).json()
      const { n } = await t.store.db
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('platform_id', '=', t.platformId)
        .executeTakeFirstOrThrow()
      expect(all.totalResults).toBe(Number(n))
      expect(all.Resources).toHaveLength(1)
    })
  })

  describe('project roles', () => {
    it('members get the Editor project role by default', async () => {
      const ids = await newUsers(2)
      const group = await groupWith(ids.slice(0, 1))
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: ids[1] }] })
      expect(await roles(group.id)).toEqual({ [ids[0]!]: 'Editor', [ids[1]!]: 'Editor' })
    })

    it('a group with CustomGroupAttributes projectRole "Admin" makes its members Admins', async () => {
      const [a, b] = await newUsers(2)
      const group = await createGroup({
        ...entraGroup(unique('Admins')),
        schemas: [CORE_GROUP, CUSTOM_GROUP],
        members: [{ value: a }],
        [CUSTOM_GROUP]: { projectRole: 'Admin' },
      })
      expect(group[CUSTOM_GROUP]).toEqual({ projectRole: 'Admin' })
      expect(group.schemas).toContain(CUSTOM_GROUP)
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: b }] })
      expect(await roles(group.id)).toEqual({ [a!]: 'Admin', [b!]: 'Admin' })
    })

    it('changing projectRole by PATCH updates the roles of existing members and of new ones', async () => {
      const [a, b, c] = await newUsers(3)
      const group = await groupWith([a!, b!])
      expect(Object.values(await roles(group.id))).toEqual(['Editor', 'Editor'])
      await patchGroup(group.id, { op: 'Replace', path: `${CUSTOM_GROUP}:projectRole`, value: 'Viewer' })
      expect(await roles(group.id)).toEqual({ [a!]: 'Viewer', [b!]: 'Viewer' })
      expect((await getGroup(group.id))[CUSTOM_GROUP]).toEqual({ projectRole: 'Viewer' })
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: c }] })
      expect((await roles(group.id))[c!]).toBe('Viewer')
      await patchGroup(group.id, { op: 'replace', value: { [CUSTOM_GROUP]: { projectRole: 'Admin' } } })
      expect(await roles(group.id)).toEqual({ [a!]: 'Admin', [b!]: 'Admin', [c!]: 'Admin' })
    })

    it('an invalid projectRole is 400 invalidValue on POST and PATCH, and changes nothing', async () => {
      const post = await t.scim('POST', '/Groups', {
        ...entraGroup(unique('Bad Role')),
        schemas: [CORE_GROUP, CUSTOM_GROUP],
        [CUSTOM_GROUP]: { projectRole: 'Owner' },
      })
      expectError(post, 400, 'invalidValue')
      const user = await newUser()
      const group = await groupWith([user])
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Replace', path: `${CUSTOM_GROUP}:projectRole`, value: 'Owner' }),
      )
      expectError(res, 400, 'invalidValue')
      expect(await roles(group.id)).toEqual({ [user]: 'Editor' })
      expect((await getGroup(group.id))[CUSTOM_GROUP]).toBeUndefined()
    })
  })

  describe('discovery', () => {
    it('/Schemas lists the CustomGroupAttributes extension with projectRole', async () => {
      const res = await t.scim('GET', '/Schemas')
      expect(res.statusCode).toBe(200)
      const schema = (res.json().Resources as { id: string }[]).find((s) => s.id === CUSTOM_GROUP) as any
      expect(schema).toBeDefined()
      expect((schema.attributes as { name: string }[]).map((a) => a.name)).toContain('projectRole')
      const one = await t.scim('GET', `/Schemas/${CUSTOM_GROUP}`)
      expect(one.statusCode).toBe(200)
      expect(one.json().id).toBe(CUSTOM_GROUP)
    })

    it('/ResourceTypes lists the extension on Group', async () => {
      const res = await t.scim('GET', '/ResourceTypes')
      expect(res.statusCode).toBe(200)
      const group = (res.json().Resources as { id: string }[]).find((r) => r.id === 'Group') as any
      expect(group).toMatchObject({ endpoint: '/Groups', schema: CORE_GROUP })
      expect(group.schemaExtensions).toContainEqual({ schema: CUSTOM_GROUP, required: false })
      const one = (await t.scim('GET', '/ResourceTypes/Group')).json()
      expect(one.schemaExtensions).toContainEqual({ schema: CUSTOM_GROUP, required: false })
    })
  })

  describe('provisioning events', () => {
    async function eventsOf(groupId: string) {
      const rows = await t.store.db
        .selectFrom('events')
        .selectAll()
        .where('platform_id', '=', t.platformId)
        .where('resource_id', '=', groupId)
        .orderBy('id')
        .execute()
      return rows.map((r) => ({
        ...r,
        changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes,
      }))
    }

    it('each group write records an event naming the members added and removed', async () => {
      const [a, b, c] = await newUsers(3)
      const group = await groupWith([a!])
      await patchGroup(group.id, {
        op: 'Add',
        path: 'members',
        value: [{ $ref: null, value: b }, { value: c }],
      })
      await patchGroup(group.id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: a }] })
      await patchGroup(group.id, { op: 'Replace', path: 'displayName', value: unique('Evented') })
      expect((await t.scim('DELETE', `/Groups/${group.id}`)).statusCode).toBe(204)
      const events = await eventsOf(group.id)
      expect(events.map((e) => e.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'DELETE'])
      for (const e of events) expect(e.resource_type).toBe('Group')
      const [created, added, removed, renamed] = events
      expect(created!.changes.membersAdded).toEqual([a])
      expect(sorted(added!.changes.membersAdded)).toEqual(sorted([b!, c!]))
      expect(added!.changes.membersRemoved).toBeUndefined()
      expect(removed!.changes.membersRemoved).toEqual([a])
      expect(removed!.changes.membersAdded).toBeUndefined()
      expect(renamed!.changes.attributes).toContain('displayName')
      expect(renamed!.changes.membersAdded).toBeUndefined()
      expect(renamed!.changes.membersRemoved).toBeUndefined()
    })

    it('a no-op member write still records an event, without membersAdded or membersRemoved', async () => {
      const [a, outsider] = await newUsers(2)
      const group = await groupWith([a!])
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: a }] })
      await patchGroup(group.id, { op: 'Remove', path: 'members', value: [{ value: outsider }] })
      const events = await eventsOf(group.id)
      expect(events).toHaveLength(3)
      for (const e of events.slice(1)) {
        expect(e.changes.membersAdded).toBeUndefined()
        expect(e.changes.membersRemoved).toBeUndefined()
      }
    })

    it('an event records the status the client got (204 for a PATCH, 201 for a POST)', async () => {
      const group = await createGroup()
      await patchGroup(group.id, { op: 'Add', path: 'members', value: [{ value: await newUser() }] })
      const events = await eventsOf(group.id)
      expect(events.map((e) => [e.method, e.status])).toEqual([
        ['POST', 201],
        ['PATCH', 204],
      ])
    })

    it('a rejected write records an event with its error status', async () => {
      const group = await createGroup()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ value: randomUUID() }] }),
      )
      expect(res.statusCode).toBe(400)
      // A rejected write is recorded after its response is sent: wait for it.
      await expect
        .poll(async () => (await eventsOf(group.id)).map((e) => [e.method, e.status]), { timeout: 5000 })
        .toEqual([
          ['POST', 201],
          ['PATCH', 400],
        ])
    })
  })
})

describe.each(dialects)('Entra ID Groups with SCIM_DEFAULT_PROJECT_ROLE=Viewer on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { SCIM_DEFAULT_PROJECT_ROLE: 'Viewer' })
  })
  afterAll(() => t.close())

  it('members get the configured Viewer role; a group projectRole still wins', async () => {
    const user = (await createUser(t, plainUser(`${unique('viewer')}@contoso.com`))).id
    const viewers = (
      await t.scim('POST', '/Groups', { ...entraGroup(unique('Viewers')), members: [{ value: user }] })
    ).json()
    const admins = (
      await t.scim('POST', '/Groups', {
        ...entraGroup(unique('Admins')),
        schemas: [CORE_GROUP, CUSTOM_GROUP],
        [CUSTOM_GROUP]: { projectRole: 'Admin' },
      })
    ).json()
    const res = await t.scim(
      'PATCH',
      `/Groups/${admins.id}`,
      patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: user }] }),
    )
    expect(res.statusCode, res.body).toBe(204)
    const rows = await t.store.db
      .selectFrom('project_members')
      .select(['project_id', 'role'])
      .where('user_id', '=', user)
      .execute()
    const byProject = Object.fromEntries(rows.map((r) => [r.project_id, r.role]))
    expect(byProject).toEqual({ [viewers.id]: 'Viewer', [admins.id]: 'Admin' })
  })

  it("the platform's own default role (the console setting) beats the configured one, on POST and on PATCH", async () => {
    await t.store.db.updateTable('platforms').set({ default_project_role: 'Admin' }).execute()
    try {
      const [a, b] = await Promise.all(
        [1, 2].map(async (i) => (await createUser(t, plainUser(`${unique(`p${i}`)}@contoso.com`))).id),
      )
      const group = (
        await t.scim('POST', '/Groups', { ...entraGroup(unique('Platform')), members: [{ value: a }] })
      ).json()
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}`,
        patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: b }] }),
      )
      expect(res.statusCode, res.body).toBe(204)
      const rows = await t.store.db
        .selectFrom('project_members')
        .select(['user_id', 'role'])
        .where('project_id', '=', group.id)
        .execute()
      expect(Object.fromEntries(rows.map((r) => [r.user_id, r.role]))).toEqual({
        [a!]: 'Admin',
        [b!]: 'Admin',
      })
    } finally {
      await t.store.db.updateTable('platforms').set({ default_project_role: null }).execute()
    }
  })
})
