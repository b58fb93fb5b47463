import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('loadConfig', () => {
  it('defaults to port 3000, SQLite under ./data and the Editor project role', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'file:./data/muster.db',
      SCIM_DEFAULT_PROJECT_ROLE: 'Editor',
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', PUBLIC_URL: '' }).PORT).toBe(3000)
  })

  it.each([
    [
      'SCIM_DEFAULT_PROJECT_ROLE',
      'Owner',
      /SCIM_DEFAULT_PROJECT_ROLE="Owner": must be one of Admin, Editor, Viewer/,
    ],
    ['PORT', 'eighty', /PORT="eighty"/],
    ['PORT', '70000', /PORT="70000"/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud": must be one of fatal, error/],
    ['PUBLIC_URL', 'not a url', /PUBLIC_URL/],
    ['SQLITE_MMAP_SIZE', '-1', /SQLITE_MMAP_SIZE="-1"/],
    ['SQLITE_MMAP_SIZE', '1GB', /SQLITE_MMAP_SIZE="1GB"/],
  ])('%s=%s stops with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  it('reads SQLITE_MMAP_SIZE in bytes, 0 (no mapping) by default', () => {
    expect(loadConfig({}).SQLITE_MMAP_SIZE).toBe(0)
    expect(loadConfig({ SQLITE_MMAP_SIZE: '4294967296' }).SQLITE_MMAP_SIZE).toBe(4294967296)
  })

  it('drops a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://id.example.com/' }).PUBLIC_URL).toBe('https://id.example.com')
  })
})

describe('ENCRYPTION_KEY', () => {
  it('accepts 32 bytes as hex or base64', () => {
    expect(loadConfig({ ENCRYPTION_KEY: 'ab'.repeat(32) }).ENCRYPTION_KEY).toBe('ab'.repeat(32))
    expect(
      loadConfig({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).ENCRYPTION_KEY,
    ).toBeDefined()
  })

  it('refuses another length and never echoes the value', () => {
    const attempt = () => loadConfig({ ENCRYPTION_KEY: 'short-secret-value' })
    expect(attempt).toThrow(/ENCRYPTION_KEY=\(hidden\): must be 32 bytes/)
    expect(attempt).not.toThrow(/short-secret-value/)
  })
})
