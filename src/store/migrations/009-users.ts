// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely'

/**
 * 1. project_members.role_explicit: 1 when an admin set this member's role by hand. A project's role
 *    and the platform default apply to the other members (role_explicit = 0), old and new alike.
 *    Roles set before this migration cannot be told apart and count as not explicit.
 * 2. events_resource: a user's (or project's) recent log rows, for the user's page.
 * 3. user_sources: how a user came to exist when it was not over SCIM ('sso': created at a first
 *    single sign-on; 'local': the first admin's setup link). No row: provisioned over SCIM, so the
 *    SCIM create path writes nothing more.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('project_members')
    .addColumn('role_explicit', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('events_resource')
    .on('events')
    .columns(['platform_id', 'resource_id', 'id'])
    .execute()
  await db.schema
    .createTable('user_sources')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .execute()
  // Users created at a single sign-on, as journaled; users with a console password and no SCIM
  // create in the log came through the setup link.
  await sql`insert into user_sources (user_id, source)
    select distinct e.resource_id, 'sso' from events e
    join users u on u.id = e.resource_id
    where e.actor_type = 'sso' and e.resource_type = 'User' and e.method <> 'DELETE'`.execute(db)
  await sql`insert into user_sources (user_id, source)
    select u.id, 'local' from users u
    where u.password_hash is not null
      and not exists (select 1 from user_sources s where s.user_id = u.id)
      and not exists (select 1 from events e where e.resource_id = u.id and e.actor_type = 'scim'
        and e.resource_type = 'User' and e.method = 'POST')`.execute(db)
}
