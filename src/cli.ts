// The `muster` command: serve, migrate, and headless platform and API-key administration.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Kysely } from 'kysely'
import { type Config, ConfigError, loadConfig, publicOrigin } from './config.js'
import { secretBoxFor } from './crypto/secret-box.js'
import { issueApiKey, withdrawApiKey } from './domain/api-keys.js'
import { type AuditBy, audit, cliBy } from './domain/audit.js'
import { keyRingFor } from './events/keys.js'
import { createStreamAs, deleteStreamAs, pollUrl, StreamInputError, streamView } from './events/streams.js'
import { handleSignals, openStore, startServer } from './server.js'
import {
  auditSso,
  ConfigureError,
  configureDomains,
  configureOidc,
  configureSaml,
  configureToggles,
  type SsoView,
  ssoView,
} from './sso/configure.js'
import { getApiKey, listApiKeys } from './store/api-keys.js'
import type { Store } from './store/database.js'
import { getStream, listStreams } from './store/event-streams.js'
import { migrate } from './store/migrations/index.js'
import { createPlatform, getPlatform, listPlatforms } from './store/platforms.js'
import type { Database } from './store/schema.js'
import { createSetupToken } from './store/setup-tokens.js'
import { getSsoSettings } from './store/sso-settings.js'

const USAGE = `Usage: muster <command> [options]

Commands:
  serve                                       start the server (same as npm start)
  migrate                                     apply pending database migrations
  platform create --name N [--admin-email E]  create a platform and a one-time admin setup link
  platform list                               list platforms
  platform setup-link --platform ID [--admin-email E]
                                              a new one-time admin setup link for a platform
  api-key create --platform ID --name N       create an API key (the secret is shown once)
  api-key list --platform ID                  list a platform's API keys (never the secrets)
  api-key revoke ID                           revoke an API key at once
  sso show --platform ID                      single sign-on settings and the addresses for the IdP
  sso saml set --platform ID --metadata FILE_OR_URL
                                              load IdP metadata (a file, or an https URL)
  sso oidc set --platform ID --issuer URL --client-id ID --client-secret S
                                              OpenID Connect issuer and client (the secret is stored encrypted)
  sso domains set --platform ID DOMAIN...     the email domains the platform claims (none: clear them)
  sso set --platform ID [--require-sso on|off] [--create-users on|off] [--idp-initiated on|off]
                                              the three switches of the SSO page
  events stream create --platform ID --push URL [--events E,…] [--audience A]
  events stream create --platform ID --poll [--events E,…] [--audience A]
                                              an event stream (RFC 8935 push or RFC 8936 poll)
  events stream list --platform ID            a platform's event streams, with backlog and lag
  events stream delete ID                     delete an event stream and the SETs it still owes
  events key rotate [--now]                   a new signing key: published now, signing after
                                              EVENTS_KEY_ACTIVATION_SECONDS (--now: at once)
  events key list                             signing keys and when each signs or was retired

Options:
  --json     machine-readable output
  --help     this text

Configuration comes from the environment (DATABASE_URL, PORT, HOST, PUBLIC_URL, ...); see README.md.`

class UsageError extends Error {}

interface Io {
  out(text: string): void
  err(text: string): void
}

const stdio: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}

