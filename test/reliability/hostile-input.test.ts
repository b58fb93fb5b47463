// Hostile input: property-based (fast-check, fixed seed) and a corpus of known nasty cases, against
// filters, PATCH bodies, POST/PUT bodies, query parameters and headers. Every answer is a well-formed
// SCIM success or error, never a 5xx, a crash or a hang, and a rejected request changes no stored data.
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dialect } from '../../src/store/database.js'
import { createTestApp, SCIM, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'
import { CORE_GROUP, CORE_USER, ERROR_SCHEMA, PATCH_OP, snapshot } from './helpers.js'

/** fast-check seed: fixed so CI is repeatable; FC_SEED explores others. */
const SEED = Number(process.env.FC_SEED ?? 20_240_601)
const RUNS = Number(process.env.FC_RUNS ?? 250)
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PLATFORM_ROLE = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole'
const HANG_MS = 10_000
/** RELIABILITY_COLLECT=1: record every bad answer and report them all at the end, instead of stopping at the first. */
const COLLECT = process.env.RELIABILITY_COLLECT === '1'
/** Percent-encoding that survives lone surrogates (they become U+FFFD, as a browser would send them). */
const enc = (s: string) => encodeURIComponent((s as string & { toWellFormed(): string }).toWellFormed())

const figures: Record<string, number> = {}

interface Request {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  readonly payload?: string
  readonly headers?: Record<string, string>
}

describe.each(dialects)('hostile input on %s', (dialect: Dialect) => {
  let t: TestApp
  let userId = ''
  let otherUserId = ''
  let groupId = ''
  let sent = 0
  const collected = new Map<string, string>()
  const auth = () => ({ authorization: `Bearer ${t.secret}` })
  const json = { 'content-type': 'application/scim+json; charset=utf-8' }

  beforeAll(async () => {
    t = await createTestApp(dialect, { RATE_LIMIT_PER_SECOND: '0', AUTH_FAILURES_PER_MINUTE: '1000000' })
    const user = await t.scim('POST', '/Users', {
      schemas: [CORE_USER, ENTERPRISE],
      userName: 'victim@hostile.test',
      name: { givenName: 'Vic', familyName: 'Tim' },
      emails: [{ type: 'work', value: 'victim@hostile.test', primary: true }],
      [ENTERPRISE]: { department: 'Ops' },
    })
    userId = user.json().id
    otherUserId = (await t.scim('POST', '/Users', { userName: 'other@hostile.test' })).json().id
    const group = await t.scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Hostile group',
      members: [{ value: userId }],
    })
    groupId = group.json().id
  })
  afterAll(async () => {
    figures[dialect] = sent
    console.log(`[reliability] hostile input ${dialect}: ${sent} requests (${JSON.stringify(figures)})`)
    if (COLLECT)
      console.log(`[reliability] ${collected.size} distinct failures:\n${[...collected.values()].join('\n')}`)
    await t?.close()
  })

  /** Sends a request, bounded in time, and checks the answer's shape. */
  async function send(req: Request): Promise<LightMyRequestResponse> {
    sent++
    const response = t.app.inject({
      method: req.method,
      url: req.url,
      headers: { ...auth(), ...(req.payload === undefined ? {} : json), ...req.headers },
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    })
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS)
    })
    try {
      const res = await Promise.race([response, hang])
      try {
        wellFormed(req, res)
      } catch (error) {
        if (!COLLECT) throw error
        const key = `${req.method} ${res.statusCode} ${res.body.slice(0, 80)} ${req.url.split('?')[0]!.slice(-20)}`
        collected.set(key, (error as Error).message.slice(0, 600))
      }
      return res
    } finally {
      clearTimeout(timer)
    }
  }

  function wellFormed(req: Request, res: LightMyRequestResponse): void {
    const what = `${req.method} ${req.url.slice(0, 300)} ${String(req.payload ?? '').slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`
    expect(res.statusCode, what).toBeLessThan(500)
    if (res.statusCode === 204 || res.statusCode === 304) return
    expect(res.headers['content-type'], what).toBe('application/scim+json; charset=utf-8')
    const body = JSON.parse(res.body)
    if (res.statusCode >= 400) {
      expect(body.schemas, what).toEqual([ERROR_SCHEMA])
      expect(body.status, what).toBe(String(res.statusCode))
      expect(typeof body.detail, what).toBe('string')
      if (res.statusCode === 401) expect(res.headers['www-authenticate'], what).toMatch(/^Bearer/)
    }
  }

  /** Sends; when the request is rejected, the stored data must be exactly as before. */
  async function sendWrite(req: Request): Promise<LightMyRequestResponse> {
    const before = await snapshot(t.store)
    const res = await send(req)
    if (res.statusCode >= 400) {
      expect(
        await snapshot(t.store),
        `${req.method} ${req.url} was rejected (${res.statusCode}) but changed data`,
      ).toBe(before)
    }
    return res
  }

  const property = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, runs = RUNS) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => {
        await run(value)
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    )

  // ---------------------------------------------------------------------------------------------
  // Arbitraries.

  const nastyString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '"',
      '\\',
      '\\"',
      '%',
      '_',
      "'; drop table users; --",
      '\ud800',
      '\udfff\ud800',
      '𝓤𝓷𝓲𝓬𝓸𝓭𝓮',
      'ǅ',
      'İ',
      'ß',
      '\u202e',
      '__proto__',
      'constructor',
      'prototype',
      'x'.repeat(300),
    ),
  )
  const attribute = fc.oneof(
    fc.constantFrom(
      'userName',
      'id',
      'externalId',
      'displayName',
      'title',
      'active',
      'name.givenName',
      'name',
      'emails',
      'emails.value',
      'emails.type',
      'emails.primary',
      'meta.created',
      'meta.lastModified',
      'meta.version',
      'members',
      'members.value',
      'members.display',
      'groups',
      'groups.value',
      `${ENTERPRISE}:department`,
      `${ENTERPRISE}:manager.value`,
      PLATFORM_ROLE,
      '__proto__',
      'constructor.prototype',
      'userName.x.y',
      '$ref',
      'urn:x',
      'a'.repeat(300),
    ),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
  )
  const compareOp = fc.oneof(
    fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Eq', 'pr', 'xx', 'and'),
    fc.string({ maxLength: 4 }),
  )
  const literal = fc.oneof(
    nastyString.map((s) => JSON.stringify(s)),
    fc.double().map((n) => (Number.isFinite(n) ? String(n) : 'NaN')),
    fc.bigInt().map(String),
    fc.constantFrom(
      'true',
      'false',
      'null',
      'True',
      '1e309',
      '-1e309',
      '1e-400',
      '9'.repeat(400),
      'unquoted',
      '"a\\"b"',
      '"a\\u0000"',
      '"\\uZZZZ"',
      '"unterminated',
    ),
  )
  const filter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(attribute, compareOp, literal).map(([a, o, v]) => `${a} ${o} ${v}`),
      attribute.map((a) => `${a} pr`),
      fc
        .tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('f'))
        .map(([l, o, r]) => `${l} ${o} ${r}`),
      tie('f').map((x) => `not (${x})`),
      tie('f').map((x) => `(${x})`),
      fc.tuple(attribute, tie('f')).map(([a, x]) => `${a}[${x}]`),
      fc.tuple(attribute, tie('f'), attribute).map(([a, x, s]) => `${a}[${x}].${s} eq "x"`),
    ),
  })).f
  const anyFilter = fc.oneof(filter, nastyString, fc.string({ unit: 'grapheme-ascii', maxLength: 60 }))

  const hostileKey = fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'schemas',
      'id',
      'meta',
    ),
    attribute,
    fc.string({ maxLength: 10 }),
  )
  const jsonValue = fc.oneof(
    { maxDepth: 4 },
    fc.jsonValue({ maxDepth: 4 }),
    nastyString,
    fc.constantFrom(
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER + 2,
      0.1,
      -0,
      'False',
      'True',
      'maybe',
      null,
      [],
      {},
    ),
  )
  const hostileObject = fc.dictionary(hostileKey, jsonValue, { maxKeys: 8 })

  const patchOperation = fc.record(
    {
      op: fc.oneof(
        fc.constantFrom('add', 'remove', 'replace', 'Add', 'Remove', 'Replace', 'REPLACE', 'move', ''),
        fc.string(),
      ),
      path: fc.oneof(
        attribute,
        filter.map((x) => `emails[${x}].value`),
        filter.map((x) => `members[${x}]`),
        nastyString,
        fc.constant(null),
      ),
      value: fc.oneof(jsonValue, hostileObject, fc.array(hostileObject, { maxLength: 4 })),
    },
    { requiredKeys: ['op'] },
  )
  const patchBody = fc.oneof(
    fc.array(patchOperation, { maxLength: 5 }).map((Operations) => ({ schemas: [PATCH_OP], Operations })),
    hostileObject,
    jsonValue,
  )

  // ---------------------------------------------------------------------------------------------

  it('filters: GET /Users, GET /Groups and the three .search forms', async () => {
    const urls = ['/Users', '/Groups', '/Users/.search', '/Groups/.search', '/.search']
    await property(
      fc.tuple(anyFilter, fc.nat(urls.length - 1)),
      async ([f, i]) => {
        const path = urls[i]!
        if (path.endsWith('.search')) {
          await send({ method: 'POST', url: SCIM + path, payload: JSON.stringify({ filter: f, count: 5 }) })
        } else {
          await send({ method: 'GET', url: `${SCIM}${path}?count=5&filter=${enc(f)}` })
        }
      },
      RUNS * 2,
    )
  })

  it('PATCH bodies on a user and a group change nothing when rejected', async () => {
    await property(fc.tuple(patchBody, fc.boolean()), async ([body, onGroup]) => {
      const url = `${SCIM}/${onGroup ? 'Groups' : 'Users'}/${onGroup ? groupId : userId}`
      await sendWrite({ method: 'PATCH', url, payload: JSON.stringify(body) })
    })
  })

  it('POST and PUT bodies change nothing when rejected', async () => {
    const body = fc.oneof(
      hostileObject,
      fc
        .record({ userName: fc.oneof(nastyString, jsonValue), extra: hostileObject })
        .map(({ userName, extra }) => ({
          ...extra,
          userName,
        })),
      fc.record({
        displayName: fc.oneof(nastyString, jsonValue),
        members: fc.oneof(jsonValue, fc.array(hostileObject)),
      }),
      jsonValue,
    )
    const targets = [
      ['POST', '/Users'],
      ['POST', '/Groups'],
      ['PUT', '/Users/:user'],
      ['PUT', '/Groups/:group'],
    ] as const
    await property(fc.tuple(body, fc.nat(targets.length - 1)), async ([b, i]) => {
      const [method, path] = targets[i]!
      const url = SCIM + path.replace(':user', otherUserId).replace(':group', groupId)
      await sendWrite({ method, url, payload: JSON.stringify(b) })
    })
  })

  it('query parameters, repeated and malformed, on lists and single resources', async () => {
    const names = fc.oneof(
      fc.constantFrom(
        'startIndex',
        'count',
        'filter',
        'sortBy',
        'sortOrder',
        'attributes',
        'excludedAttributes',
        'STARTINDEX',
        'Count',
        '__proto__',
        'constructor',
        '',
      ),
      fc.string({ maxLength: 8 }),
    )
    const values = fc.oneof(
      fc.constantFrom(
        '-1',
        '0',
        '1',
        '1e308',
        '-1e308',
        'NaN',
        'Infinity',
        '0x10',
        '1.5',
        '99999999999999999999',
        '9007199254740993',
        ' ',
        '',
        '%',
        '%00',
        'ascending',
        'DESCENDING',
        'userName',
        'emails.value',
        'members',
        'x'.repeat(10_000),
      ),
      nastyString,
    )
    const params = fc.array(fc.tuple(names, values), { maxLength: 6 })
    const paths = [
      '/Users',
      '/Groups',
      '/Users/:user',
      '/Groups/:group',
      '/Users/nope',
      '/Schemas',
      '/ResourceTypes',
      '/ServiceProviderConfig',
    ]
    await property(fc.tuple(params, fc.nat(paths.length - 1)), async ([list, i]) => {
      const query = list.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')
      const path = paths[i]!.replace(':user', userId).replace(':group', groupId)
      await send({ method: 'GET', url: `${SCIM}${path}?${query}` })
    })
  })

  it('headers: Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id, Accept', async () => {
    const headerValue = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
      fc.constantFrom(
        '',
        ' ',
        '*',
        'W/"1"',
        'W/"999999999999999999999"',
        '"1"',
        'W/',
        ',',
        'W/"1", *',
        'Bearer',
        'Bearer ',
        'bearer sk-',
        'Basic YTpi',
        'x'.repeat(8000),
        'application/xml',
        'text/plain; charset=utf-16',
        'multipart/form-data; boundary=x',
        'application/scim+json; charset=latin1',
      ),
    )
    const names = fc.constantFrom(
      'authorization',
      'content-type',
      'if-match',
      'if-none-match',
      'x-request-id',
      'accept',
      'content-encoding',
      'transfer-encoding',
    )
    const targets: Request[] = [
      { method: 'GET', url: `${SCIM}/Users/:user` },
      { method: 'GET', url: `${SCIM}/Users?filter=userName%20eq%20%22victim%40hostile.test%22` },
      {
        method: 'PATCH',
        url: `${SCIM}/Users/:user`,
        payload: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'H' }] }),
      },
      {
        method: 'PUT',
        url: `${SCIM}/Groups/:group`,
        payload: JSON.stringify({ displayName: 'Hostile group' }),
      },
      { method: 'DELETE', url: `${SCIM}/Users/nope` },
      { method: 'POST', url: `${SCIM}/Users`, payload: '{"userName":' },
    ]
    await property(
      fc.tuple(fc.array(fc.tuple(names, headerValue), { maxLength: 4 }), fc.nat(targets.length - 1)),
      async ([list, i]) => {
        const target = targets[i]!
        const headers: Record<string, string> = {}
        for (const [k, v] of list) if (k !== 'transfer-encoding' && k !== 'content-encoding') headers[k] = v
        // A content-encoding the server cannot read must still be a SCIM 4xx.
        for (const [k, v] of list) if (k === 'content-encoding') headers[k] = v || 'gzip'
        await sendWrite({
          ...target,
          url: target.url.replace(':user', userId).replace(':group', groupId),
          headers,
        })
      },
    )
  })

  it('a corpus of known nasty cases', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
    const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
    const users = `${SCIM}/Users`
    const user = `${SCIM}/Users/${userId}`
    const group = `${SCIM}/Groups/${groupId}`
    const body = (v: unknown) => JSON.stringify(v)
    const op = (...Operations: unknown[]) => body({ schemas: [PATCH_OP], Operations })
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i))
    const corpus: Request[] = [
      // Deep nesting.
      { method: 'POST', url: users, payload: deep(10_000) },
      { method: 'POST', url: users, payload: deepArray(50_000) },
      { method: 'PATCH', url: user, payload: `{"Operations":[{"op":"add","value":${deep(5_000)}}]}` },
      {
        method: 'PATCH',
        url: user,
        payload: `{"Operations":[{"op":"add","path":"title","value":${deepArray(20_000)}}]}`,
      },
      {
        method: 'GET',
        url: `${users}?filter=${enc(`${'('.repeat(2000)}userName pr${')'.repeat(2000)}`)}`,
      },
      {
        method: 'GET',
        url: `${users}?filter=${enc(`${'not ('.repeat(17)}userName pr${')'.repeat(17)}`)}`,
      },
      {
        method: 'GET',
        url: `${users}?filter=${enc(`emails[${'value pr and '.repeat(300)}value pr]`)}`,
      },
      {
        method: 'GET',
        url: `${users}?filter=${enc(many(400, () => 'userName pr').join(' or '))}`,
      },
      // Huge numbers.
      { method: 'POST', url: users, payload: '{"userName":"n1@x.test","x":1e999999}' },
      { method: 'POST', url: users, payload: `{"userName":"n2@x.test","active":${'9'.repeat(5000)}}` },
      { method: 'POST', url: users, payload: body({ userName: 1e308 }) },
      { method: 'GET', url: `${users}?startIndex=1e308` },
      { method: 'GET', url: `${users}?startIndex=99999999999999999999` },
      { method: 'GET', url: `${users}?startIndex=9007199254740993&count=9007199254740993` },
      { method: 'GET', url: `${users}?count=-1&startIndex=-1` },
      { method: 'GET', url: `${users}?count=NaN` },
      { method: 'POST', url: `${SCIM}/.search`, payload: body({ startIndex: 1e308, count: 1e308 }) },
      { method: 'POST', url: `${SCIM}/Groups/.search`, payload: body({ startIndex: -1e308, count: 'NaN' }) },
      { method: 'GET', url: `${users}?filter=${enc('meta.version gt 1e309')}` },
      { method: 'GET', url: `${users}?filter=${enc(`userName gt ${'9'.repeat(1000)}`)}` },
      // Unicode and NUL bytes.
      { method: 'POST', url: users, payload: body({ userName: 'nul\u0000@x.test' }) },
      { method: 'POST', url: users, payload: body({ userName: 'ok-nul@x.test', title: 'a\u0000b' }) },
      { method: 'POST', url: users, payload: '{"userName":"surrogate\\ud800@x.test"}' },
      {
        method: 'POST',
        url: users,
        payload: body({ userName: '𝓤𝓷𝓲𝓬𝓸𝓭𝓮@x.test', displayName: '\u202eevil' }),
      },
      { method: 'POST', url: `${SCIM}/Groups`, payload: body({ displayName: 'g\u0000' }) },
      { method: 'PATCH', url: user, payload: op({ op: 'replace', path: 'title', value: 'x\u0000y' }) },
      { method: 'PATCH', url: group, payload: op({ op: 'replace', path: 'displayName', value: '\u0000' }) },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'add', path: 'members', value: [{ value: 'a\u0000b' }] }),
      },
      { method: 'GET', url: `${users}?filter=${enc('userName eq "a\u0000b"')}` },
      { method: 'GET', url: `${users}?filter=${enc('title eq "a\\u0000b"')}` },
      { method: 'GET', url: `${SCIM}/Groups?filter=${enc('members eq "\u0000"')}` },
      { method: 'GET', url: `${SCIM}/Users/%00` },
      { method: 'GET', url: `${SCIM}/Users/a%00b` },
      { method: 'DELETE', url: `${SCIM}/Groups/%00` },
      { method: 'GET', url: `${SCIM}/Users/%ZZ` },
      { method: 'GET', url: `${SCIM}/Users/%ED%A0%80` },
      { method: 'GET', url: `${users}?filter=%ED%A0%80` },
      { method: 'POST', url: users, payload: '\ufeff{"userName":"bom@x.test"}' },
      // Escaped quotes and broken strings in filters.
      { method: 'GET', url: `${users}?filter=${enc('userName eq "a\\"b"')}` },
      { method: 'GET', url: `${users}?filter=${enc('userName eq "a\\\\"')}` },
      { method: 'GET', url: `${users}?filter=${enc('userName eq "unterminated')}` },
      { method: 'GET', url: `${users}?filter=${enc('userName eq "\\uD800"')}` },
      { method: 'GET', url: `${users}?filter=${enc('userName eq "\\u12"')}` },
      { method: 'GET', url: `${users}?filter=${enc('userName co "%" or userName sw "_"')}` },
      { method: 'GET', url: `${users}?filter=${enc('emails[type eq "work"].value eq "x"')}` },
      { method: 'GET', url: `${users}?filter=${enc('emails[type eq "work"]]')}` },
      { method: 'GET', url: `${users}?filter=${enc('emails[emails[value pr]]')}` },
      // Prototype keys.
      { method: 'POST', url: users, payload: '{"userName":"proto1@x.test","__proto__":{"polluted":true}}' },
      {
        method: 'POST',
        url: users,
        payload: '{"userName":"proto2@x.test","constructor":{"prototype":{"polluted":true}}}',
      },
      {
        method: 'POST',
        url: users,
        payload: '{"userName":"proto3@x.test","name":{"__proto__":{"polluted":true}}}',
      },
      { method: 'PATCH', url: user, payload: op({ op: 'add', path: '__proto__.polluted', value: true }) },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'add', path: 'constructor.prototype.polluted', value: true }),
      },
      {
        method: 'PATCH',
        url: user,
        payload: '{"Operations":[{"op":"add","value":{"__proto__":{"polluted":true}}}]}',
      },
      {
        method: 'PATCH',
        url: user,
        payload: '{"Operations":[{"op":"add","value":{"name":{"__proto__":{"polluted":true}}}}]}',
      },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'replace', path: 'name.__proto__', value: { polluted: true } }),
      },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'replace', path: 'emails[type eq "__proto__"].value', value: 'p@x.test' }),
      },
      {
        method: 'GET',
        url: `${users}?attributes=__proto__,constructor.prototype&excludedAttributes=toString`,
      },
      { method: 'GET', url: `${users}?__proto__=1&constructor=2&hasOwnProperty=3` },
      {
        method: 'POST',
        url: `${SCIM}/.search`,
        payload: '{"__proto__":{"filter":"x"},"filter":"userName pr"}',
      },
      // 10,000-element arrays (the limit) and one more.
      {
        method: 'POST',
        url: users,
        payload: body({ userName: 'arr1@x.test', emails: many(10_000, (i) => ({ value: `${i}@x.test` })) }),
      },
      {
        method: 'POST',
        url: users,
        payload: body({ userName: 'arr2@x.test', emails: many(10_001, (i) => ({ value: `${i}@x.test` })) }),
      },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'add', path: 'members', value: many(10_000, (i) => ({ value: `missing-${i}` })) }),
      },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'add', path: 'members', value: many(10_001, () => ({ value: userId })) }),
      },
      {
        method: 'PATCH',
        url: user,
        payload: op(...many(1_000, () => ({ op: 'replace', path: 'title', value: 'same' }))),
      },
      {
        method: 'PATCH',
        url: user,
        payload: op(...many(1_001, () => ({ op: 'replace', path: 'title', value: 'x' }))),
      },
      {
        method: 'PUT',
        url: group,
        payload: body({ displayName: 'Hostile group', members: many(10_000, () => ({ value: userId })) }),
      },
      {
        method: 'POST',
        url: `${SCIM}/Groups`,
        payload: body({ displayName: 'big', members: many(10_000, (i) => ({ value: String(i) })) }),
      },
      { method: 'GET', url: `${users}?attributes=${many(10_000, () => 'userName').join(',')}` },
      // Very long strings.
      { method: 'POST', url: users, payload: body({ userName: `${'l'.repeat(70_000)}@x.test` }) },
      { method: 'POST', url: users, payload: body({ userName: 'long@x.test', title: 't'.repeat(65_537) }) },
      {
        method: 'POST',
        url: users,
        payload: body({ userName: 'huge@x.test', title: 't'.repeat(2 * 1024 * 1024) }),
      },
      { method: 'GET', url: `${users}?filter=${enc(`userName eq "${'x'.repeat(5_000)}"`)}` },
      { method: 'GET', url: `${SCIM}/Users/${'i'.repeat(10_000)}` },
      { method: 'PATCH', url: user, payload: op({ op: 'replace', path: 'a'.repeat(10_000), value: 1 }) },
      { method: 'GET', url: `${users}?sortBy=${'s'.repeat(10_000)}` },
      // Bodies that are not objects, or not JSON.
      ...[
        'null',
        '[]',
        '"str"',
        '123',
        'true',
        '',
        ' ',
        '{',
        '{"a":1}}',
        '{"a":1,}',
        "{'a':1}",
        'NaN',
        '\u0000',
      ].flatMap((payload): Request[] => [
        { method: 'POST', url: users, payload },
        { method: 'PATCH', url: user, payload },
        { method: 'PUT', url: group, payload },
        { method: 'POST', url: `${SCIM}/.search`, payload },
      ]),
      // PATCH shapes.
      { method: 'PATCH', url: user, payload: op({ op: 'replace', path: 'active', value: 'maybe' }) },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'replace', path: 'emails[type eq "work" and value co "@"].value', value: 1 }),
      },
      { method: 'PATCH', url: user, payload: op({ op: 'remove', path: 'emails[value eq "\\"]' }) },
      { method: 'PATCH', url: user, payload: op({ op: 'replace', path: 'userName', value: '' }) },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'replace', path: 'userName', value: 'OTHER@hostile.test' }),
      },
      { method: 'PATCH', url: user, payload: op({ op: 'add', path: 'id', value: otherUserId }) },
      { method: 'PATCH', url: user, payload: op({ op: 'replace', path: 'meta.version', value: 'W/"1"' }) },
      {
        method: 'PATCH',
        url: user,
        payload: op({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: userId } }),
      },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'replace', path: 'displayName', value: 'hostile GROUP' }),
      },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'add', path: 'members', value: { value: otherUserId, nested: { __proto__: 1 } } }),
      },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'remove', path: 'members[value eq "x" or value pr]' }),
      },
      { method: 'PATCH', url: group, payload: op({ op: 'remove', path: 'members[display co "\u0000"]' }) },
      {
        method: 'PATCH',
        url: group,
        payload: op({ op: 'replace', path: 'members', value: [{ value: userId }, { value: 'ghost' }] }),
      },
    ]
    // Every case runs; the failures are reported together.
    const failures: string[] = []
    for (const req of corpus) {
      try {
        if (req.method === 'GET') await send(req)
        else await sendWrite(req)
      } catch (error) {
        failures.push((error as Error).message.slice(0, 500))
      }
    }
    expect(failures).toEqual([])
    figures[`corpus ${dialect}`] = corpus.length
    // Nothing above reached Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(Object.prototype)).toEqual([])
  })

  it('still serves afterwards: the targets and full lists read back', async () => {
    for (const path of [
      `/Users/${userId}`,
      `/Groups/${groupId}`,
      '/Users?count=1000',
      '/Groups?count=1000',
    ]) {
      const res = await send({ method: 'GET', url: SCIM + path })
      expect(res.statusCode, path).toBe(200)
    }
  })
})
