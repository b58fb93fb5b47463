import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { isPostgres } from './dialect.js'
import { prepare } from './prepared.js'
import type { Database, Platform, ProjectRole } from './schema.js'

export async function createPlatform(db: Kysely<Database>, name: string): Promise<Platform> {
  const now = new Date().toISOString()
  const platform: Platform = {
    id: randomUUID(),
    name,
    default_project_role: null,
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('platforms').values(platform).execute()
  return platform
}

export function listPlatforms(db: Kysely<Database>): Promise<Platform[]> {
  return db.selectFrom('platforms').selectAll().orderBy('created_at').orderBy('id').execute()
}

const platformById = prepare((db, v: { id: string }) =>
  db.selectFrom('platforms').selectAll().where('id', '=', v.id),
)

export async function getPlatform(db: Kysely<Database>, id: string): Promise<Platform | undefined> {
  const { rows } = await db.executeQuery(platformById(db, { id }))
  return rows[0]
}

export async function countPlatforms(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('platforms')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function setDefaultProjectRole(
  db: Kysely<Database>,
  id: string,
  role: ProjectRole | null,
): Promise<void> {
  await db
    .updateTable('platforms')
    .set({ default_project_role: role, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute()
}

/**
 * Locks the platform's row until the transaction ends (PostgreSQL), so that writes that must see
 * each other's outcome, such as two admins demoted at once, queue. SQLite's write lock already does.
 */
export async function lockPlatform(db: Kysely<Database>, id: string): Promise<void> {
  if (isPostgres(db)) await db.selectFrom('platforms').select('id').where('id', '=', id).forUpdate().execute()
}
