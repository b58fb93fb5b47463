// A filter value in single quotes is a client mistake that used to answer 200 with no results, so a
// hand-written client concluded that the user did not exist. It is now 400 invalidFilter, saying that
// strings take double quotes (RFC 7644 §3.4.2.2); bare words (Microsoft's `externalId eq jyoung`) stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError, SEARCH_REQUEST } from '../conformance/fixtures.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

const DOUBLE_QUOTES = /strings in a filter take double quotes \(RFC 7644 §3\.4\.2\.2\)/

describe.each(dialects)('filter values in single quotes on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
    await t.scim('POST', '/Users', { userName: 'bob@example.com', externalId: 'jyoung' })
    await t.scim('POST', '/Groups', { displayName: 'Sales' })
  })
  afterAll(() => t.close())

  const get = (path: string, filter: string) => t.scim('GET', `${path}?filter=${encodeURIComponent(filter)}`)
  const search = (path: string, filter: string) => t.scim('POST', path, { schemas: [SEARCH_REQUEST], filter })

  it.each([
    ['GET /Users', () => get('/Users', "userName eq 'bob@example.com'")],
    ['POST /Users/.search', () => search('/Users/.search', "userName eq 'bob@example.com'")],
    ['GET /Groups', () => get('/Groups', "displayName eq 'Sales'")],
    ['POST /Groups/.search', () => search('/Groups/.search', "displayName eq 'Sales'")],
    ['POST /.search', () => search('/.search', "userName eq 'bob@example.com'")],
  ])('%s answers 400 invalidFilter naming double quotes', async (_name, send) => {
    const res = await send()
    expectError(res, 400, 'invalidFilter')
    expect(res.json().detail).toMatch(DOUBLE_QUOTES)
  })

  it('the same filters in double quotes find the user and the group', async () => {
    expect((await get('/Users', 'userName eq "bob@example.com"')).json().totalResults).toBe(1)
    expect((await search('/Groups/.search', 'displayName eq "Sales"')).json().totalResults).toBe(1)
  })

  it("Microsoft's bare word (externalId eq jyoung) still finds the user", async () => {
    const res = await get('/Users', 'externalId eq jyoung')
    expect(res.statusCode).toBe(200)
    expect(res.json().Resources.map((r: any) => r.userName)).toEqual(['bob@example.com'])
  })

  it('a PATCH path with a single-quoted value is refused as invalidPath, saying why', async () => {
    const { id } = (await get('/Users', 'userName eq "bob@example.com"')).json().Resources[0]
    const res = await t.scim('PATCH', `/Users/${id}`, {
      Operations: [{ op: 'replace', path: "emails[type eq 'work'].value", value: 'b@x.com' }],
    })
    expectError(res, 400, 'invalidPath')
    expect(res.json().detail).toMatch(DOUBLE_QUOTES)
  })
})
