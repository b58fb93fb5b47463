// Frozen: never edit a migration that has shipped; add a new one.
// Single sign-on (SSO.md): per-platform SAML and OIDC settings, claimed email domains, the issued
// requests and used assertion ids that make replay protection hold across processes, test results,
// and the sign-in log. (003 is reserved for another change.)
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

export async function up(db: Kysely<any>): Promise<void> {
  const json = isPostgres(db) ? sql`jsonb` : sql`text`

  await db.schema
    .createTable('sso_settings')
    .addColumn('platform_id', 'text', (c) => c.primaryKey().references('platforms.id').onDelete('cascade'))
    .addColumn('saml_entity_id', 'text')
    .addColumn('saml_sso_url', 'text')
    .addColumn('saml_certificates', json)
    .addColumn('saml_metadata_url', 'text')
    .addColumn('saml_updated_at', 'text')
    .addColumn('oidc_issuer', 'text')
    .addColumn('oidc_client_id', 'text')
    .addColumn('oidc_client_secret', 'text')
    .addColumn('oidc_updated_at', 'text')
    .addColumn('require_sso', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('create_users', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('allow_idp_initiated', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  // One domain, one platform: the primary key is the (lower-cased) domain alone.
  await db.schema
    .createTable('sso_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sso_domains_platform').on('sso_domains').column('platform_id').execute()

  // AuthnRequest ids (SAML) and flow states (OIDC) Muster issued, so a response is accepted only for
  // a request of its own platform, once, within a few minutes, whichever process receives it.
  await db.schema
    .createTable('sso_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('protocol', 'text', (c) => c.notNull().check(sql`protocol in ('saml','oidc')`))
    .addColumn('next', 'text')
    .addColumn('test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('nonce', 'text')
    .addColumn('code_verifier', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.createIndex('sso_requests_created').on('sso_requests').column('created_at').execute()

  // Assertion ids already accepted, until their assertion would have expired anyway.
  await db.schema
    .createTable('sso_assertions')
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_assertions_pk', ['platform_id', 'id'])
    .execute()
  await db.schema.createIndex('sso_assertions_expires').on('sso_assertions').column('expires_at').execute()

  await db.schema
    .createTable('sso_test_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('result', json, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('sso_test_results_created')
    .on('sso_test_results')
    .column('created_at')
    .execute()

  // The sign-in log: one row per attempt (password, SAML, OIDC), accepted or refused. platform_id is
  // null when an attempt could not be tied to a platform (an unknown email, an unroutable response).
  await db.schema
    .createTable('sign_in_events')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => c.primaryKey().notNull())
    .addColumn('platform_id', 'text', (c) => c.references('platforms.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('password','saml','oidc')`))
    .addColumn('subject', 'text')
    .addColumn('user_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('accepted','refused')`))
    .addColumn('reason', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('request_id', 'text')
    .execute()
  await db.schema
    .createIndex('sign_in_events_platform')
    .on('sign_in_events')
    .columns(['platform_id', 'id'])
    .execute()
  await db.schema.createIndex('sign_in_events_created').on('sign_in_events').column('created_at').execute()
}
