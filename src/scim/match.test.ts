import { describe, expect, it } from 'vitest'
import { parseFilter } from './filter.js'
import { filterEqualities, matchesFilter } from './match.js'
import { resolveAttribute } from './schemas/index.js'

const emailSubs = resolveAttribute('User', 'emails')!.attribute.subAttributes!
const memberSubs = resolveAttribute('Group', 'members')!.attribute.subAttributes!
const matches = (filter: string, element: unknown, subs = emailSubs) =>
  matchesFilter(parseFilter(filter), element, subs)

describe('matchesFilter', () => {
  const work = { type: 'work', value: 'Joy@X.com', primary: true }

  it('matches eq case-insensitively on caseExact=false sub-attributes', () => {
    expect(matches('type eq "WORK"', work)).toBe(true)
    expect(matches('type eq "home"', work)).toBe(false)
  })

  it('combines and/or/not', () => {
    expect(matches('type eq "work" and value co "@x"', work)).toBe(true)
    expect(matches('type eq "home" or value ew ".COM"', work)).toBe(true)
    expect(matches('not (type eq "work")', work)).toBe(false)
  })

  it('compares booleans and presence', () => {
    expect(matches('primary eq true', work)).toBe(true)
    expect(matches('primary eq "True"', work)).toBe(true)
    expect(matches('primary eq false', work)).toBe(false)
    expect(matches('display pr', work)).toBe(false)
    expect(matches('value pr', work)).toBe(true)
    expect(matches('display eq null', work)).toBe(true)
  })

  it('supports sw and ordering operators', () => {
    expect(matches('value sw "joy"', work)).toBe(true)
    expect(matches('value gt "a"', work)).toBe(true)
    expect(matches('value lt "a"', work)).toBe(false)
    expect(matches('value ne "x"', work)).toBe(true)
  })

  it('member values are case-insensitive ids unless the registry says otherwise', () => {
    expect(matches('value eq "ABC"', { value: 'abc' }, memberSubs)).toBe(true)
  })
})

describe('filterEqualities', () => {
  it('derives the element a filter designates', () => {
    expect(filterEqualities(parseFilter('TYPE eq "work"'), emailSubs)).toEqual({ type: 'work' })
    expect(filterEqualities(parseFilter('type eq "work" and primary eq true'), emailSubs)).toEqual({
      type: 'work',
      primary: true,
    })
  })

  it('is undefined for filters that do not pin values', () => {
    expect(filterEqualities(parseFilter('value co "x"'), emailSubs)).toBeUndefined()
    expect(filterEqualities(parseFilter('type eq "a" or type eq "b"'), emailSubs)).toBeUndefined()
  })
})
