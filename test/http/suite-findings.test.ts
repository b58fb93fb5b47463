// Findings of independent SCIM test suites (scim2-tester, scim-sanity, Microsoft's Postman
// collection, Okta's spec test), each asserted as the client running the suite would see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import {
  createUser,
  ENTERPRISE,
  enterprise,
  entraUser,
  expectError,
  getUser,
  patch,
  patchUser,
  unique,
  userRow,
} from '../conformance/fixtures.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const email = (prefix = 'suite') => `${unique(prefix)}@example.com`

describe.each(dialects)('independent suite findings on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  describe('a PATCH never re-activates a suspended user by unassigning active', () => {
    it.each([
      ['remove active', { op: 'remove', path: 'active' }],
      ['Remove active (Entra casing)', { op: 'Remove', path: 'active' }],
      ['replace active with null', { op: 'replace', path: 'active', value: null }],
      ['replace active with ""', { op: 'Replace', path: 'active', value: '' }],
      ['add active with null', { op: 'add', path: 'active', value: null }],
      ['path-less replace {active: null}', { op: 'replace', value: { active: null } }],
      ['path-less replace {active: ""}', { op: 'replace', value: { active: '' } }],
    ])('%s on a suspended user is 400 mutability and the user stays suspended', async (_name, op) => {
      const user = await createUser(t, { ...entraUser(email()), active: false })
      const res = await t.scim('PATCH', `/Users/${user.id}`, patch(op))
      expectError(res, 400, 'mutability')
      expect(res.json().detail).toContain('"active"')
      expect(res.json().detail).toContain('true or false')
      expect((await getUser(t, user.id)).active).toBe(false)
      expect((await userRow(t, user.id))?.status).toBe('INACTIVE')
    })

    it('remove active on an active user is refused the same way and changes nothing', async () => {
      const user = await createUser(t, entraUser(email()))
      const res = await t.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'remove', path: 'active' }),
      )
      expectError(res, 400, 'mutability')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('replace active with false and then true still deactivates and re-activates', async () => {
      const user = await createUser(t, entraUser(email()))
      expect((await patchUser(t, user.id, { op: 'replace', path: 'active', value: false })).active).toBe(
        false,
      )
      expect((await patchUser(t, user.id, { op: 'replace', path: 'active', value: true })).active).toBe(true)
    })
  })

  describe('manager.$ref', () => {
    it("is the manager's location under PUBLIC_URL, whichever PUBLIC_URL the server has", async () => {
      const manager = await createUser(t, entraUser(email('mgr')))
      const user = await createUser(t, { ...entraUser(email()), [ENTERPRISE]: { manager: manager.id } })
      expect(enterprise(user)?.manager).toEqual({
        value: manager.id,
        $ref: `https://muster.test/api/v1/scim/v2/Users/${manager.id}`,
      })
      expect(enterprise(user)?.manager.$ref).toBe(manager.meta.location)

      // The same stored user through a server with another PUBLIC_URL, then through one without.
      for (const [publicUrl, base] of [
        ['https://id.example.org/', 'https://id.example.org'],
        [undefined, 'http://scim.internal:8080'],
      ] as const) {
        const config = testConfig(publicUrl ? { PUBLIC_URL: publicUrl } : {})
        const other = await buildApp({ config, store: t.store })
        try {
          const res = await other.inject({
            method: 'GET',
            url: `${SCIM}/Users/${user.id}`,
            headers: { authorization: `Bearer ${t.secret}`, host: 'scim.internal:8080' },
          })
          expect(res.statusCode, res.body).toBe(200)
          const read = res.json()
          expect(read.meta.location).toBe(`${base}/api/v1/scim/v2/Users/${user.id}`)
          expect(enterprise(read)?.manager).toEqual({
            value: manager.id,
            $ref: `${base}/api/v1/scim/v2/Users/${manager.id}`,
          })
        } finally {
          await other.close()
        }
      }
    })

    it('is advertised in /Schemas as returned by default, and it is', async () => {
      const schema = (await t.scim('GET', `/Schemas/${ENTERPRISE}`)).json()
      const manager = schema.attributes.find((a: { name: string }) => a.name === 'manager')
      const ref = manager.subAttributes.find((a: { name: string }) => a.name === '$ref')
      expect(ref.returned).toBe('default')
      const boss = await createUser(t, entraUser(email('mgr')))
      const user = await createUser(t, entraUser(email()))
      const read = await patchUser(t, user.id, {
        op: 'add',
        path: `${ENTERPRISE}:manager`,
        value: { value: boss.id },
      })
      expect(enterprise(read)?.manager.$ref).toBe(boss.meta.location)
    })
  })

  describe('discovery endpoints refuse other methods before reading the body', () => {
    const endpoints = [
      '/ServiceProviderConfig',
      '/ResourceTypes',
      '/ResourceTypes/User',
      '/Schemas',
      `/Schemas/${ENTERPRISE}`,
    ]
    const bodies = [
      ['not JSON', 'this is not JSON', 'text/plain'],
      ['malformed JSON', '{"schemas": [', 'application/scim+json'],
      ['a SCIM resource', JSON.stringify({ schemas: ['x'], id: 'y' }), 'application/json'],
    ] as const
    for (const url of endpoints) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        it.each(bodies)(`${method} ${url} with %s is 405 with Allow: GET`, async (_name, body, type) => {
          const res = await t.scim(method, url, body, { 'content-type': type })
          expectError(res, 405)
          expect(res.headers.allow).toBe('GET')
          expect(res.json().detail).toBe(`${method} is not supported on this endpoint; use GET.`)
        })
      }
    }

    it('an unauthenticated POST is still 401 first: the method is no reason to skip the key', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `${SCIM}/Schemas`,
        headers: { 'content-type': 'text/plain' },
        payload: 'not JSON',
      })
      expectError(res, 401)
    })

    it('a body over the limit to a discovery endpoint is still 405, never 413 or 400', async () => {
      const res = await t.scim('POST', '/ServiceProviderConfig', 'x'.repeat(2 * 1024 * 1024), {
        'content-type': 'text/plain',
      })
      expectError(res, 405)
    })

    it('an unknown path with a body that is not JSON is 404, not 400', async () => {
      expectError(await t.scim('POST', '/Nope', 'not JSON', { 'content-type': 'text/plain' }), 404)
    })
  })

  describe('a value filter in attributes or excludedAttributes is refused, never dropped silently', () => {
    const filtered = 'emails[type eq "work"]'
    const expectRefused = (res: Awaited<ReturnType<TestApp['scim']>>, parameter: string) => {
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain(parameter)
      expect(res.json().detail).toContain(JSON.stringify(filtered))
    }
    const q = (parameter: string, value = filtered) => `${parameter}=${encodeURIComponent(value)}`

    it.each(['attributes', 'excludedAttributes'])(
      'GET /Users/:id?%s=emails[type eq "work"]',
      async (parameter) => {
        const user = await createUser(t, entraUser(email()))
        expectRefused(await t.scim('GET', `/Users/${user.id}?${q(parameter)}`), parameter)
      },
    )

    it.each(['attributes', 'excludedAttributes'])(
      'GET /Users?%s=… and the same on /Groups',
      async (parameter) => {
        expectRefused(await t.scim('GET', `/Users?${q(parameter, `userName,${filtered}`)}`), parameter)
        const groups = await t.scim('GET', `/Groups?${q(parameter, 'members[value eq "x"]')}`)
        expectError(groups, 400, 'invalidValue')
        expect(groups.json().detail).toContain(parameter)
        expect(groups.json().detail).toContain(JSON.stringify('members[value eq "x"]'))
      },
    )

    it('the parameter name is matched in any case, as every SCIM parameter name is', async () => {
      expectRefused(await t.scim('GET', `/Users?${q('ATTRIBUTES')}`), 'attributes')
    })

    it.each(['/Users/.search', '/Groups/.search', '/.search'])(
      'POST %s with the filter in the attributes list of the body',
      async (path) => {
        const res = await t.scim('POST', path, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
          attributes: ['userName', filtered],
        })
        expectRefused(res, 'attributes')
        const excluded = await t.scim('POST', path, { excludedAttributes: filtered })
        expectRefused(excluded, 'excludedAttributes')
      },
    )

    it('POST /Users?attributes=… is refused before the user is created', async () => {
      const userName = email('refused')
      const res = await t.scim('POST', `/Users?${q('attributes')}`, entraUser(userName))
      expectRefused(res, 'attributes')
      const found = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)
      expect(found.json().totalResults).toBe(0)
    })

    it('PUT and PATCH /Users/:id?attributes=… are refused before anything changes', async () => {
      const user = await createUser(t, entraUser(email()))
      const put = await t.scim('PUT', `/Users/${user.id}?${q('attributes')}`, {
        ...entraUser(user.userName),
        displayName: 'Put',
      })
      expectRefused(put, 'attributes')
      const patched = await t.scim(
        'PATCH',
        `/Users/${user.id}?${q('excludedAttributes')}`,
        patch({ op: 'replace', path: 'displayName', value: 'Patched' }),
      )
      expectRefused(patched, 'excludedAttributes')
      expect(await getUser(t, user.id)).toEqual(user)
    })

    it('PATCH and PUT /Groups/:id?excludedAttributes=members[…] are refused before anything changes', async () => {
      const created = await t.scim('POST', '/Groups', { displayName: unique('Refused') })
      const group = created.json()
      const members = 'members[value eq "x"]'
      const res = await t.scim(
        'PATCH',
        `/Groups/${group.id}?${q('excludedAttributes', members)}`,
        patch({ op: 'replace', path: 'displayName', value: 'Renamed' }),
      )
      expectError(res, 400, 'invalidValue')
      expect(res.json().detail).toContain('excludedAttributes')
      const put = await t.scim('PUT', `/Groups/${group.id}?${q('attributes', members)}`, {
        displayName: 'Renamed',
      })
      expectError(put, 400, 'invalidValue')
      const read = (await t.scim('GET', `/Groups/${group.id}`)).json()
      expect(read.displayName).toBe(group.displayName)
      expect(read.meta.version).toBe(group.meta.version)
    })

    it('attributes=emails still returns the emails, and a filter still selects users', async () => {
      const user = await createUser(t, entraUser(email()))
      const read = (await t.scim('GET', `/Users/${user.id}?attributes=emails`)).json()
      expect(read.emails).toEqual(user.emails)
    })
  })

  describe('case-insensitive filters fold Unicode', () => {
    it('name.familyName sw "ÉL" and emails.value co "ÉLODIE" find élodie, on GET and .search', async () => {
      const user = await createUser(t, {
        ...entraUser(email()),
        name: { givenName: 'Marie', familyName: 'élodie' },
        emails: [{ type: 'work', value: `élodie.${unique('u')}@exemple.fr` }],
      })
      for (const filter of [
        `name.familyName sw "ÉL" and id eq "${user.id}"`,
        `emails.value co "ÉLODIE" and id eq "${user.id}"`,
      ]) {
        const res = await t.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)
        expect(res.json().totalResults, filter).toBe(1)
        const search = await t.scim('POST', '/Users/.search', { filter })
        expect(search.json().totalResults, filter).toBe(1)
      }
    })
  })
})
