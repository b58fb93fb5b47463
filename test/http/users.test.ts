// /Users per RFC 7644 beyond what the identity providers exercise: paging, sorting, projection,
// .search, ETags, errors, atomicity, the provisioning log and discovery.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CORE_USER,
  CUSTOM_USER,
  createUser,
  ENTERPRISE,
  entraUser,
  eventCount,
  expectError,
  expectScimJson,
  filterUsers,
  getUser,
  LIST_RESPONSE,
  lastEvent,
  PUBLIC_BASE,
  patch,
  patchUser,
  plainUser,
  SEARCH_REQUEST,
  unique,
  userRow,
  waitForEvents,
} from '../conformance/fixtures.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const MAX_RESULTS = 6
const email = (prefix = 'rfc') => `${unique(prefix)}@example.com`

describe.each(dialects)('SCIM /Users (RFC 7644) on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    // A small page-size cap so the cap is testable; every list below matches fewer users than this.
    t = await createTestApp(dialect, { SCIM_MAX_RESULTS: String(MAX_RESULTS) })
  })
  afterAll(() => t.close())

  /** Five users `<prefix>_1 … _5` created in that order, with family names in reverse order. */
  async function fiveUsers() {
    const prefix = unique('page')
    const users: any[] = []
    for (const [i, family] of ['E', 'D', 'C', 'B', 'A'].entries()) {
      users.push(
        await createUser(
          t,
          plainUser(`${prefix}_${i + 1}@x.com`, { name: { familyName: family, givenName: 'G' } }),
        ),
      )
    }
    return { prefix, users, filter: encodeURIComponent(`userName sw "${prefix}_"`) }
  }
  const ids = (res: { json(): any }) => res.json().Resources.map((r: any) => r.id)

  describe('paging', () => {
    it('startIndex and count page through the matches with the true totalResults', async () => {
      const { users, filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&sortBy=userName&startIndex=2&count=2`)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({
        schemas: [LIST_RESPONSE],
        totalResults: 5,
        startIndex: 2,
        itemsPerPage: 2,
      })
      expect(ids(res)).toEqual([users[1].id, users[2].id])
      const last = await t.scim('GET', `/Users?filter=${filter}&sortBy=userName&startIndex=5&count=2`)
      expect(last.json()).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 })
      expect(ids(last)).toEqual([users[4].id])
    })

    it('a startIndex past the end answers an empty page with the true totalResults', async () => {
      const { filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&startIndex=10&count=2`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        schemas: [LIST_RESPONSE],
        totalResults: 5,
        Resources: [],
        startIndex: 10,
        itemsPerPage: 0,
      })
    })

    it('without sortBy, pages follow a stable order that covers every match once', async () => {
      const { users, filter } = await fiveUsers()
      const seen: string[] = []
      for (const start of [1, 3, 5]) {
        seen.push(...ids(await t.scim('GET', `/Users?filter=${filter}&startIndex=${start}&count=2`)))
      }
      expect(seen.sort()).toEqual(users.map((u) => u.id).sort())
    })

    it('count=0 returns only totalResults with an empty Resources', async () => {
      const { filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&count=0`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        schemas: [LIST_RESPONSE],
        totalResults: 5,
        Resources: [],
        startIndex: 1,
        itemsPerPage: 0,
      })
    })

    it('a userName eq lookup (one row at most) pages like any other filter', async () => {
      const [user] = (await fiveUsers()).users
      const filter = encodeURIComponent(`userName eq "${user.userName.toUpperCase()}"`)
      const page = async (query: string) => (await t.scim('GET', `/Users?filter=${filter}${query}`)).json()
      const found = await page('')
      expect(found).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 })
      expect(found.Resources.map((r: any) => r.id)).toEqual([user.id])
      const empty = { schemas: [LIST_RESPONSE], totalResults: 1, Resources: [], itemsPerPage: 0 }
      expect(await page('&startIndex=2')).toEqual({ ...empty, startIndex: 2 })
      expect(await page('&count=0')).toEqual({ ...empty, startIndex: 1 })
      const none = encodeURIComponent(`userName eq "nobody-${user.userName}"`)
      expect((await t.scim('GET', `/Users?filter=${none}`)).json()).toMatchObject({
        totalResults: 0,
        Resources: [],
      })
    })

    it.each(['0', '-3'])('startIndex=%s is treated as 1', async (startIndex) => {
      const { users, filter } = await fiveUsers()
      const res = await t.scim(
        'GET',
        `/Users?filter=${filter}&sortBy=userName&startIndex=${startIndex}&count=2`,
      )
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ startIndex: 1, totalResults: 5, itemsPerPage: 2 })
      expect(ids(res)).toEqual([users[0].id, users[1].id])
    })

    it('a negative count is read as 0', async () => {
      const { filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&count=-1`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] })
    })

    it('a non-numeric startIndex or count is 400 invalidValue', async () => {
      expectError(await t.scim('GET', '/Users?startIndex=abc'), 400, 'invalidValue')
      expectError(await t.scim('GET', '/Users?count=ten'), 400, 'invalidValue')
    })

    it('a count above the maximum is capped, totalResults stays true', async () => {
      const prefix = unique('cap')
      for (let i = 0; i < MAX_RESULTS + 1; i++) await createUser(t, plainUser(`${prefix}_${i}@x.com`))
      const res = await t.scim(
        'GET',
        `/Users?filter=${encodeURIComponent(`userName sw "${prefix}_"`)}&count=50`,
      )
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        totalResults: MAX_RESULTS + 1,
        itemsPerPage: MAX_RESULTS,
        startIndex: 1,
      })
      expect(res.json().Resources).toHaveLength(MAX_RESULTS)
      const spc = (await t.scim('GET', '/ServiceProviderConfig')).json()
      expect(spc.filter.maxResults).toBe(MAX_RESULTS)
    })

    it('query parameter names are case-insensitive (Filter, STARTINDEX, Count, SortBy, Attributes)', async () => {
      const { users, prefix } = await fiveUsers()
      const filter = encodeURIComponent(`userName sw "${prefix}_"`)
      const res = await t.scim(
        'GET',
        `/Users?Filter=${filter}&STARTINDEX=2&Count=2&SortBy=userName&SORTORDER=descending&Attributes=userName`,
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 })
      expect(ids(res)).toEqual([users[3].id, users[2].id])
      expect(body.Resources[0].name).toBeUndefined()
      const excluded = await t.scim('GET', `/Users?FILTER=${filter}&ExcludedAttributes=name&count=1`)
      expect(excluded.json().Resources[0].name).toBeUndefined()
      expect(excluded.json().Resources[0].userName).toBeDefined()
    })
  })

  describe('sorting', () => {
    it('sortBy=userName ascending and descending', async () => {
      const { users, filter } = await fiveUsers()
      const asc = await t.scim('GET', `/Users?filter=${filter}&sortBy=userName&sortOrder=ascending`)
      expect(ids(asc)).toEqual(users.map((u) => u.id))
      const desc = await t.scim('GET', `/Users?filter=${filter}&sortBy=userName&sortOrder=descending`)
      expect(ids(desc)).toEqual(users.map((u) => u.id).reverse())
    })

    it('sortBy a sub-attribute (name.familyName) defaults to ascending', async () => {
      const { users, filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&sortBy=name.familyName`)
      expect(res.statusCode, res.body).toBe(200)
      expect(ids(res)).toEqual(users.map((u) => u.id).reverse())
    })

    it('sortBy is case-insensitive on the attribute name', async () => {
      const { users, filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&sortBy=USERNAME&sortOrder=descending`)
      expect(ids(res)).toEqual(users.map((u) => u.id).reverse())
    })

    it('an unknown sortOrder is 400 invalidValue', async () => {
      expectError(await t.scim('GET', '/Users?sortBy=userName&sortOrder=sideways'), 400, 'invalidValue')
    })
  })

  describe('projection', () => {
    const projectedUser = () => ({
      ...entraUser(email('proj')),
      title: 'Engineer',
    })

    it('GET /Users/{id}?attributes=userName returns id and userName, not other attributes', async () => {
      const user = await createUser(t, projectedUser())
      const res = await t.scim('GET', `/Users/${user.id}?attributes=userName`)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.id).toBe(user.id)
      expect(body.userName).toBe(user.userName)
      for (const name of ['emails', 'name', 'displayName', 'title', 'active', ENTERPRISE]) {
        expect(body[name], name).toBeUndefined()
      }
    })

    it('attributes selects sub-attributes and extension attributes', async () => {
      const user = await createUser(t, projectedUser())
      const res = await t.scim('GET', `/Users/${user.id}?attributes=name.givenName,${ENTERPRISE}:department`)
      const body = res.json()
      expect(body.name).toEqual({ givenName: 'Joy' })
      expect(body[ENTERPRISE]).toEqual({ department: 'Tour Operations' })
      expect(body.userName).toBeUndefined()
    })

    it('excludedAttributes removes the named attributes and keeps the rest', async () => {
      const user = await createUser(t, projectedUser())
      const res = await t.scim(
        'GET',
        `/Users/${user.id}?excludedAttributes=emails,name.familyName,${ENTERPRISE}`,
      )
      const body = res.json()
      expect(body.emails).toBeUndefined()
      expect(body.name).toEqual({ givenName: 'Joy' })
      expect(body[ENTERPRISE]).toBeUndefined()
      expect(body.userName).toBe(user.userName)
      expect(body.title).toBe('Engineer')
    })

    it('excludedAttributes cannot remove id (returned "always")', async () => {
      const user = await createUser(t, projectedUser())
      const body = (await t.scim('GET', `/Users/${user.id}?excludedAttributes=id,userName`)).json()
      expect(body.id).toBe(user.id)
    })

    it('attributes applies to POST, PUT and PATCH responses', async () => {
      const post = await t.scim('POST', '/Users?attributes=userName', projectedUser())
      expect(post.statusCode, post.body).toBe(201)
      const { id } = post.json()
      expect(post.json().userName).toBeDefined()
      expect(post.json().emails).toBeUndefined()
      expect(post.headers.location).toBe(`${PUBLIC_BASE}/Users/${id}`)

      const put = await t.scim('PUT', `/Users/${id}?attributes=title`, { ...projectedUser(), title: 'Put' })
      expect(put.statusCode, put.body).toBe(200)
      expect(put.json()).toMatchObject({ id, title: 'Put' })
      expect(put.json().userName).toBeUndefined()

      const patched = await t.scim(
        'PATCH',
        `/Users/${id}?attributes=displayName`,
        patch({ op: 'Replace', path: 'displayName', value: 'Patched' }),
      )
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json()).toMatchObject({ id, displayName: 'Patched' })
      expect(patched.json().title).toBeUndefined()
    })

    it('excludedAttributes applies to POST, PUT and PATCH responses', async () => {
      const post = await t.scim('POST', '/Users?excludedAttributes=emails', projectedUser())
      expect(post.statusCode, post.body).toBe(201)
      const { id, userName } = post.json()
      expect(post.json().emails).toBeUndefined()
      expect(userName).toBeDefined()
      const put = await t.scim('PUT', `/Users/${id}?excludedAttributes=name`, {
        ...projectedUser(),
        userName,
      })
      expect(put.json().name).toBeUndefined()
      expect(put.json().emails).toBeDefined()
      const patched = await t.scim(
        'PATCH',
        `/Users/${id}?excludedAttributes=title`,
        patch({ op: 'Replace', path: 'title', value: 'Hidden' }),
      )
      expect(patched.statusCode).toBe(200)
      expect(patched.json().title).toBeUndefined()
      expect((await getUser(t, id)).title).toBe('Hidden')
    })

    it('attributes applies to every resource of a list', async () => {
      const { filter } = await fiveUsers()
      const res = await t.scim('GET', `/Users?filter=${filter}&attributes=userName`)
      for (const r of res.json().Resources) {
        expect(Object.keys(r).filter((k) => !['schemas', 'id', 'userName', 'meta'].includes(k))).toEqual([])
      }
    })
  })

  describe('.search', () => {
    it('POST /Users/.search with a SearchRequest filters, pages, sorts and projects', async () => {
      const { users, prefix } = await fiveUsers()
      const res = await t.scim('POST', '/Users/.search', {
        schemas: [SEARCH_REQUEST],
        filter: `userName sw "${prefix}_"`,
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 2,
        count: 2,
        attributes: ['userName'],
      })
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body).toMatchObject({
        schemas: [LIST_RESPONSE],
        totalResults: 5,
        startIndex: 2,
        itemsPerPage: 2,
      })
      expect(ids(res)).toEqual([users[3].id, users[2].id])
      expect(body.Resources[0].name).toBeUndefined()
      expect(body.Resources[0].userName).toBe(users[3].userName)
    })

    it('POST /Users/.search honours excludedAttributes and writes no event', async () => {
      const { prefix } = await fiveUsers()
      const before = await eventCount(t)
      const res = await t.scim('POST', '/Users/.search', {
        schemas: [SEARCH_REQUEST],
        filter: `userName sw "${prefix}_"`,
        excludedAttributes: ['name'],
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().totalResults).toBe(5)
      for (const r of res.json().Resources) expect(r.name).toBeUndefined()
      expect(await eventCount(t)).toBe(before)
    })

    it('POST /Users/.search with a bad filter is 400 invalidFilter', async () => {
      const res = await t.scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq' })
      expectError(res, 400, 'invalidFilter')
    })

    it('GET /Users/.search is 405', async () => {
      const res = await t.scim('GET', '/Users/.search')
      expectError(res, 405)
    })

    it('POST /.search at the root finds users (resources of every type)', async () => {
      const user = await createUser(t, plainUser(email('root')))
      const res = await t.scim('POST', '/.search', {
        schemas: [SEARCH_REQUEST],
        filter: `userName eq "${user.userName}"`,
      })
      expect(res.statusCode, res.body).toBe(200)
      expectScimJson(res)
      const body = res.json()
      expect(body.schemas).toEqual([LIST_RESPONSE])
      expect(body.totalResults).toBe(1)
      expect(body.Resources[0]).toMatchObject({ id: user.id, meta: { resourceType: 'User' } })
    })
  })

  describe('ETags', () => {
    it('the ETag header equals meta.version, a weak ETag, on GET, POST, PUT and PATCH', async () => {
      const post = await t.scim('POST', '/Users', plainUser(email()))
      const { id } = post.json()
      expect(post.headers.etag).toBe(post.json().meta.version)
      expect(post.json().meta.version).toMatch(/^W\/".+"$/)
      const get = await t.scim('GET', `/Users/${id}`)
      expect(get.headers.etag).toBe(get.json().meta.version)
      const put = await t.scim('PUT', `/Users/${id}`, plainUser(get.json().userName, { title: 'a' }))
      expect(put.headers.etag).toBe(put.json().meta.version)
      const patched = await t.scim(
        'PATCH',
        `/Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'b' }),
      )
      expect(patched.headers.etag).toBe(patched.json().meta.version)
    })

    it('meta.version and meta.lastModified change on every write; meta.created does not', async () => {
      const user = await createUser(t, plainUser(email()))
      const versions = [user.meta.version]
      const modified = [user.meta.lastModified]
      const p1 = await patchUser(t, user.id, { op: 'replace', path: 'title', value: '1' })
      const put = await t.scim('PUT', `/Users/${user.id}`, plainUser(user.userName, { title: '2' }))
      const p2 = await patchUser(t, user.id, { op: 'replace', path: 'active', value: false })
      for (const r of [p1, put.json(), p2]) {
        versions.push(r.meta.version)
        modified.push(r.meta.lastModified)
        expect(r.meta.created).toBe(user.meta.created)
      }
      expect(new Set(versions).size).toBe(4)
      expect(new Set(modified).size).toBe(4)
      expect([...modified].sort()).toEqual(modified)
    })

    it('a list resource carries the same meta.version as the resource read by id', async () => {
      const user = await createUser(t, plainUser(email()))
      const listed = (await filterUsers(t, `id eq "${user.id}"`)).json()
      expect(listed.Resources[0].meta.version).toBe(user.meta.version)
    })

    it('If-None-Match with the current ETag answers 304 with no body; an old one answers 200', async () => {
      const user = await createUser(t, plainUser(email()))
      const same = await t.scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': user.meta.version })
      expect(same.statusCode).toBe(304)
      expect(same.body).toBe('')
      const updated = await patchUser(t, user.id, { op: 'replace', path: 'title', value: 'new' })
      const old = await t.scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': user.meta.version })
      expect(old.statusCode).toBe(200)
      expect(old.json()).toEqual(updated)
    })

    it.each([
      [
        'PATCH',
        (id: string) => [`/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' })] as const,
      ],
      ['PUT', (id: string) => [`/Users/${id}`, plainUser(email(), { title: 'x' })] as const],
      ['DELETE', (id: string) => [`/Users/${id}`, undefined] as const],
    ] as const)('%s with a mismatching If-Match answers 412 and changes nothing', async (method, request) => {
      const user = await createUser(t, plainUser(email()))
      await patchUser(t, user.id, { op: 'replace', path: 'title', value: 'current' })
      const before = await getUser(t, user.id)
      const [path, body] = request(user.id)
      const res = await t.scim(method, path, body, { 'if-match': user.meta.version })
      expectError(res, 412)
      expect(await getUser(t, user.id)).toEqual(before)
    })

    it('PATCH with the current If-Match (or *) succeeds', async () => {
      const user = await createUser(t, plainUser(email()))
      const ok = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'title', value: 'x' }),
        {
          'if-match': user.meta.version,
        },
      )
      expect(ok.statusCode, ok.body).toBe(200)
      const star = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'title', value: 'y' }),
        {
          'if-match': '*',
        },
      )
      expect(star.statusCode, star.body).toBe(200)
    })
  })

  describe('writes', () => {
    it('POST answers 201 with Location equal to the absolute meta.location', async () => {
      const res = await t.scim('POST', '/Users', plainUser(email()))
      expect(res.statusCode).toBe(201)
      const user = res.json()
      expect(user.meta.location).toBe(`https://muster.test/api/v1/scim/v2/Users/${user.id}`)
      expect(res.headers.location).toBe(user.meta.location)
      expect(user.meta.resourceType).toBe('User')
    })

    it('a user created without active reads as active: true (a JSON boolean)', async () => {
      const user = await createUser(t, plainUser(email()))
      expect(user.active).toBe(true)
      expect((await getUser(t, user.id)).active).toBe(true)
    })

    it('PUT replaces the resource: attributes left out are removed, id and created stay', async () => {
      const user = await createUser(t, { ...entraUser(email()), title: 'Old', nickName: 'Nick' })
      const res = await t.scim('PUT', `/Users/${user.id}`, plainUser(user.userName, { title: 'New' }))
      expect(res.statusCode, res.body).toBe(200)
      const read = await getUser(t, user.id)
      expect(res.json()).toEqual(read)
      expect(read.id).toBe(user.id)
      expect(read.title).toBe('New')
      for (const gone of ['nickName', 'emails', 'name', 'displayName', ENTERPRISE]) {
        expect(read[gone], gone).toBeUndefined()
      }
      expect(read.meta.created).toBe(user.meta.created)
    })

    it('externalId collisions are allowed', async () => {
      const externalId = unique('shared')
      const a = await createUser(t, plainUser(email(), { externalId }))
      const b = await createUser(t, plainUser(email(), { externalId }))
      const res = await filterUsers(t, `externalId eq "${externalId}"`)
      expect(res.json().totalResults).toBe(2)
      expect(ids(res).sort()).toEqual([a.id, b.id].sort())
    })

    it.each([
      ['PUT', (u: any, taken: string) => ['PUT', `/Users/${u.id}`, plainUser(taken)] as const],
      [
        'PATCH',
        (u: any, taken: string) =>
          ['PATCH', `/Users/${u.id}`, patch({ op: 'Replace', path: 'userName', value: taken })] as const,
      ],
    ] as const)(
      '%s to a userName held by another user (other case) is 409 uniqueness',
      async (_m, request) => {
        const holder = await createUser(t, plainUser(email('Holder')))
        const user = await createUser(t, plainUser(email()))
        const [method, path, body] = request(user, holder.userName.toUpperCase())
        expectError(await t.scim(method, path, body), 409, 'uniqueness')
        expect(await getUser(t, user.id)).toEqual(user)
      },
    )

    it('a user may change the case of its own userName', async () => {
      const user = await createUser(t, plainUser(email('case')))
      const read = await patchUser(t, user.id, {
        op: 'Replace',
        path: 'userName',
        value: user.userName.toUpperCase(),
      })
      expect(read.userName).toBe(user.userName.toUpperCase())
    })

    it('password is accepted on POST, PUT and PATCH but never returned nor stored in clear', async () => {
      const secrets = [unique('Pw1-'), unique('Pw2-'), unique('Pw3-')]
      const post = await t.scim('POST', '/Users', plainUser(email(), { password: secrets[0] }))
      expect(post.statusCode, post.body).toBe(201)
      const user = post.json()
      const put = await t.scim('PUT', `/Users/${user.id}`, plainUser(user.userName, { password: secrets[1] }))
      expect(put.statusCode, put.body).toBe(200)
      const patched = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'password', value: secrets[2] }),
      )
      expect(patched.statusCode, patched.body).toBe(200)
      const get = await t.scim('GET', `/Users/${user.id}?attributes=password`)
      for (const res of [post, put, patched, get]) {
        expect(res.json().password).toBeUndefined()
        for (const s of secrets) expect(res.body).not.toContain(s)
      }
      const rows = JSON.stringify(await t.store.db.selectFrom('users').selectAll().execute())
      const events = JSON.stringify(await t.store.db.selectFrom('events').selectAll().execute())
      for (const s of secrets) {
        expect(rows).not.toContain(s)
        expect(events).not.toContain(s)
      }
    })

    it('groups on a User is read-only: ignored on POST, 400 mutability on PATCH', async () => {
      const user = await createUser(t, plainUser(email(), { groups: [{ value: randomUUID() }] }))
      expect(user.groups).toBeUndefined()
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'add', path: 'groups', value: [{ value: randomUUID() }] }),
      )
      expectError(res, 400, 'mutability')
    })
  })

  describe('errors', () => {
    it('GET, PUT, PATCH and DELETE of an unknown id are 404 SCIM errors', async () => {
      const id = randomUUID()
      expectError(await t.scim('GET', `/Users/${id}`), 404)
      expectError(await t.scim('PUT', `/Users/${id}`, plainUser(email())), 404)
      expectError(
        await t.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' })),
        404,
      )
      expectError(await t.scim('DELETE', `/Users/${id}`), 404)
    })

    it('GET /Me is 501', async () => {
      expectError(await t.scim('GET', '/Me'), 501)
    })

    it.each([
      'nope eq "x"',
      'name.nope eq "x"',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope eq "x"',
      'emails[nope eq "x"]',
    ])('a filter on an unknown attribute (%s) is 400 invalidFilter', async (filter) => {
      expectError(await filterUsers(t, filter), 400, 'invalidFilter')
    })

    it.each([
      'userName eq',
      'userName xx "a"',
      '(userName eq "a"',
      'userName eq "a" and',
      'userName eq "unterminated',
      'emails[type eq "work"',
      'eq "a"',
    ])('a filter with bad syntax (%s) is 400 invalidFilter', async (filter) => {
      expectError(await filterUsers(t, filter), 400, 'invalidFilter')
    })

    it('malformed JSON is 400 invalidSyntax on POST, PUT and PATCH', async () => {
      const user = await createUser(t, plainUser(email()))
      expectError(await t.scim('POST', '/Users', '{"userName": '), 400, 'invalidSyntax')
      expectError(await t.scim('PUT', `/Users/${user.id}`, '{"userName": '), 400, 'invalidSyntax')
      expectError(await t.scim('PATCH', `/Users/${user.id}`, '{"Operations": ['), 400, 'invalidSyntax')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('a PATCH body that is not a PatchOp (no Operations) is 400', async () => {
      const user = await createUser(t, plainUser(email()))
      expectError(
        await t.scim('PATCH', `/Users/${user.id}`, { op: 'replace', path: 'title', value: 'x' }),
        400,
      )
      expectError(await t.scim('PATCH', `/Users/${user.id}`, '[]'), 400)
    })

    it('an unknown op is 400', async () => {
      const user = await createUser(t, plainUser(email()))
      expectError(
        await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'merge', path: 'title', value: 'x' })),
        400,
      )
    })

    it.each([
      ['id', { op: 'replace', path: 'id', value: randomUUID() }],
      ['meta', { op: 'replace', path: 'meta', value: { resourceType: 'Group' } }],
      ['meta.created', { op: 'replace', path: 'meta.created', value: '2001-01-01T00:00:00Z' }],
      ['remove id', { op: 'remove', path: 'id' }],
    ])('a PATCH of the read-only %s is 400 mutability', async (_name, op) => {
      const user = await createUser(t, plainUser(email()))
      expectError(await t.scim('PATCH', `/Users/${user.id}`, patch(op)), 400, 'mutability')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it.each([
      ['an unknown attribute', { op: 'replace', path: 'nonexistent', value: 'x' }],
      ['an unknown sub-attribute', { op: 'replace', path: 'name.nope', value: 'x' }],
      ['an unknown extension attribute', { op: 'add', path: `${ENTERPRISE}:nope`, value: 'x' }],
      ['a sub-attribute of a simple attribute', { op: 'replace', path: 'userName.value', value: 'x' }],
      ['an unknown schema URN', { op: 'add', path: 'urn:example:nope:1.0:User:x', value: 'x' }],
    ])('a PATCH path that cannot exist (%s) is 400 invalidPath', async (_name, op) => {
      const user = await createUser(t, plainUser(email()))
      expectError(await t.scim('PATCH', `/Users/${user.id}`, patch(op)), 400, 'invalidPath')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('a PATCH path with filter syntax errors is 400 (invalidPath or invalidFilter)', async () => {
      const user = await createUser(t, plainUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'emails[type eq', value: 'x' }),
      )
      expectError(res, 400)
      expect(['invalidPath', 'invalidFilter']).toContain(res.json().scimType)
    })

    it.each([
      ['missing', {}],
      ['empty', { userName: '' }],
      ['blank', { userName: '   ' }],
      ['null', { userName: null }],
      ['not a string', { userName: 42 }],
    ])('POST with a %s userName is 400', async (_name, extra) => {
      const res = await t.scim('POST', '/Users', { schemas: [CORE_USER], displayName: 'No Name', ...extra })
      expectError(res, 400)
    })

    it('PUT without userName and PATCH clearing or removing userName are 400 and change nothing', async () => {
      const user = await createUser(t, plainUser(email()))
      expectError(await t.scim('PUT', `/Users/${user.id}`, { schemas: [CORE_USER], title: 'x' }), 400)
      expectError(
        await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'userName', value: '' })),
        400,
      )
      expectError(await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'remove', path: 'userName' })), 400)
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('a string that is not a boolean for active is 400 invalidValue on POST, PUT and PATCH', async () => {
      const user = await createUser(t, plainUser(email()))
      expectError(
        await t.scim('POST', '/Users', plainUser(email(), { active: 'maybe' })),
        400,
        'invalidValue',
      )
      expectError(
        await t.scim('PUT', `/Users/${user.id}`, plainUser(user.userName, { active: 'maybe' })),
        400,
        'invalidValue',
      )
      expectError(
        await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', value: { active: 'maybe' } })),
        400,
        'invalidValue',
      )
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('a platformRole outside ADMIN, OPERATOR, MEMBER is 400 invalidValue', async () => {
      const user = await createUser(t, plainUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: `${CUSTOM_USER}:platformRole`, value: 'GOD' }),
      )
      expectError(res, 400, 'invalidValue')
    })

    it('a PATCH whose last op fails applies none of its ops (atomic)', async () => {
      const user = await createUser(t, entraUser(email()))
      const before = await getUser(t, user.id)
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch(
          { op: 'Replace', path: 'displayName', value: 'Should not stick' },
          { op: 'Replace', path: 'active', value: 'False' },
          { op: 'Replace', path: 'nonexistent', value: 'x' },
        ),
      )
      expectError(res, 400)
      expect(await getUser(t, user.id)).toEqual(before)
      expect((await userRow(t, user.id))?.status).toBe('ACTIVE')
    })

    it('errors never answer 5xx for anything a client sent', async () => {
      const user = await createUser(t, plainUser(email()))
      const bad: unknown[] = [
        null,
        42,
        '"string"',
        [],
        { Operations: null },
        { Operations: {} },
        { Operations: [null] },
        { Operations: [{ op: 'replace', path: 42, value: 'x' }] },
        { Operations: [{ op: 'replace', path: 'emails', value: 'not-a-list' }] },
        { Operations: [{ op: 'replace', path: 'name', value: 'not-an-object' }] },
        { Operations: [{ op: 'add', path: 'emails[value eq "x"].type', value: { nested: true } }] },
      ]
      for (const body of bad) {
        const res = await t.scim('PATCH', `/Users/${user.id}`, body === null ? 'null' : body)
        expect(res.statusCode, `${JSON.stringify(body)} → ${res.body}`).toBeLessThan(500)
      }
      for (const body of [
        'null',
        '42',
        '[]',
        { userName: { nested: true } },
        { emails: 'x', userName: email() },
      ]) {
        const res = await t.scim('POST', '/Users', body)
        expect(res.statusCode, `${JSON.stringify(body)} → ${res.body}`).toBeLessThan(500)
      }
      expect(await getUser(t, user.id)).toEqual(user)
    })
  })

  describe('provisioning log', () => {
    it('POST records an event with method, status, id and the values set, never the password', async () => {
      const secret = unique('Secret-')
      const user = await createUser(t, { ...entraUser(email()), password: secret })
      // The test before this one ends with rejected POSTs, recorded once answered: name the user.
      const event = await lastEvent(t, user.id)
      expect(event).toMatchObject({
        method: 'POST',
        status: 201,
        resource_type: 'User',
        resource_id: user.id,
      })
      expect(event?.path).toMatch(/\/Users$/)
      expect(JSON.stringify(event?.changes)).toContain('userName')
      expect(event?.changes?.values).toEqual(
        expect.arrayContaining([{ path: 'userName', to: user.userName }]),
      )
      expect(JSON.stringify(event)).not.toContain(secret)
    })

    it('PATCH records an event naming the changed attributes, old → new', async () => {
      const user = await createUser(t, entraUser(email()))
      await patchUser(t, user.id, { op: 'Replace', path: 'displayName', value: 'Logged Value' })
      const event = await lastEvent(t)
      expect(event).toMatchObject({
        method: 'PATCH',
        status: 200,
        resource_type: 'User',
        resource_id: user.id,
      })
      expect(event?.changes?.attributes).toEqual(['displayName'])
      expect(event?.changes?.values).toEqual([
        { path: 'displayName', from: user.displayName, to: 'Logged Value' },
      ])
    })

    it('PUT and DELETE record events', async () => {
      const user = await createUser(t, plainUser(email()))
      await t.scim('PUT', `/Users/${user.id}`, plainUser(user.userName, { title: 'x' }))
      expect(await lastEvent(t)).toMatchObject({ method: 'PUT', status: 200, resource_id: user.id })
      await t.scim('DELETE', `/Users/${user.id}`)
      expect(await lastEvent(t)).toMatchObject({ method: 'DELETE', status: 204, resource_id: user.id })
    })

    it('a PATCH of a password records the attribute name "password" but not the value', async () => {
      const user = await createUser(t, plainUser(email()))
      const secret = unique('Patched-Secret-')
      await patchUser(t, user.id, { op: 'replace', path: 'password', value: secret })
      const event = await lastEvent(t)
      expect(event).toMatchObject({ method: 'PATCH', status: 200, resource_id: user.id })
      expect(JSON.stringify(event)).not.toContain(secret)
    })

    it.each([
      [
        'PATCH 400',
        async (id: string) => t.scim('PATCH', `/Users/${id}`, patch({ op: 'bogus', path: 'x' })),
        400,
      ],
      [
        'PATCH 412',
        async (id: string) =>
          t.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' }), {
            'if-match': 'W/"nope"',
          }),
        412,
      ],
      ['PUT 400', async (id: string) => t.scim('PUT', `/Users/${id}`, { schemas: [CORE_USER] }), 400],
      [
        'DELETE 412',
        async (id: string) => t.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': 'W/"x"' }),
        412,
      ],
    ] as const)(
      'a rejected %s adds an event with its status and resource id',
      async (_name, send, status) => {
        const user = await createUser(t, plainUser(email()))
        const before = await eventCount(t)
        const res = await send(user.id)
        expect(res.statusCode).toBe(status)
        expect(await waitForEvents(t, before + 1)).toBe(before + 1)
        const event = await lastEvent(t)
        expect(event).toMatchObject({ status, resource_type: 'User', resource_id: user.id })
        expect(event?.error).toBeTruthy()
      },
    )

    it('a rejected POST (409, 400) adds an event without the values sent', async () => {
      const holder = await createUser(t, plainUser(email()))
      const before = await eventCount(t)
      const secret = unique('Rejected-Secret-')
      expect(
        (await t.scim('POST', '/Users', plainUser(holder.userName, { password: secret }))).statusCode,
      ).toBe(409)
      expect(await waitForEvents(t, before + 1)).toBe(before + 1)
      expect(await lastEvent(t)).toMatchObject({ method: 'POST', status: 409, resource_type: 'User' })
      expect((await t.scim('POST', '/Users', '{"userName":')).statusCode).toBe(400)
      expect(await waitForEvents(t, before + 2)).toBe(before + 2)
      expect(await lastEvent(t)).toMatchObject({ method: 'POST', status: 400 })
      expect(JSON.stringify(await t.store.db.selectFrom('events').selectAll().execute())).not.toContain(
        secret,
      )
    })

    it('a rejected PATCH of an unknown id (404) adds an event naming that id', async () => {
      const id = randomUUID()
      const before = await eventCount(t)
      expectError(
        await t.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' })),
        404,
      )
      expect(await waitForEvents(t, before + 1)).toBe(before + 1)
      expect(await lastEvent(t)).toMatchObject({ method: 'PATCH', status: 404, resource_id: id })
    })

    it('an empty PATCH still records its event, with no attribute changed', async () => {
      const user = await createUser(t, plainUser(email()))
      const before = await eventCount(t)
      await patchUser(t, user.id)
      expect(await eventCount(t)).toBe(before + 1)
      const event = await lastEvent(t)
      expect(event).toMatchObject({ method: 'PATCH', status: 200, resource_id: user.id })
      expect(event?.changes?.attributes ?? []).toEqual([])
    })

    it('reads (GET, .search) add no event', async () => {
      const user = await createUser(t, plainUser(email()))
      const before = await eventCount(t)
      await t.scim('GET', `/Users/${user.id}`)
      await t.scim('GET', '/Users?count=1')
      await t.scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], count: 1 })
      expect(await eventCount(t)).toBe(before)
    })
  })

  describe('discovery', () => {
    it('ServiceProviderConfig advertises patch, filter, sort and etag, and no bulk', async () => {
      const res = await t.scim('GET', '/ServiceProviderConfig')
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true },
        sort: { supported: true },
        etag: { supported: true },
        changePassword: { supported: false },
      })
      expect(res.json().filter.maxResults).toBeGreaterThan(0)
    })

    it('/Schemas lists User, EnterpriseUser and the platformRole extension', async () => {
      const res = await t.scim('GET', '/Schemas')
      expect(res.statusCode).toBe(200)
      const schemaIds = res.json().Resources.map((s: any) => s.id)
      expect(schemaIds).toEqual(expect.arrayContaining([CORE_USER, ENTERPRISE, CUSTOM_USER]))
      const custom = (await t.scim('GET', `/Schemas/${CUSTOM_USER}`)).json()
      expect(custom.attributes.map((a: any) => a.name)).toContain('platformRole')
      const user = (await t.scim('GET', `/Schemas/${CORE_USER}`)).json()
      const password = user.attributes.find((a: any) => a.name === 'password')
      expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never' })
      const id = user.attributes.find((a: any) => a.name === 'id')
      if (id) expect(id).toMatchObject({ mutability: 'readOnly', returned: 'always' })
    })

    it('/ResourceTypes/User names /Users and both extensions', async () => {
      const res = await t.scim('GET', '/ResourceTypes/User')
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ id: 'User', endpoint: '/Users', schema: CORE_USER })
      const extensions = res.json().schemaExtensions.map((e: any) => e.schema)
      expect(extensions).toEqual(expect.arrayContaining([ENTERPRISE, CUSTOM_USER]))
      const all = (await t.scim('GET', '/ResourceTypes')).json()
      expect(all.Resources.map((r: any) => r.id)).toContain('User')
    })

    it('/Schemas/{unknown} is 404', async () => {
      expectError(await t.scim('GET', '/Schemas/urn:example:nope'), 404)
    })
  })
})
