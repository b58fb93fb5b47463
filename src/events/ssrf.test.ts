import { describe, expect, it } from 'vitest'
import { backoffMs } from './backoff.js'
import { classify } from './push.js'
import { checkPushUrl, refusal } from './ssrf.js'

const strict = { allowLoopback: false, allowPrivate: false }

describe('SSRF guard', () => {
  it.each([
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    'fe80::1',
    'ff02::1',
    '::ffff:169.254.169.254',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    'fd12::1',
  ])('refuses %s by default', (address) => {
    expect(refusal(address, strict)).toBeDefined()
  })

  it('lets loopback through only with EVENTS_ALLOW_LOOPBACK, and metadata never', () => {
    const loopback = { allowLoopback: true, allowPrivate: false }
    expect(refusal('127.0.0.1', loopback)).toBeUndefined()
    expect(refusal('::1', loopback)).toBeUndefined()
    expect(refusal('10.0.0.1', loopback)).toBeDefined()
    const all = { allowLoopback: true, allowPrivate: true }
    expect(refusal('10.0.0.1', all)).toBeUndefined()
    expect(refusal('fd00::1', all)).toBeUndefined()
    expect(refusal('169.254.169.254', all)).toBeDefined()
    expect(refusal('::ffff:169.254.169.254', all)).toBeDefined()
  })

  it('accepts public addresses', () => {
    expect(refusal('93.184.216.34', strict)).toBeUndefined()
    expect(refusal('2606:2800:220:1::1', strict)).toBeUndefined()
  })

  it('checks the URL form and the resolved addresses at creation', async () => {
    expect(
      await checkPushUrl('http://169.254.169.254/latest', { allowLoopback: true, allowPrivate: true }),
    ).toMatch(/link-local/)
    expect(await checkPushUrl('https://localhost/events', strict)).toMatch(/loopback/)
    expect(await checkPushUrl('http://127.0.0.1:9/x', strict)).toMatch(/https/)
    expect(
      await checkPushUrl('http://127.0.0.1:9/x', { allowLoopback: true, allowPrivate: false }),
    ).toBeUndefined()
    expect(
      await checkPushUrl('https://user:pw@127.0.0.1/', { allowLoopback: true, allowPrivate: false }),
    ).toMatch(/credentials/)
    expect(await checkPushUrl('ftp://example.com/', strict)).toMatch(/https/)
  })
})

describe('push outcomes (RFC 8935)', () => {
  it('202 is delivered; a 400 with an RFC 8935 error body is refused for good; the rest is retried', () => {
    expect(classify(202, '').outcome).toBe('delivered')
    expect(classify(400, '{"err":"invalid_audience","description":"not ours"}')).toMatchObject({
      outcome: 'refused',
      error: 'invalid_audience: not ours',
    })
    expect(classify(400, 'bad').outcome).toBe('retry')
    expect(classify(200, '').outcome).toBe('retry')
    expect(classify(302, '').outcome).toBe('retry')
    expect(classify(503, '').outcome).toBe('retry')
  })
})

describe('backoff', () => {
  it('doubles up to the maximum and jitters within the upper half of each step', () => {
    expect(backoffMs(0, 300, () => 0)).toBe(500)
    expect(backoffMs(0, 300, () => 1)).toBe(1000)
    expect(backoffMs(3, 300, () => 1)).toBe(8000)
    expect(backoffMs(20, 300, () => 1)).toBe(300_000)
    expect(backoffMs(20, 300, () => 0)).toBe(150_000)
  })
})
