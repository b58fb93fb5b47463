// Secrets at rest (OIDC client secrets today, event-signing keys next): AES-256-GCM under one master
// key, so a copy of the database alone holds no usable secret. Each sealed value carries a fresh
// 96-bit nonce (NIST SP 800-38D §8.2.2: random nonces are safe far beyond the number of secrets we
// seal) and is bound to a context string (its table, column and owner) through the GCM additional
// data, so a sealed value copied to another row does not open.
//
// The master key comes from ENCRYPTION_KEY, else from a key file that is created on first use with
// mode 0600. Several processes on one PostgreSQL must share ENCRYPTION_KEY: a value sealed by one
// opens nowhere else, and open() says so in words rather than failing obscurely.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { type Config, decodeKey } from '../config.js'
import { dialectOfUrl } from '../store/dialect.js'

export interface SecretBox {
  /** Encrypts `plaintext` for `context` (e.g. `oidc-client-secret:<platformId>`). */
  seal(plaintext: string, context: string): string
  /** Decrypts a value sealed for the same context; throws SecretBoxError otherwise. */
  open(sealed: string, context: string): string
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError'
}

const VERSION = 'v1'

/** A short, non-secret fingerprint of the key: tells "another key" apart from "tampered". */
function keyId(key: Buffer): string {
  return createHash('sha256').update('muster-secret-box').update(key).digest('base64url').slice(0, 8)
}

export function createSecretBox(key: Buffer | (() => Buffer)): SecretBox {
  let loaded: { key: Buffer; id: string } | undefined
  const current = () => {
    if (!loaded) {
      const value = typeof key === 'function' ? key() : key
      if (value.length !== 32) throw new SecretBoxError('The master key must be 32 bytes.')
      loaded = { key: value, id: keyId(value) }
    }
    return loaded
  }
  return {
    seal(plaintext, context) {
      const { key, id } = current()
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return [VERSION, id, iv.toString('base64url'), body.toString('base64url')].join('.')
    },
    open(sealed, context) {
      const { key, id } = current()
      const [version, sealedId, iv, body] = sealed.split('.')
      if (version !== VERSION || !sealedId || !iv || !body)
        throw new SecretBoxError('The stored secret is not in a format this Muster can read.')
      if (sealedId !== id)
        throw new SecretBoxError(
          'The stored secret was encrypted under another master key: every Muster process on this ' +
            'database needs the same ENCRYPTION_KEY.',
        )
      const data = Buffer.from(body, 'base64url')
      if (data.length < 16) throw new SecretBoxError('The stored secret is truncated.')
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(data.subarray(data.length - 16))
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - 16)),
          decipher.final(),
        ]).toString('utf8')
      } catch {
        throw new SecretBoxError('The stored secret does not decrypt: it was altered or belongs elsewhere.')
      }
    },
  }
}

/**
 * Where the key file lives when ENCRYPTION_KEY is unset: ENCRYPTION_KEY_FILE, else beside the SQLite
 * database, else ./data. An in-memory SQLite database gets undefined: its secrets die with the
 * process, so a key kept in memory is enough.
 */
export function keyFilePath(
  config: Pick<Config, 'DATABASE_URL' | 'ENCRYPTION_KEY_FILE'>,
): string | undefined {
  if (config.ENCRYPTION_KEY_FILE) return resolve(config.ENCRYPTION_KEY_FILE)
  if (dialectOfUrl(config.DATABASE_URL) === 'postgres') return resolve('data', 'encryption.key')
  const path = config.DATABASE_URL.replace(/^file:/i, '')
  if (path === '' || path === ':memory:') return undefined
  return join(dirname(resolve(path)), 'encryption.key')
}

/** Reads the key file, or creates it (mode 0600, exclusively, so two processes starting together agree). */
export function loadOrCreateKeyFile(path: string): Buffer {
  try {
    return readKeyFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  mkdirSync(dirname(path), { recursive: true })
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path)
    throw error
  }
  try {
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`)
  } finally {
    closeSync(fd)
  }
  return readKeyFile(path)
}

function readKeyFile(path: string): Buffer {
  const key = decodeKey(readFileSync(path, 'utf8'))
  if (!key) throw new SecretBoxError(`The key file ${path} does not hold a 32-byte key (base64 or hex).`)
  return key
}

/** The box of this configuration; the key is read (or the file created) on first use. */
export function secretBoxFor(
  config: Pick<Config, 'DATABASE_URL' | 'ENCRYPTION_KEY' | 'ENCRYPTION_KEY_FILE'>,
) {
  return createSecretBox(() => {
    if (config.ENCRYPTION_KEY) return decodeKey(config.ENCRYPTION_KEY)!
    const path = keyFilePath(config)
    return path ? loadOrCreateKeyFile(path) : randomBytes(32)
  })
}
