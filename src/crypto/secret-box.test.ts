import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createSecretBox,
  keyFilePath,
  loadOrCreateKeyFile,
  SecretBoxError,
  secretBoxFor,
} from './secret-box.js'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-box-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32))

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal('client-secret-value', 'oidc:p1')
    expect(sealed).not.toContain('client-secret-value')
    expect(box.open(sealed, 'oidc:p1')).toBe('client-secret-value')
  })

  it('seals the same secret differently each time (fresh nonce)', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'))
  })

  it('refuses a value moved to another context', () => {
    expect(() => box.open(box.seal('s', 'oidc:p1'), 'oidc:p2')).toThrow(SecretBoxError)
  })

  it('refuses a tampered value', () => {
    const sealed = box.seal('secret', 'c')
    const last = sealed.at(-2) === 'A' ? 'B' : 'A'
    expect(() => box.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, 'c')).toThrow(/altered/)
  })

  it('says plainly when a value was sealed under another master key', () => {
    const other = createSecretBox(randomBytes(32))
    expect(() => other.open(box.seal('s', 'c'), 'c')).toThrow(/same ENCRYPTION_KEY/)
  })

  it('uses ENCRYPTION_KEY (hex or base64) when set', () => {
    const key = randomBytes(32)
    const fromHex = secretBoxFor({ DATABASE_URL: 'file::memory:', ENCRYPTION_KEY: key.toString('hex') })
    const fromBase64 = secretBoxFor({ DATABASE_URL: 'file::memory:', ENCRYPTION_KEY: key.toString('base64') })
    expect(fromBase64.open(fromHex.seal('s', 'c'), 'c')).toBe('s')
  })
})

describe('key file', () => {
  it('is created beside the SQLite database with mode 0600, then reused', () => {
    const dir = tempDir()
    const config = { DATABASE_URL: `file:${join(dir, 'muster.db')}` }
    const path = keyFilePath(config)
    expect(path).toBe(join(dir, 'encryption.key'))
    const sealed = secretBoxFor(config).seal('s', 'c')
    expect(statSync(path!).mode & 0o777).toBe(0o600)
    expect(secretBoxFor(config).open(sealed, 'c')).toBe('s')
  })

  it('lives at ENCRYPTION_KEY_FILE when set', () => {
    const file = join(tempDir(), 'keys', 'master.key')
    expect(keyFilePath({ DATABASE_URL: 'postgres://db/x', ENCRYPTION_KEY_FILE: file })).toBe(file)
    const key = loadOrCreateKeyFile(file)
    expect(key).toHaveLength(32)
    expect(loadOrCreateKeyFile(file).equals(key)).toBe(true)
    expect(readFileSync(file, 'utf8').trim()).toBe(key.toString('base64'))
  })

  it('an in-memory database needs no file', () => {
    expect(keyFilePath({ DATABASE_URL: 'file::memory:' })).toBeUndefined()
  })
})