/** Runs one command; returns the exit code. */
export async function runCli(argv: readonly string[], io: Io = stdio, env = process.env): Promise<number> {
  let args: ReturnType<typeof parse>
  try {
    args = parse(argv)
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.values.help) {
    io.out(USAGE)
    return 0
  }
  try {
    const config = loadConfig(env)
    return await dispatch(args.positionals, args.values, config, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`)
      return 2
    }
    io.err(error instanceof ConfigError ? error.message : `Error: ${(error as Error).message}`)
    return 1
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      push: { type: 'string' },
      poll: { type: 'boolean', default: false },
      events: { type: 'string', multiple: true },
      audience: { type: 'string' },
      now: { type: 'boolean', default: false },
      platform: { type: 'string' },
      metadata: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'require-sso': { type: 'string' },
      'create-users': { type: 'string' },
      'idp-initiated': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
}

type Values = ReturnType<typeof parse>['values']

async function dispatch(positionals: string[], values: Values, config: Config, io: Io): Promise<number> {
  const [command, sub, ...rest] = positionals
  const json = values.json === true
  const print = (data: unknown, text: string) => io.out(json ? JSON.stringify(data) : text)

  if (command === 'serve' && !sub) {
    const running = await startServer(config)
    handleSignals(running, config.SHUTDOWN_GRACE_MS)
    return 0
  }
  if (!command) throw new UsageError('No command given.')
  if (!['migrate', 'platform', 'api-key', 'sso', 'events'].includes(command))
    throw new UsageError(`Unknown command "${command}".`)

  return withStore(config, async (store) => {
    if (command === 'migrate' && !sub) {
      const applied = await migrate(store.db)
      print({ applied }, applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
      return 0
    }
    if (command === 'platform' && sub === 'create' && rest.length === 0) {
      const name = required(values.name, '--name')
      const email = values['admin-email'] ?? null
      // The platform, its first setup link and their audit rows commit together.
      const { platform, token } = await store.transaction(async (trx) => {
        const platform = await createPlatform(trx, name)
        const by = cliBy(platform.id)
        await audit(trx, by, {
          action: 'platform.created',
          target: { type: 'platform', id: platform.id, name },
        })
        return { platform, token: await setupLink(trx, by, email) }
      })
      const setupUrl = `${publicOrigin(config)}/setup/${token}`
      print(
        { id: platform.id, name: platform.name, setupUrl },
        `Created platform ${platform.name} (${platform.id}).\nFirst admin setup link (works once): ${setupUrl}`,
      )
      return 0
    }
    if (command === 'platform' && sub === 'setup-link' && rest.length === 0) {
      const platformId = required(values.platform, '--platform')
      if (!(await getPlatform(store.db, platformId))) throw new Error(`No platform with id ${platformId}.`)
      const email = values['admin-email'] ?? null
      const token = await store.transaction((trx) => setupLink(trx, cliBy(platformId), email))
      const setupUrl = `${publicOrigin(config)}/setup/${token}`
      print({ platformId, setupUrl }, `Admin setup link (works once, for 7 days): ${setupUrl}`)
      return 0
    }
    if (command === 'platform' && sub === 'list' && rest.length === 0) {
      const platforms = await listPlatforms(store.db)
      print(
        platforms.map(({ id, name, created_at }) => ({ id, name, createdAt: created_at })),
        platforms.map((p) => `${p.id}  ${p.name}`).join('\n') || 'No platforms.',
      )
      return 0
    }
    if (command === 'api-key' && sub === 'create' && rest.length === 0) {
      const platformId = required(values.platform, '--platform')
      if (!(await getPlatform(store.db, platformId))) throw new Error(`No platform with id ${platformId}.`)
      const { key, secret } = await issueApiKey(store, cliBy(platformId), required(values.name, '--name'))
      print(
        { id: key.id, name: key.name, platformId, secret, truncated: key.truncated },
        `Created API key ${key.name} (${key.id}). Secret, shown only this once:\n${secret}`,
      )
      return 0
    }
    if (command === 'api-key' && sub === 'list' && rest.length === 0) {
      const keys = await listApiKeys(store.db, required(values.platform, '--platform'))
      const rows = keys.map((k) => ({
        id: k.id,
        name: k.name,
        truncated: `...${k.truncated}`,
        createdAt: k.created_at,
        lastUsedAt: k.last_used_at,
        revokedAt: k.revoked_at,
      }))
      print(
        rows,
        rows
          .map(
            (k) =>
              `${k.id}  ${k.name}  ${k.truncated}  ${k.revokedAt ? 'revoked' : `last used ${k.lastUsedAt ?? 'never'}`}`,
          )
          .join('\n') || 'No API keys.',
      )
      return 0
    }
    if (command === 'api-key' && sub === 'revoke' && rest.length === 1) {
      const id = rest[0]!
      const key = await getApiKey(store.db, id)
      if (!key) throw new Error(`No API key with id ${id}.`)
      if (!(await withdrawApiKey(store, cliBy(key.platform_id), id)))
        throw new Error(`API key ${id} is already revoked.`)
      print({ id, revoked: true }, `Revoked API key ${id}.`)
      return 0
    }
    if (command === 'sso') return sso(store, config, [sub, ...rest], values, print)
    if (command === 'events') return eventsCommand(store, config, [sub, ...rest], values, print)
    throw new UsageError(`Unknown command "${positionals.join(' ')}".`)
  })
}

/** `muster sso …`: the same operations as the console's Single sign-on page (sso/configure.ts). */
async function sso(
  store: Store,
  config: Config,
  [sub, verb, ...rest]: (string | undefined)[],
  values: Values,
  print: (data: unknown, text: string) => void,
): Promise<number> {
  const platformId = required(values.platform, '--platform')
  if (!(await getPlatform(store.db, platformId))) throw new Error(`No platform with id ${platformId}.`)
  const box = secretBoxFor(config)
  // Recorded in the platform's audit trail as the console's changes are (the secret never is).
  const by = cliBy(platformId)
  try {
    if (sub === 'saml' && verb === 'set' && rest.length === 0) {
      const metadata = required(values.metadata, '--metadata')
      const source = /^https?:\/\//i.test(metadata)
        ? { url: metadata }
        : { xml: await readFile(metadata, 'utf8') }
      await configureSaml(store, platformId, source, auditSso(by, 'sso.saml_changed', 'SAML'))
    } else if (sub === 'oidc' && verb === 'set' && rest.length === 0) {
      const oidc = {
        issuer: required(values.issuer, '--issuer'),
        clientId: required(values['client-id'], '--client-id'),
        clientSecret: required(values['client-secret'], '--client-secret'),
      }
      const hook = auditSso(by, 'sso.oidc_changed', 'OpenID Connect', { clientSecret: 'replaced' })
      await configureOidc(store, box, platformId, oidc, hook)
    } else if (sub === 'domains' && verb === 'set') {
      const hook = auditSso(by, 'sso.domains_changed', 'Single sign-on')
      await configureDomains(store, platformId, rest as string[], hook)
    } else if (sub === 'set' && verb === undefined) {
      const toggles = {
        requireSso: onOff(values['require-sso'], '--require-sso'),
        createUsers: onOff(values['create-users'], '--create-users'),
        allowIdpInitiated: onOff(values['idp-initiated'], '--idp-initiated'),
      }
      if (Object.values(toggles).every((v) => v === undefined))
        throw new UsageError('Give --require-sso, --create-users or --idp-initiated (on or off).')
      await configureToggles(
        store,
        platformId,
        toggles,
        auditSso(by, 'sso.settings_changed', 'Single sign-on'),
      )
    } else if (!(sub === 'show' && verb === undefined)) {
      throw new UsageError(`Unknown command "sso ${[sub, verb, ...rest].filter(Boolean).join(' ')}".`)
    }
  } catch (error) {
    if (error instanceof ConfigureError) throw new Error(error.message)
    throw error
  }
  const view = ssoView(await getSsoSettings(store.db, platformId), publicOrigin(config))
  print(view, describeSso(view))
  return 0
}

function onOff(value: string | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined
  if (['on', 'true', 'yes'].includes(value.toLowerCase())) return true
  if (['off', 'false', 'no'].includes(value.toLowerCase())) return false
  throw new UsageError(`${flag} takes on or off.`)
}

function describeSso(view: SsoView): string {
  const yes = (on: boolean) => (on ? 'on' : 'off')
  return [
    'For the identity provider:',
    `  Identifier (Entity ID) / Audience URI:   ${view.sp.entityId}`,
    `  Reply URL (ACS) / Single sign-on URL:    ${view.sp.acsUrl}`,
    `  Sign on URL:                             ${view.sp.loginUrl}`,
    `  SP metadata:                             ${view.sp.metadataUrl}`,
    `  OIDC redirect URI:                       ${view.sp.oidcRedirectUri}`,
    view.saml
      ? `SAML: IdP ${view.saml.idpEntityId}, sign-on ${view.saml.ssoUrl}, ${view.saml.certificates.length} signing certificate(s)`
      : 'SAML: not set up',
    view.oidc
      ? `OIDC: issuer ${view.oidc.issuer}, client ${view.oidc.clientId} (secret stored)`
      : 'OIDC: not set up',
    `Domains: ${view.domains.join(', ') || 'none'}`,
    `Require SSO: ${yes(view.requireSso)} · Create users on first sign-in: ${yes(view.createUsers)} · Allow IdP-initiated sign-in: ${yes(view.allowIdpInitiated)}`,
  ].join('\n')
}

/** `muster events …`: event streams and signing keys (EVENTS.md). */
async function eventsCommand(
  store: Store,
  config: Config,
  words: (string | undefined)[],
  values: Values,
  print: (data: unknown, text: string) => void,
): Promise<number> {
  const [what, verb, ...rest] = words
  const origin = publicOrigin(config)
  if (what === 'stream' && verb === 'create' && rest.length === 0) {
    const platformId = required(values.platform, '--platform')
    if (!(await getPlatform(store.db, platformId))) throw new Error(`No platform with id ${platformId}.`)
    if ((values.push === undefined) === !values.poll) throw new UsageError('Give --push URL or --poll.')
    const events = values.events?.flatMap((e) => e.split(',')).filter((e) => e.trim() !== '')
    try {
      const row = await createStreamAs(
        store,
        cliBy(platformId),
        { push: values.push, poll: values.poll, events, audience: values.audience },
        { allowLoopback: config.EVENTS_ALLOW_LOOPBACK, allowPrivate: config.EVENTS_ALLOW_PRIVATE },
        origin,
      )
      const url = row.method === 'poll' ? pollUrl(origin, row.id) : undefined
      print(
        { id: row.id, audience: row.audience, ...(url ? { pollUrl: url } : {}) },
        `Created ${row.method} stream ${row.id}.\nAudience (aud): ${row.audience}${url ? `\nPoll URL: ${url}` : ''}\nJWKS: ${origin}/.well-known/jwks.json`,
      )
      return 0
    } catch (error) {
      if (error instanceof StreamInputError) throw new UsageError(error.message)
      throw error
    }
  }
  if (what === 'stream' && verb === 'list' && rest.length === 0) {
    const rows = await listStreams(store.db, required(values.platform, '--platform'))
    const views = await Promise.all(rows.map((row) => streamView(store.db, row, origin)))
    print(
      views,
      views
        .map(
          (v) =>
            `${v.id}  ${v.method}  ${v.status}  ${v.url ?? v.pollUrl}  backlog ${v.backlog}, lag ${v.lagSeconds} s${v.lastError ? `, last error: ${v.lastError}` : ''}`,
        )
        .join('\n') || 'No event streams.',
    )
    return 0
  }
  if (what === 'stream' && verb === 'delete' && rest.length === 1) {
    const id = rest[0] as string
    const stream = await getStream(store.db, id)
    if (!stream || !(await deleteStreamAs(store, cliBy(stream.platform_id), stream)))
      throw new Error(`No event stream with id ${id}.`)
    print({ id, deleted: true }, `Deleted event stream ${id}.`)
    return 0
  }
  const keys = keyRingFor(store, config)
  if (what === 'key' && verb === 'rotate' && rest.length === 0) {
    await keys.ensure()
    const row = await keys.create(values.now ? 0 : config.EVENTS_KEY_ACTIVATION_SECONDS)
    print(
      { kid: row.kid, alg: row.alg, publishedAt: row.created_at, signsFrom: row.activates_at },
      `New signing key ${row.kid} (${row.alg}): published now, signs from ${row.activates_at}. The previous key stays published until nothing unacknowledged was signed with it.`,
    )
    return 0
  }
  if (what === 'key' && verb === 'list' && rest.length === 0) {
    const rows = await keys.list()
    const list = rows.map((k) => ({
      kid: k.kid,
      alg: k.alg,
      createdAt: k.created_at,
      signsFrom: k.activates_at,
      removedAt: k.removed_at,
    }))
    print(
      list,
      list
        .map(
          (k) =>
            `${k.kid}  ${k.alg}  signs from ${k.signsFrom}${k.removedAt ? `  retired ${k.removedAt}` : ''}`,
        )
        .join('\n') || 'No signing keys yet (the server creates one at start).',
    )
    return 0
  }
  throw new UsageError(`Unknown command "events ${words.filter(Boolean).join(' ')}".`)
}

/** A one-time admin setup link, recorded (never the token) in the platform's audit trail. */
async function setupLink(trx: Kysely<Database>, by: AuditBy, email: string | null): Promise<string> {
  const token = await createSetupToken(trx, by.platformId, email)
  await audit(trx, by, {
    action: 'setup_link.created',
    ...(email ? { details: { email } } : {}),
  })
  return token
}

function required(value: string | undefined, flag: string): string {
  if (!value?.trim()) throw new UsageError(`${flag} is required.`)
  return value.trim()
}

async function withStore(config: Config, fn: (store: Store) => Promise<number>): Promise<number> {
  const store = await openStore(config)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
