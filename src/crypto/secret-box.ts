// Secrets Muster must read back later (an OIDC client secret, the private keys that sign outgoing
// events) are sealed with AES-256-GCM under one master key before they reach the database, so a
// dump or backup of the database holds none of them in the clear. Each sealed value is bound to what
// it is for (the additional authenticated data), so a value copied into another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

const VERSION = 'v1'
const KEY_BYTES = 32
const IV_BYTES = 12

export interface SecretBox {
  /** Encrypts `plain` for `purpose` (e.g. `oidc-client-secret:<platformId>`). */
  seal(plain: string, purpose: string): string
  /** Decrypts what `seal` returned for the same purpose; throws when the key or purpose differ. */
  open(sealed: string, purpose: string): string
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes`)
  return {
    seal(plain, purpose) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(purpose))
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, data, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.')
    },
    open(sealed, purpose) {
      const [version, iv, data, tag] = sealed.split('.')
      if (version !== VERSION || !iv || data === undefined || !tag) throw new Error('Not a sealed value')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(purpose))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      )
    },
  }
}

/** A 32-byte key written as base64, base64url or hex; undefined when it is not one. */
export function parseMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim()
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64url')
  return key.length === KEY_BYTES ? key : undefined
}

export interface MasterKeySource {
  /** ENCRYPTION_KEY, already validated. */
  readonly key?: string | undefined
  /** Where to keep a generated key when no ENCRYPTION_KEY is given. */
  readonly file: string
}

/**
 * The master key: ENCRYPTION_KEY when set; else the key file, created with a new random key (mode
 * 0600) the first time it is needed. Processes on several machines must share ENCRYPTION_KEY.
 */
export function loadMasterKey({ key, file }: MasterKeySource): Buffer {
  if (key !== undefined) {
    const parsed = parseMasterKey(key)
    if (!parsed) throw new Error('ENCRYPTION_KEY must be 32 bytes, as base64 or hex')
    return parsed
  }
  const path = resolve(file)
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true })
    // `wx`: when two processes start at once, the second fails here and reads the first one's key.
    try {
      writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    chmodSync(path, 0o600)
  }
  const parsed = parseMasterKey(readFileSync(path, 'utf8'))
  if (!parsed) throw new Error(`${path} does not hold a 32-byte key (base64 or hex)`)
  return parsed
}

/** The default key file: next to the SQLite database, or ./data for PostgreSQL. */
export function defaultKeyFile(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return 'data/encryption.key'
  const path = databaseUrl.replace(/^file:/i, '')
  return path === '' || path === ':memory:' ? 'data/encryption.key' : resolve(dirname(path), 'encryption.key')
}

/** A box whose key is loaded when it is first used, so a server that seals nothing makes no key file. */
export function lazySecretBox(source: MasterKeySource): SecretBox {
  let box: SecretBox | undefined
  const get = () => {
    box ??= secretBox(loadMasterKey(source))
    return box
  }
  return {
    seal: (plain, purpose) => get().seal(plain, purpose),
    open: (sealed, purpose) => get().open(sealed, purpose),
  }
}
