import { describe, expect, it } from 'vitest'
import { checkRemoteUrl, isLoopbackHost } from './remote-url.js'

describe('issuer and metadata URLs', () => {
  it.each([
    'https://login.microsoftonline.com/t/v2.0',
    'http://127.0.0.1:8080',
    'http://127.9.9.9/',
    'http://[::1]:3000/',
    'http://localhost:9000',
  ])('accepts %s', (url) => expect('url' in checkRemoteUrl(url)).toBe(true))

  it.each([
    'http://idp.example.com',
    'http://10.0.0.1/',
    'ftp://idp.example.com',
    'https://user:pw@idp.example.com',
    'idp.example.com',
  ])('refuses %s with a reason', (url) => expect(checkRemoteUrl(url)).toEqual({ error: expect.any(String) }))

  it('loopback is 127.0.0.0/8 and ::1 only', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('128.0.0.1')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
  })
})
