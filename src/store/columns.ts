// The columns kept beside each resource's JSON, declared once per resource type. Each row says which
// SCIM attribute the column holds and how a write derives it from the resource. From this table:
// - users.ts and projects.ts derive the columns on every write (`derivedColumns`);
// - filters and sortBy reach an attribute through its column instead of the JSON (`columnFor`);
// - a filter that is one `eq` on a key column is read by a prepared lookup (`keyColumnFor`).
// Attributes without a row are read from the JSON (filter-targets.ts); `active`, `meta` and the
// membership attributes have shapes of their own there.
import { CUSTOM_GROUP_SCHEMA, CUSTOM_USER_SCHEMA } from '../scim/schemas/index.js'
import type { ResourceTypeName, ScimResource } from '../scim/schemas/types.js'
import { foldText } from './fold.js'
import type { PlatformRole, ProjectRole, ProjectRow, UserRow, UserStatus } from './schema.js'

/** An indexed column that a filter can match by plain equality (see `keyMatch` in filter-sql.ts). */
export type KeyColumn = 'id' | 'external_id' | 'email_key' | 'display_key'

export interface ColumnDef<Row> {
  readonly column: keyof Row & string
  /**
   * The attribute the column holds, as a filter names it: `userName`, `meta.created`, or an
   * extension's `urn:…:platformRole`. None: the column is only shown (the JSON answers filters).
   */
  readonly attribute?: string
  /** Its value from the resource, on every write. None: written otherwise (id, times). */
  readonly derive?: (resource: ScimResource) => Row[keyof Row & string]
  /**
   * How an `eq` filter on the attribute can be a key lookup on an indexed column: 'fold' when the
   * column holds the folded value (unique per platform; the value is folded the same way), 'exact'
   * when the schema compares it case-exactly.
   */
  readonly key?: 'fold' | 'exact'
  /** The key holds at most one row per platform (a primary key or a unique index). */
  readonly unique?: true
}

const text = (value: unknown) => (typeof value === 'string' ? value : null)
const extension = (resource: ScimResource, urn: string) => (resource[urn] ?? {}) as Record<string, unknown>
const nameOf = (resource: ScimResource) => (resource.name ?? {}) as Record<string, unknown>

const PLATFORM_ROLES: readonly PlatformRole[] = ['ADMIN', 'OPERATOR', 'MEMBER']
const PROJECT_ROLES: readonly ProjectRole[] = ['Admin', 'Editor', 'Viewer']

/** The normalised key that makes userName unique and findable case-insensitively. */
export function emailKey(email: string): string {
  return foldText(email)
}

/** The normalised key that makes a display name unique and findable case-insensitively. */
export function displayKey(name: string): string {
  return foldText(name)
}

export const USER_COLUMNS: readonly ColumnDef<UserRow>[] = [
  { column: 'id', attribute: 'id', key: 'exact', unique: true },
  { column: 'email', derive: (r) => String(r.userName) },
  {
    column: 'email_key',
    attribute: 'userName',
    key: 'fold',
    unique: true,
    derive: (r) => emailKey(String(r.userName)),
  },
  { column: 'external_id', attribute: 'externalId', key: 'exact', derive: (r) => text(r.externalId) },
  { column: 'display_name', attribute: 'displayName', derive: (r) => text(r.displayName) },
  { column: 'first_name', derive: (r) => text(nameOf(r).givenName) },
  { column: 'last_name', derive: (r) => text(nameOf(r).familyName) },
  {
    column: 'platform_role',
    attribute: `${CUSTOM_USER_SCHEMA}:platformRole`,
    // A user without the extension (or with a value that is not a role) is a MEMBER.
    derive: (r) =>
      PLATFORM_ROLES.find((role) => role === extension(r, CUSTOM_USER_SCHEMA).platformRole) ?? 'MEMBER',
  },
  // `active` reads as a boolean over this column (filter-targets.ts activeStatus).
  { column: 'status', derive: (r): UserStatus => (r.active === false ? 'INACTIVE' : 'ACTIVE') },
  { column: 'created_at', attribute: 'meta.created' },
  { column: 'updated_at', attribute: 'meta.lastModified' },
]

