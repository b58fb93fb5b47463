import { describe, expect, it } from 'vitest'
import { isScimPath, requestTarget } from './client-errors.js'

describe('requestTarget', () => {
  it('reads the path of a request line at the start of the packet', () => {
    expect(requestTarget(Buffer.from('GET /api/v1/scim/v2/Users?x=1 HTTP/1.1\r\nHost: a\r\n'))).toBe(
      '/api/v1/scim/v2/Users?x=1',
    )
    expect(requestTarget(Buffer.from('BREW /api/v1/scim/v2/Users HTTP/1.1\r\n'))).toBe(
      '/api/v1/scim/v2/Users',
    )
  })

  it('reads the path of an absolute-form target', () => {
    expect(requestTarget(Buffer.from('GET http://muster.test/api/v1/scim/v2/Groups HTTP/1.1\r\n'))).toBe(
      '/api/v1/scim/v2/Groups',
    )
  })

  it('knows no target when the packet holds no request line', () => {
    expect(requestTarget(undefined)).toBeUndefined()
    expect(requestTarget(Buffer.from('X-Big: aaaa\r\n\r\n'))).toBeUndefined()
    expect(requestTarget(Buffer.from('hello there\r\n\r\n'))).toBeUndefined()
  })
})

describe('isScimPath', () => {
  it('matches the base and below it, in any case and with doubled slashes, like the router', () => {
    expect(isScimPath('/api/v1/scim/v2')).toBe(true)
    expect(isScimPath('/api/v1/scim/v2?aadOptscim062020')).toBe(true)
    expect(isScimPath('/API/V1/SCIM/V2/Users')).toBe(true)
    expect(isScimPath('/api/v1/scim/v2//Users')).toBe(true)
    expect(isScimPath('/api/v1/scim/v20')).toBe(false)
    expect(isScimPath('/api/v1/users')).toBe(false)
  })
})
