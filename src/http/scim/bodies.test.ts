import { describe, expect, it } from 'vitest'
import { BODY_MAX_CHARS, loggedBody, MAX_DEPTH, REDACTED, redact, TOO_DEEP } from './bodies.js'

describe('bodies kept for the provisioning log', () => {
  it('redacts passwords, secrets and tokens wherever they are, PATCH values under such a path too', () => {
    const body = {
      userName: 'ann@acme.test',
      password: 'p1',
      nested: { client_secret: 's', list: [{ accessToken: 't', keep: 1 }] },
      Operations: [
        { op: 'replace', path: 'password', value: 'p2' },
        { op: 'replace', value: { password: 'p3', displayName: 'Ann' } },
        { op: 'replace', path: 'displayName', value: 'Ann' },
      ],
    }
    expect(redact(body)).toEqual({
      userName: 'ann@acme.test',
      password: REDACTED,
      nested: { client_secret: REDACTED, list: [{ accessToken: REDACTED, keep: 1 }] },
      Operations: [
        { op: 'replace', path: 'password', value: REDACTED },
        { op: 'replace', value: { password: REDACTED, displayName: 'Ann' } },
        { op: 'replace', path: 'displayName', value: 'Ann' },
      ],
    })
  })

  it('keeps no text that is not JSON, nothing for an empty body, and cuts a long one', () => {
    expect(loggedBody('password=hunter2')).toBe('(16 characters that are not JSON, not kept)')
    expect(loggedBody(undefined)).toBeNull()
    expect(loggedBody('')).toBeNull()
    expect(loggedBody('{"password":"x"}')).toBe('{"password":"[redacted]"}')
    const long = loggedBody({ displayName: 'x'.repeat(BODY_MAX_CHARS * 2) })!
    expect(long.length).toBeLessThan(BODY_MAX_CHARS + 100)
    expect(long).toMatch(/cut at 16384 characters\)$/)
  })

  it('replaces what is nested deeper than any SCIM resource instead of walking it', () => {
    let deep: unknown = { password: 'x' }
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const kept = loggedBody(deep)!
    expect(kept).toContain(TOO_DEEP)
    expect(kept.split('{').length - 1).toBe(MAX_DEPTH)
    let list: unknown = []
    for (let i = 0; i < 100_000; i++) list = [list]
    expect(loggedBody(list)).toContain(TOO_DEEP)
  })
})
