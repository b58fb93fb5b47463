// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

export async function up(db: Kysely<any>): Promise<void> {
  const json = isPostgres(db) ? sql`jsonb` : sql`text`

  await db.schema
    .createTable('platforms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_project_role', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('platform_role', 'text', (c) =>
      c.notNull().check(sql`platform_role in ('ADMIN','OPERATOR','MEMBER')`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE','INACTIVE')`))
    .addColumn('password_hash', 'text')
    .addColumn('resource', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  // Case-insensitive uniqueness of userName per platform, enforced by the database.
  await db.schema
    .createIndex('users_email_key')
    .unique()
    .on('users')
    .columns(['platform_id', 'email_key'])
    .execute()
  await db.schema
    .createIndex('users_external_id')
    .on('users')
    .columns(['platform_id', 'external_id'])
    .execute()
  await db.schema
    .createIndex('users_created')
    .on('users')
    .columns(['platform_id', 'created_at', 'id'])
    .execute()

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('display_key', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('project_role', 'text', (c) => c.check(sql`project_role in ('Admin','Editor','Viewer')`))
    .addColumn('resource', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('projects_display_key')
    .unique()
    .on('projects')
    .columns(['platform_id', 'display_key'])
    .execute()
  await db.schema
    .createIndex('projects_external_id')
    .on('projects')
    .columns(['platform_id', 'external_id'])
    .execute()
  await db.schema
    .createIndex('projects_created')
    .on('projects')
    .columns(['platform_id', 'created_at', 'id'])
    .execute()

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('platform_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('Admin','Editor','Viewer')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute()
  await db.schema
    .createIndex('project_members_user')
    .on('project_members')
    .columns(['user_id', 'project_id'])
    .execute()

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('truncated', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema
    .createIndex('api_keys_platform')
    .on('api_keys')
    .columns(['platform_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('events')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => c.primaryKey().notNull())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('resource_type', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('changes', json)
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('events_platform').on('events').columns(['platform_id', 'id']).execute()
  await db.schema.createIndex('events_created').on('events').columns(['created_at']).execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('platform_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute()

  await db.schema
    .createTable('setup_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
}
