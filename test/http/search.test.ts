import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

describe.each(dialects)('POST /.search at the root on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
    for (const name of ['ann', 'bob', 'cid'])
      await t.scim('POST', '/Users', { userName: `${name}@acme.test` })
    for (const name of ['Sales', 'Support']) await t.scim('POST', '/Groups', { displayName: name })
  })
  afterAll(() => t.close())

  const search = (body: object) =>
    t.scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body })

  it('without a filter lists users then groups, with the true total', async () => {
    const res = await search({ count: 10 })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.totalResults).toBe(5)
    expect(body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual([
      'User',
      'User',
      'User',
      'Group',
      'Group',
    ])
  })

  it('pages across the two resource types', async () => {
    const body = (await search({ startIndex: 3, count: 2 })).json()
    expect(body).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 })
    expect(body.Resources[0].userName).toBe('cid@acme.test')
    expect(body.Resources[1].displayName).toBe('Sales')
  })

  it('applies a filter to the types that know its attributes', async () => {
    const users = (await search({ filter: 'userName sw "b"' })).json()
    expect(users.Resources.map((r: { userName: string }) => r.userName)).toEqual(['bob@acme.test'])
    const both = (await search({ filter: 'displayName sw "S"', attributes: ['displayName'] })).json()
    expect(both.totalResults).toBe(2)
  })

  it('a filter no type understands is 400 invalidFilter', async () => {
    const res = await search({ filter: 'shoeSize eq 9' })
    expect(res.statusCode).toBe(400)
    expect(res.json().scimType).toBe('invalidFilter')
  })
})
