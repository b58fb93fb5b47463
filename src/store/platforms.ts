import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
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

export function getPlatform(db: Kysely<Database>, id: string): Promise<Platform | undefined> {
  return db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst()
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
