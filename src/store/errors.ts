// Recognises constraint violations of both dialects in one place.
import { uniqueness } from '../scim/errors.js'

/** A unique or primary-key violation: SQLite's SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL's 23505. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** A foreign-key violation: SQLITE_CONSTRAINT_FOREIGNKEY, PostgreSQL's 23503. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}

/** A `.catch` for inserts and updates: a unique-key violation becomes 409 uniqueness naming the value. */
export function rethrowUniqueness(kind: 'user' | 'group', attribute: string, value: unknown) {
  return (error: unknown): never => {
    if (isUniqueViolation(error))
      throw uniqueness(`A ${kind} with ${attribute} "${String(value)}" already exists.`)
    throw error
  }
}
