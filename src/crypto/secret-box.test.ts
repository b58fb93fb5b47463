import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultKeyFile, loadMasterKey, parseMasterKey, secretBox } from './secret-box.js'

describe('secret box', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const key = Buffer.alloc(32, 7)

  it('seals a value that opens only with the same key and purpose', () => {
    const box = secretBox(key)
    const sealed = box.seal('client-secret-123', 'oidc:p1')
    expect(sealed).not.toContain('client-secret-123')
    expect(box.open(sealed, 'oidc:p1')).toBe('client-secret-123')
    expect(() => box.open(sealed, 'oidc:p2')).toThrow()
    expect(() => secretBox(Buffer.alloc(32, 8)).open(sealed, 'oidc:p1')).toThrow()
    expect(box.seal('x', 'p')).not.toBe(box.seal('x', 'p'))
  })

  it('reads ENCRYPTION_KEY as hex or base64, and refuses other lengths', () => {
    expect(parseMasterKey(key.toString('hex'))).toEqual(key)
    expect(parseMasterKey(key.toString('base64'))).toEqual(key)
    expect(parseMasterKey('short')).toBeUndefined()
    expect(() => loadMasterKey({ key: 'short', file: '/nonexistent' })).toThrow(/32 bytes/)
  })

  it('creates a key file once, readable by its owner only, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-key-'))
    dirs.push(dir)
    const file = join(dir, 'sub', 'encryption.key')
    const first = loadMasterKey({ file })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadMasterKey({ file })).toEqual(first)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64url'))
  })

  it('keeps the key file beside the SQLite database', () => {
    expect(defaultKeyFile('file:/var/lib/muster/muster.db')).toBe('/var/lib/muster/encryption.key')
    expect(defaultKeyFile('postgres://db/muster')).toBe('data/encryption.key')
  })
})
