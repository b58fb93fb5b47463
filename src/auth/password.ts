// Console passwords: scrypt with a random salt, compared in constant time. Node's own scrypt, so no
// native dependency; parameters per OWASP's password storage guidance (N=2^15, r=8, p=1).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const N = 1 << 15
const KEY_LENGTH = 32
const MAX_MEMORY = 64 * 1024 * 1024

function derive(password: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: n, r: 8, p: 1, maxmem: MAX_MEMORY },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, N)
  return `scrypt$${N}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, n, salt, key] = stored?.split('$') ?? []
  if (scheme !== 'scrypt' || !n || !salt || !key) {
    // Spend the same time as a real check so an unknown account is not told apart by timing.
    await derive(password, randomBytes(16), N)
    return false
  }
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n))
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
