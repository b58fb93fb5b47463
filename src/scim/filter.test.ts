import { describe, expect, it } from 'vitest'
import { ScimError } from './errors.js'
import { type FilterNode, formatFilter, parseFilter } from './filter.js'

const fmt = (input: string) => formatFilter(parseFilter(input))

function errorOf(input: string, options?: Parameters<typeof parseFilter>[1]): ScimError {
  try {
    parseFilter(input, options)
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError)
    const err = e as ScimError
    expect(err.status).toBe(400)
    expect(err.scimType).toBe('invalidFilter')
    return err
  }
  throw new Error(`expected ${input} to be rejected`)
}

describe('parseFilter: RFC 7644 §3.4.2.2 grammar', () => {
  it('parses every comparison operator, case-insensitively', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      expect(parseFilter(`title ${op.toUpperCase()} "x"`)).toEqual({
        kind: 'compare',
        attribute: 'title',
        op,
        value: 'x',
      })
    }
  })

  it('parses pr', () => {
    expect(parseFilter('title Pr')).toEqual({ kind: 'present', attribute: 'title' })
  })

  it('parses true, false, null and numbers as literals', () => {
    const value = (s: string) => (parseFilter(`a eq ${s}`) as { value: unknown }).value
    expect(value('true')).toBe(true)
    expect(value('False')).toBe(false)
    expect(value('null')).toBe(null)
    expect(value('42')).toBe(42)
    expect(value('-1.5e3')).toBe(-1500)
    expect(value('"true"')).toBe('true')
  })

  it('decodes JSON string escapes', () => {
    const node = parseFilter(String.raw`displayName eq "a\"b\\c\u00e9\n\/"`)
    expect(node).toMatchObject({ value: 'a"b\\cé\n/' })
  })

  it('keeps attribute paths as written, with sub-attributes and URN prefixes', () => {
    expect(parseFilter('name.familyName sw "J"')).toMatchObject({ attribute: 'name.familyName' })
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value'
    expect(parseFilter(`${urn} eq "x"`)).toMatchObject({ attribute: urn })
    expect(parseFilter('members.$ref pr')).toMatchObject({ attribute: 'members.$ref' })
  })

  it('binds and tighter than or, left-associatively', () => {
    expect(fmt('a eq 1 or b eq 2 and c eq 3')).toBe('(a eq 1 or (b eq 2 and c eq 3))')
    expect(fmt('a eq 1 and b eq 2 or c eq 3')).toBe('((a eq 1 and b eq 2) or c eq 3)')
    expect(fmt('a eq 1 or b eq 2 or c eq 3')).toBe('((a eq 1 or b eq 2) or c eq 3)')
    expect(fmt('a eq 1 AND (b eq 2 OR c eq 3)')).toBe('(a eq 1 and (b eq 2 or c eq 3))')
  })

  it('parses not with parentheses', () => {
    expect(fmt('not (a pr) and NOT(b eq "x" or c pr)')).toBe('(not (a pr) and not ((b eq "x" or c pr)))')
  })

  it('parses value paths with logical expressions inside', () => {
    const node = parseFilter('emails[type eq "work" and value co "@x"]')
    expect(node).toEqual({
      kind: 'valuePath',
      attribute: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', attribute: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', attribute: 'value', op: 'co', value: '@x' },
      },
    })
    expect(fmt('userType eq "E" and emails[not (type eq "home") or primary eq true]')).toBe(
      '(userType eq "E" and emails[(not (type eq "home") or primary eq true)])',
    )
  })

  it('parses the RFC 7644 §3.4.2.2 examples', () => {
    const examples = [
      'userName eq "bjensen"',
      'name.familyName co "O\'Malley"',
      'userName sw "J"',
      'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      'title pr',
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      'title pr and userType eq "Employee"',
      'title pr or userType eq "Intern"',
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      'userType eq "Employee" and (emails.type eq "work")',
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    ]
    for (const example of examples) expect(() => parseFilter(example)).not.toThrow()
  })
})

describe('parseFilter: identity-provider leniency', () => {
  it('reads Entra emails[type eq "work"].value eq "x" as one value path', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x@y.com"')).toEqual(
      parseFilter('emails[type eq "work" and value eq "x@y.com"]'),
    )
  })

  it('accepts unquoted string values from Microsoft examples', () => {
    expect(parseFilter('externalId eq jyoung')).toMatchObject({ value: 'jyoung' })
    expect(parseFilter('id eq 6c5bb2b6-1f0e-4a9d and members eq abc')).toMatchObject({
      left: { value: '6c5bb2b6-1f0e-4a9d' },
      right: { value: 'abc' },
    })
    expect(parseFilter('emails[type eq work]')).toMatchObject({ filter: { value: 'work' } })
    // An apostrophe inside a bare word is part of the word.
    expect(parseFilter("name.familyName eq o'brien")).toMatchObject({ value: "o'brien" })
  })

  it('refuses a value in single quotes, saying strings take double quotes', () => {
    const error = errorOf("userName eq 'bob@example.com'")
    expect(error.scimType).toBe('invalidFilter')
    expect(error.message).toBe(
      'The value at position 12 is in single quotes; strings in a filter take double quotes ' +
        '(RFC 7644 §3.4.2.2): write "bob@example.com"',
    )
    expect(errorOf("displayName eq 'Joy Young'").message).toContain('in single quotes')
    expect(errorOf("emails[type eq 'work']").message).toContain('in single quotes')
    expect(errorOf("userName pr and externalId eq 'x'").message).toContain('write "x"')
  })

  it('refuses a value in typographic quotes copied from a document', () => {
    expect(errorOf('userName eq \u201cbob@example.com\u201d').message).toContain(
      'typographic quotes; strings in a filter take double quotes (RFC 7644 §3.4.2.2): write "bob@example.com"',
    )
    expect(errorOf('userName eq \u2018bob\u2019').message).toContain('write "bob"')
  })
})

