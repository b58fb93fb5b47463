// ENTRA.md "Transport" on /Users: bearer auth, the tenant URL's quirks (feature-flag query strings,
// `//Users`, trailing `/`), body content types, missing Accept, `+` for spaces, JSON-only answers.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import {
  createUser,
  EMPTY_LIST,
  ERROR,
  entraUser,
  expectError,
  expectScimJson,
  getUser,
  patch,
  SCIM_JSON,
  unique,
} from './fixtures.js'

const email = () => `${unique('Transport')}@testuser.com`

describe.each(dialects)('SCIM transport for Users on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  /** A raw request: exactly the given URL and headers, nothing added. */
  const raw = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    headers = {},
    payload?: string,
  ) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) })
  const auth = () => ({ authorization: `Bearer ${t.secret}` })

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['a wrong key', { authorization: 'Bearer sk-not-a-real-key' }],
      ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ])('GET /Users with %s is 401 JSON with WWW-Authenticate', async (_name, headers) => {
      const res = await raw('GET', `${SCIM}/Users?filter=userName+eq+%22${randomUUID()}%22`, headers)
      expectError(res, 401)
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
      expect(res.body).not.toMatch(/<html/i)
    })

    it('a write with a wrong key is 401 and creates nothing', async () => {
      const userName = email()
      const res = await raw(
        'POST',
        `${SCIM}/Users`,
        { authorization: 'Bearer nope', 'content-type': SCIM_JSON },
        JSON.stringify(entraUser(userName)),
      )
      expectError(res, 401)
      const found = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)
      expect(found.json().totalResults).toBe(0)
    })

    it('the Bearer scheme name is case-insensitive', async () => {
      const res = await raw('GET', `${SCIM}/Users?count=1`, { authorization: `bearer ${t.secret}` })
      expect(res.statusCode).toBe(200)
    })
  })

  describe('tenant URL', () => {
    it('GET /Users?aadOptscim062020 (feature flag on the tenant URL) is ignored', async () => {
      const res = await t.scim('GET', '/Users?aadOptscim062020')
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
    })

    it('the flag next to a filter still filters', async () => {
      const res = await t.scim('GET', `/Users?aadOptscim062020&filter=userName+eq+%22${randomUUID()}%22`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(EMPTY_LIST)
    })

    it('POST, PATCH, GET and DELETE with ?aadOptscim062020 work', async () => {
      const post = await t.scim('POST', '/Users?aadOptscim062020', entraUser(email()))
      expect(post.statusCode, post.body).toBe(201)
      const { id } = post.json()
      const patched = await t.scim(
        'PATCH',
        `/Users/${id}?aadOptscim062020`,
        patch({ op: 'replace', value: { displayName: 'Flagged' } }),
      )
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json().displayName).toBe('Flagged')
      expect((await t.scim('GET', `/Users/${id}?aadOptscim062020`)).json().displayName).toBe('Flagged')
      expect((await t.scim('DELETE', `/Users/${id}?aadOptscim062020`)).statusCode).toBe(204)
    })

    it('unknown query parameters are ignored', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('GET', `/Users/${user.id}?foo=bar&aadOptscim062020=1&x`)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(user)
    })

    it('a tenant URL ending in / gives //Users: list, create, read, patch and delete work', async () => {
      const list = await t.scim('GET', `//Users?filter=userName+eq+%22${randomUUID()}%22`)
      expect(list.statusCode, list.body).toBe(200)
      expect(list.json()).toEqual(EMPTY_LIST)
      const post = await t.scim('POST', '//Users', entraUser(email()))
      expect(post.statusCode, post.body).toBe(201)
      const { id } = post.json()
      expect((await t.scim('GET', `//Users/${id}`)).statusCode).toBe(200)
      const patched = await t.scim(
        'PATCH',
        `//Users/${id}`,
        patch({ op: 'Replace', path: 'title', value: 'T' }),
      )
      expect(patched.statusCode, patched.body).toBe(200)
      expect((await t.scim('DELETE', `//Users/${id}`)).statusCode).toBe(204)
    })

    it('a trailing / on /Users and /Users/{id} is tolerated', async () => {
      const list = await t.scim('GET', `/Users/?filter=userName+eq+%22${randomUUID()}%22`)
      expect(list.statusCode, list.body).toBe(200)
      expect(list.json()).toEqual(EMPTY_LIST)
      const post = await t.scim('POST', '/Users/', entraUser(email()))
      expect(post.statusCode, post.body).toBe(201)
      const { id } = post.json()
      expect((await t.scim('GET', `/Users/${id}/`)).statusCode).toBe(200)
      const patched = await t.scim(
        'PATCH',
        `/Users/${id}/`,
        patch({ op: 'Replace', path: 'title', value: 'T' }),
      )
      expect(patched.statusCode, patched.body).toBe(200)
      expect((await t.scim('DELETE', `/Users/${id}/`)).statusCode).toBe(204)
    })

    it('the resource segment matches case-insensitively (/users)', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim('GET', `/users/${user.id}`)
      expect(res.statusCode).toBe(200)
      expect(res.json().id).toBe(user.id)
    })
  })

  describe('content negotiation', () => {
    it('a GET with no Accept header answers 200 application/scim+json', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await raw('GET', `${SCIM}/Users/${user.id}`, auth())
      expect(res.statusCode).toBe(200)
      expectScimJson(res)
      expect(res.json().id).toBe(user.id)
      const list = await raw('GET', `${SCIM}/Users?filter=userName+eq+%22${randomUUID()}%22`, auth())
      expect(list.statusCode).toBe(200)
      expect(list.json()).toEqual(EMPTY_LIST)
    })

    it.each([
      'application/scim+json',
      'application/json',
      'application/json; charset=utf-8',
      '*/*',
      'text/html',
    ])('a GET with Accept: %s still answers application/scim+json, never 406', async (accept) => {
      const res = await raw('GET', `${SCIM}/Users?count=1`, { ...auth(), accept })
      expect(res.statusCode).toBe(200)
      expectScimJson(res)
    })

    it.each([
      'application/scim+json; charset=utf-8',
      'application/scim+json',
      'application/json',
      'application/json; charset=UTF-8',
      'text/plain',
    ])('a POST body sent as %s is read as JSON, never 415', async (contentType) => {
      const res = await raw(
        'POST',
        `${SCIM}/Users`,
        { ...auth(), 'content-type': contentType },
        JSON.stringify(entraUser(email())),
      )
      expect(res.statusCode, res.body).toBe(201)
      expectScimJson(res)
    })

    it('a PATCH body sent as application/json is read as JSON', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await raw(
        'PATCH',
        `${SCIM}/Users/${user.id}`,
        { ...auth(), 'content-type': 'application/json' },
        JSON.stringify(patch({ op: 'Replace', path: 'displayName', value: 'Json' })),
      )
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().displayName).toBe('Json')
    })

    it('every answer on /Users, errors included, is application/scim+json; charset=utf-8', async () => {
      const user = await createUser(t, entraUser(email()))
      const answers = [
        await t.scim('GET', '/Users?count=1'),
        await t.scim('GET', `/Users/${user.id}`),
        await t.scim('GET', `/Users/${randomUUID()}`),
        await t.scim('GET', '/Users?filter=nope+eq+1'),
        await t.scim('POST', '/Users', entraUser(user.userName)),
        await t.scim('POST', '/Users', '{"userName":'),
        await t.scim('PATCH', `/Users/${user.id}`, patch({ op: 'Replace', path: 'title', value: 'x' })),
        await t.scim('PUT', `/Users/${user.id}`, { ...entraUser(user.userName), title: 'y' }),
        await t.scim('GET', '/Me'),
      ]
      for (const res of answers) {
        expect(res.headers['content-type'], `${res.statusCode} ${res.body}`).toBe(SCIM_JSON)
        expect(res.body).not.toMatch(/<html/i)
        if (res.statusCode >= 400) expect(res.json().schemas).toEqual([ERROR])
      }
    })
  })

  describe('query strings', () => {
    it('+ is a space: filter=userName+eq+%22a%40b.com%22 finds the user', async () => {
      const userName = `${unique('plus')}@b.com`
      const user = await createUser(t, entraUser(userName))
      const res = await t.scim('GET', `/Users?filter=userName+eq+%22${userName.replace('@', '%40')}%22`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().totalResults).toBe(1)
      expect(res.json().Resources[0].id).toBe(user.id)
    })

    it('%20 and + mix in one filter', async () => {
      const userName = `${unique('mix')}@b.com`
      const user = await createUser(t, entraUser(userName))
      const res = await t.scim(
        'GET',
        `/Users?filter=userName%20eq+%22${encodeURIComponent(userName)}%22+and%20active+eq+true`,
      )
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().Resources.map((r: any) => r.id)).toEqual([user.id])
    })

    it('a literal + inside a value must be sent as %2B and is kept', async () => {
      const userName = `${unique('tag')}+scim@b.com`
      const user = await createUser(t, entraUser(userName))
      expect(user.userName).toBe(userName)
      const res = await t.scim('GET', `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`)
      expect(res.json().totalResults).toBe(1)
      expect((await getUser(t, user.id)).userName).toBe(userName)
    })
  })

  it('serves 25 parallel matching queries and creates without error', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        i % 5 === 0
          ? t.scim('POST', '/Users', entraUser(email()))
          : t.scim('GET', `/Users?filter=userName+eq+%22${randomUUID()}%22`),
      ),
    )
    for (const res of results) expect([200, 201], res.body).toContain(res.statusCode)
  })
})
