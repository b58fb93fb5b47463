// One-time links that let the first admin of a platform set their email and password.
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

const TTL_MS = 7 * 24 * 3600 * 1000

const hash = (token: string) => createHash('sha256').update(token).digest('hex')

export async function createSetupToken(
  db: Kysely<Database>,
  platformId: string,
  email: string | null = null,
): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const now = Date.now()
  await db
    .insertInto('setup_tokens')
    .values({
      hash: hash(token),
      platform_id: platformId,
      email,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + TTL_MS).toISOString(),
      used_at: null,
    })
    .execute()
  return token
}

export interface SetupGrant {
  readonly platformId: string
  readonly email: string | null
}

/** The grant of a live (unused, unexpired) token, without using it. */
export async function peekSetupToken(db: Kysely<Database>, token: string): Promise<SetupGrant | undefined> {
  const row = await db
    .selectFrom('setup_tokens')
    .select(['platform_id', 'email'])
    .where('hash', '=', hash(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date().toISOString())
    .executeTakeFirst()
  return row && { platformId: row.platform_id, email: row.email }
}

/** Marks a live token used; returns its grant, or undefined when it was not live. Call inside the transaction that uses it. */
export async function consumeSetupToken(
  db: Kysely<Database>,
  token: string,
): Promise<SetupGrant | undefined> {
  const grant = await peekSetupToken(db, token)
  if (!grant) return undefined
  const result = await db
    .updateTable('setup_tokens')
    .set({ used_at: new Date().toISOString() })
    .where('hash', '=', hash(token))
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1 ? grant : undefined
}
