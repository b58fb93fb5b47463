// Projects (SCIM Groups). As with users, the resource is stored as written and the columns beside it
// are derived from it as columns.ts declares them; members live in project_members (see members.ts).
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ScimResource } from '../scim/schemas/types.js'
import { changedColumns, projectColumns } from './columns.js'
import type { Store } from './database.js'
import { isPostgres } from './dialect.js'
import { fromJson, toJson } from './json.js'
import { type ListOptions, type Page, readPage } from './page.js'
import { prepare } from './prepared.js'
import type { Database, ProjectRole, ProjectRow } from './schema.js'
import { laterThan } from './users.js'

/** The resource as stored: never an id, meta or members. */
function storedResource(resource: ScimResource): ScimResource {
  const { id: _id, meta: _meta, members: _members, ...rest } = resource
  return rest
}

export async function insertProject(
  db: Kysely<Database>,
  platformId: string,
  resource: ScimResource,
): Promise<ProjectRow> {
  const now = new Date().toISOString()
  const stored = storedResource(resource)
  const row: ProjectRow = {
    id: randomUUID(),
    platform_id: platformId,
    ...projectColumns(stored),
    resource: stored,
    version: 1,
    created_at: now,
    updated_at: now,
  }
  await db
    .insertInto('projects')
    .values({ ...row, resource: toJson(stored) })
    .execute()
  return row
}

const projectById = prepare((db, v: { platformId: string; id: string }) =>
  db.selectFrom('projects').selectAll().where('platform_id', '=', v.platformId).where('id', '=', v.id),
)

const lockedById = prepare((db, v: { platformId: string; id: string }) => {
  const query = db
    .selectFrom('projects')
    .innerJoin('platforms', 'platforms.id', 'projects.platform_id')
    .selectAll('projects')
    .select('platforms.default_project_role as platform_role')
    .where('projects.platform_id', '=', v.platformId)
    .where('projects.id', '=', v.id)
  // SQLite has no row locks; its transactions already hold the write lock (begin immediate).
  return isPostgres(db) ? query.forUpdate('projects') : query
})

export interface LockedProject {
  readonly project: ProjectRow
  /** The platform's default role for new members (null: the configured default). */
  readonly platformRole: ProjectRole | null
}

/**
 * A project read for a write in this transaction (its row locked on PostgreSQL), with its platform's
 * default member role from the same statement.
 */
export async function lockProject(
  db: Kysely<Database>,
  platformId: string,
  id: string,
): Promise<LockedProject | undefined> {
  const [row] = (await db.executeQuery(lockedById(db, { platformId, id }))).rows
  if (!row) return undefined
  const { platform_role: platformRole, ...project } = row
  return { project: { ...project, resource: fromJson(project.resource) }, platformRole }
}

export async function getProject(
  db: Kysely<Database>,
  platformId: string,
  id: string,
): Promise<ProjectRow | undefined> {
  const [row] = (await db.executeQuery(projectById(db, { platformId, id }))).rows
  return row && { ...row, resource: fromJson(row.resource) }
}

/** Writes a changed resource as a new version. */
export async function updateProject(
  db: Kysely<Database>,
  row: ProjectRow,
  resource: ScimResource,
): Promise<ProjectRow> {
  const stored = storedResource(resource)
  const columns = projectColumns(stored)
  const next: ProjectRow = {
    ...row,
    ...columns,
    resource: stored,
    version: row.version + 1,
    updated_at: laterThan(row.updated_at),
  }
  await db
    .updateTable('projects')
    .set({
      ...changedColumns(row, columns),
      resource: toJson(stored),
      version: next.version,
      updated_at: next.updated_at,
    })
    .where('id', '=', row.id)
    .execute()
  return next
}

/** A new version without a change to the resource: its members changed. */
const setProjectVersion = prepare((db, v: { id: string; version: number; updated_at: string }) =>
  db.updateTable('projects').set({ version: v.version, updated_at: v.updated_at }).where('id', '=', v.id),
)

/** The row as its next version, with a modification time after the current one. */
export function nextVersion(row: ProjectRow): ProjectRow {
  return { ...row, version: row.version + 1, updated_at: laterThan(row.updated_at) }
}

export async function bumpProjectVersion(db: Kysely<Database>, row: ProjectRow): Promise<ProjectRow> {
  const next = nextVersion(row)
  await db.executeQuery(setProjectVersion(db, next))
  return next
}

/** Deletes a project and (by cascade) its memberships; users stay. Returns false when absent. */
export async function deleteProject(db: Kysely<Database>, platformId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('projects')
    .where('platform_id', '=', platformId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** One page of a platform's projects and the number of all matches. */
export function listProjects(
  store: Pick<Store, 'db' | 'read'>,
  platformId: string,
  options: ListOptions,
): Promise<Page<ProjectRow>> {
  return readPage<ProjectRow>(store, 'projects', platformId, options)
}

/**
 * The projects without a role of their own that have members following the platform default whose
 * role is not `role` (those a change of the default to `role` changes).
 */
export async function projectsFollowingDefault(
  db: Kysely<Database>,
  platformId: string,
  role: ProjectRole,
): Promise<ProjectRow[]> {
  const rows = await db
    .selectFrom('projects')
    .selectAll()
    .where('platform_id', '=', platformId)
    .where('project_role', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('project_members')
          .select('project_members.user_id')
          .whereRef('project_members.project_id', '=', 'projects.id')
          .where('project_members.role_explicit', '=', 0)
          .where('project_members.role', '<>', role),
      ),
    )
    .orderBy('id')
    .execute()
  return rows.map((r) => ({ ...r, resource: fromJson(r.resource) }))
}