describe('parseFilter: errors', () => {
  it('points at a missing comparison operator', () => {
    expect(errorOf('userName xx "a"').message).toBe(
      'Expected a comparison operator after "userName" at position 9, found "xx"',
    )
    expect(errorOf('userName').message).toContain('at position 8, found the end of the filter')
  })

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['userName eq "abc', 'Unterminated string starting at position 12'],
    ['userName eq "a\\q"', 'Invalid escape "\\q" in string at position 14'],
    ['userName eq "\\u12"', 'Invalid \\u escape'],
    ['userName eq "a" garbage', 'Unexpected "garbage" at position 16'],
    ['userName eq "a")', 'Unbalanced ")" at position 15'],
    [
      '(userName eq "a"',
      'Expected ")" to close "(" opened at position 0, found the end of the filter at position 16',
    ],
    ['emails[type eq "work"', 'Expected "]" to close "[" opened at position 6'],
    ['emails[type eq "work")', 'found ")" at position 21'],
    ['not userName eq "a"', 'Expected "(" after "not" at position 4'],
    ['userName eq', 'Expected a value after "eq" at position 11'],
    ['userName eq (', 'Expected a value after "eq" at position 12'],
    ['userName eq "a" and', 'Expected an attribute name at position 19'],
    ['userName eq "a" or or b pr', 'Expected an attribute name at position 19, found "or"'],
    ['eq "a"', 'Expected an attribute name at position 0'],
    ['"a" eq "b"', 'Expected an attribute name at position 0'],
    ['1abc eq "b"', '"1abc" at position 0 is not an attribute path'],
    ['name.given.family eq "b"', 'is not an attribute path'],
    ['emails[type[value eq "a"] eq "b"]', 'Nested "[" at position 11'],
    ['emails[name.type eq "a"]', 'is not a sub-attribute name'],
    ['emails[type eq "w"].x.y eq "a"', 'is not a sub-attribute'],
    ['emails[type eq "w"].value', 'Expected a comparison operator after ".value" at position 25'],
    ['()', 'Expected an attribute name at position 1, found ")"'],
  ])('rejects %j', (input, detail) => {
    expect(errorOf(input).message).toContain(detail)
  })

  it('rejects filters longer than maxLength', () => {
    const long = `userName eq "${'a'.repeat(5000)}"`
    expect(errorOf(long).message).toBe(`The filter is ${long.length} characters long; the limit is 4096`)
    expect(errorOf('userName eq "abc"', { maxLength: 10 }).message).toContain('the limit is 10')
  })

  it('rejects nesting deeper than maxDepth', () => {
    const nested = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`
    expect(() => parseFilter(nested(16))).not.toThrow()
    expect(errorOf(nested(17)).message).toBe('The filter nests deeper than 16 levels at position 16')
    expect(errorOf('not (not (a pr))', { maxDepth: 1 }).message).toContain(
      'deeper than 1 levels at position 5',
    )
    expect(errorOf('(emails[type pr])', { maxDepth: 1 }).message).toContain('at position 7')
  })

  it('fails fast on 10,000-level nesting without overflowing the stack', () => {
    const options = { maxLength: 1_000_000 }
    const started = Date.now()
    for (const input of [
      `${'('.repeat(10_000)}a pr${')'.repeat(10_000)}`,
      `${'not ('.repeat(10_000)}a pr${')'.repeat(10_000)}`,
      '('.repeat(10_000),
    ]) {
      expect(errorOf(input, options).message).toContain('deeper than 16 levels')
    }
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('parses long and/or chains without deepening the call stack', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => `id eq "${i}"`).join(' or ')
    const node: FilterNode = parseFilter(chain, { maxLength: 1_000_000 })
    expect(node.kind).toBe('or')
  })

  it('only ever throws invalidFilter on random input', () => {
    const alphabet = ['a', ' ', '(', ')', '[', ']', '"', '\\', 'eq ', 'and ', 'not', '.', ':', 'pr', 'u', '1']
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let n = 0; n < 2000; n++) {
      let input = ''
      for (let k = 0; k < 20; k++) input += alphabet[Math.floor(random() * alphabet.length)]
      try {
        parseFilter(input)
      } catch (e) {
        expect(e).toBeInstanceOf(ScimError)
        expect((e as ScimError).scimType).toBe('invalidFilter')
      }
    }
  })
})