export const GROUP_COLUMNS: readonly ColumnDef<ProjectRow>[] = [
  { column: 'id', attribute: 'id', key: 'exact', unique: true },
  { column: 'display_name', derive: (r) => String(r.displayName) },
  {
    column: 'display_key',
    attribute: 'displayName',
    key: 'fold',
    unique: true,
    derive: (r) => displayKey(String(r.displayName)),
  },
  { column: 'external_id', attribute: 'externalId', key: 'exact', derive: (r) => text(r.externalId) },
  {
    column: 'project_role',
    attribute: `${CUSTOM_GROUP_SCHEMA}:projectRole`,
    // None: the group follows the platform's default role.
    derive: (r) =>
      PROJECT_ROLES.find((role) => role === extension(r, CUSTOM_GROUP_SCHEMA).projectRole) ?? null,
  },
  { column: 'created_at', attribute: 'meta.created' },
  { column: 'updated_at', attribute: 'meta.lastModified' },
]

type Derived<Row, Columns extends keyof Row> = { [K in Columns]: Row[K] }

/** The columns a write derives from the resource, by the table. */
function deriver<Row, Columns extends keyof Row>(defs: readonly ColumnDef<Row>[]) {
  const derived = defs.filter((d) => d.derive !== undefined)
  return (resource: ScimResource): Derived<Row, Columns> => {
    const out: Record<string, unknown> = {}
    for (const d of derived) out[d.column] = d.derive?.(resource)
    return out as Derived<Row, Columns>
  }
}

export const userColumns = deriver<
  UserRow,
  | 'email'
  | 'email_key'
  | 'external_id'
  | 'display_name'
  | 'first_name'
  | 'last_name'
  | 'platform_role'
  | 'status'
>(USER_COLUMNS)

export const projectColumns = deriver<
  ProjectRow,
  'display_name' | 'display_key' | 'external_id' | 'project_role'
>(GROUP_COLUMNS)

/**
 * The derived columns whose values differ from the row's: what an UPDATE sets. SQLite rewrites the
 * entry of every index that has a column in the SET list, even when the value is the same, so setting
 * all of them cost a user PATCH of `title` three more index writes (about 5 WAL pages against 2).
 */
export function changedColumns<T extends object>(
  row: Partial<Record<keyof T, unknown>>,
  derived: T,
): Partial<T> {
  const out: Partial<T> = {}
  for (const key of Object.keys(derived) as (keyof T)[])
    if (row[key] !== derived[key]) out[key] = derived[key]
  return out
}

const byAttribute = (defs: readonly ColumnDef<unknown>[]) =>
  new Map(defs.filter((d) => d.attribute !== undefined).map((d) => [d.attribute as string, d]))
const ATTRIBUTE_COLUMNS = {
  User: byAttribute(USER_COLUMNS as readonly ColumnDef<unknown>[]),
  Group: byAttribute(GROUP_COLUMNS as readonly ColumnDef<unknown>[]),
}

/** The column that holds an attribute (`userName`, `meta.created`, `urn:…:platformRole`), if one does. */
export function columnFor(
  type: ResourceTypeName,
  attribute: string,
): { readonly column: string; readonly folded: boolean } | undefined {
  const def = ATTRIBUTE_COLUMNS[type].get(attribute)
  return def && { column: def.column, folded: def.key === 'fold' }
}

/**
 * The key column an `eq` on `attribute` can be looked up by, and how its value is prepared; `caseExact`
 * is the schema's, which an 'exact' key needs.
 */
export function keyColumnFor(
  type: ResourceTypeName,
  attribute: string,
  caseExact: boolean,
): { readonly column: KeyColumn; readonly fold: boolean } | undefined {
  const def = ATTRIBUTE_COLUMNS[type].get(attribute)
  if (!def?.key || (def.key === 'exact' && !caseExact)) return undefined
  return { column: def.column as KeyColumn, fold: def.key === 'fold' }
}

/** Key columns that hold at most one row per platform (users_email_key, projects_display_key, ids). */
export const UNIQUE_KEY_COLUMNS: ReadonlySet<string> = new Set(
  [...USER_COLUMNS, ...GROUP_COLUMNS].filter((d) => d.unique).map((d) => d.column as string),
)
