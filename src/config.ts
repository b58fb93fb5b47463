// Configuration comes from the environment only, validated once at start. A bad value stops the
// process with a message naming the variable and what it accepts.
import { z } from 'zod'

const PROJECT_ROLES = ['Admin', 'Editor', 'Viewer'] as const
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
/** 1/true/yes or 0/false/no. */
const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'], 'must be 1 or 0')
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

const schema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default('file:./data/muster.db'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  SCIM_DEFAULT_PROJECT_ROLE: z.enum(PROJECT_ROLES).default('Editor'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Largest accepted request body, bytes (RFC 7644 §3.12 413 beyond it). */
  BODY_LIMIT: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** Largest page a list may return; larger `count` is capped (RFC 7644 §3.4.2.4). */
  SCIM_MAX_RESULTS: int(1, 10_000).default(1000),
  SCIM_MAX_OPERATIONS: int(1, 100_000).default(1000),
  SCIM_MAX_MEMBERS_PER_OPERATION: int(1, 1_000_000).default(10_000),
  SCIM_MAX_FILTER_LENGTH: int(16, 1_000_000).default(4096),
  SCIM_MAX_FILTER_DEPTH: int(1, 1000).default(16),
  DATABASE_POOL_SIZE: int(1, 1000).default(10),
  /**
   * SQLite: bytes of the database file read through memory-mapped I/O (`PRAGMA mmap_size`); 0 reads
   * every page with a system call into SQLite's own page cache.
   */
  SQLITE_MMAP_SIZE: int(0, 2 ** 40).default(0),
  /**
   * Average SCIM requests per second per API key; 0 turns the limit off. With RATE_LIMIT_BURST it makes
   * a fixed window of RATE_LIMIT_BURST requests per RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND seconds.
   */
  RATE_LIMIT_PER_SECOND: int(0, 1_000_000).default(1000),
  /** Requests per key per window: the largest burst a key may send at once. */
  RATE_LIMIT_BURST: int(1, 10_000_000).default(2000),
  /** Failed bearer authentications per client address per minute before it gets 429. */
  AUTH_FAILURES_PER_MINUTE: int(1, 1_000_000).default(30),
  /** Shares the per-key rate-limit counts between processes when set (redis://host:6379). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** When set, GET /metrics requires "Authorization: Bearer <token>". */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Provisioning events older than this are pruned in the background; 0 keeps them forever. */
  EVENT_RETENTION_DAYS: int(0, 36_500).default(90),
  /**
   * Request and response bodies of logged SCIM writes (redacted) are kept this many hours for the
   * event's page of the provisioning log; 0 keeps none.
   */
  LOG_BODY_RETENTION_HOURS: int(0, 87_600).default(168),
  /** How long a shutdown waits for in-flight requests before it gives up, milliseconds. */
  SHUTDOWN_GRACE_MS: int(0, 120_000).default(10_000),
  /**
   * Master key of secrets at rest (OIDC client secrets): 32 bytes as base64 or hex. Every process
   * that shares a database must share it. Unset: a key file (see ENCRYPTION_KEY_FILE).
   */
  ENCRYPTION_KEY: z
    .string()
    .refine(
      (value) => decodeKey(value) !== undefined,
      'must be 32 bytes as base64 (44 characters) or hex (64)',
    )
    .optional(),
  /** Where the master key is kept when ENCRYPTION_KEY is unset; created (mode 0600) on first use. */
  ENCRYPTION_KEY_FILE: z.string().min(1).optional(),
  /** Push URLs may reach 127.0.0.0/8 and ::1 (tests, a receiver on the same host); http:// allowed there. */
  EVENTS_ALLOW_LOOPBACK: flag.default(false),
  /** Push URLs may reach private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). */
  EVENTS_ALLOW_PRIVATE: flag.default(false),
  /**
   * Where this process delivers push streams: inline on the main thread (default), on a worker
   * thread (signing and HTTP off the event loop, at the cost of a second V8 isolate and more CPU per
   * SET: see bench/REPORT.md), or off (this process only serves requests; another process delivers).
   */
  EVENTS_WORKER: z.enum(['thread', 'inline', 'off']).default('inline'),
  /** Time limit of one push try, milliseconds. */
  EVENTS_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** SETs of different resources of one stream in flight at once. */
  EVENTS_CONCURRENCY: int(1, 256).default(16),
  /** Longest wait between two tries of a failing stream, seconds (exponential backoff with jitter). */
  EVENTS_BACKOFF_MAX_SECONDS: int(1, 86_400).default(300),
  /** How long a stream keeps failing before it is marked failed, seconds (default 24 h). */
  EVENTS_RETRY_CEILING_SECONDS: int(1, 30 * 86_400).default(86_400),
  /** Delivered SETs are kept this long for "redeliver from", hours; pending ones are always kept. */
  EVENTS_RETENTION_HOURS: int(1, 24 * 365).default(168),
  /** Longest wait of a poll with returnImmediately false (rfc8936#section-2.4), seconds. */
  EVENTS_LONG_POLL_SECONDS: int(0, 300).default(20),
  /** How long a new signing key is published before it signs, seconds. */
  EVENTS_KEY_ACTIVATION_SECONDS: int(0, 30 * 86_400).default(600),
  /** How long the worker waits between two looks at an idle outbox, milliseconds. */
  EVENTS_POLL_INTERVAL_MS: int(10, 60_000).default(200),
})

/** A 32-byte key from 64 hex digits or base64 / base64url; undefined for anything else. */
export function decodeKey(text: string): Buffer | undefined {
  const value = text.trim()
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex')
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) return undefined
  const key = Buffer.from(value, 'base64')
  return key.length === 32 ? key : undefined
}

const SECRETS = new Set(['ENCRYPTION_KEY', 'METRICS_TOKEN'])

export type Config = Readonly<z.infer<typeof schema>>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads and validates the environment. Unset and empty variables take their defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0])
      // A secret is named but never echoed, even when it is malformed.
      const shown = SECRETS.has(name) ? '(hidden)' : JSON.stringify(env[name])
      return `${name}=${shown}: ${describe(issue)}`
    })
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  return Object.freeze(parsed.data)
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`
  return issue.message
}

/** A config for tests: defaults plus overrides, no environment. */
export function testConfig(overrides: Partial<Record<keyof z.infer<typeof schema>, string>> = {}): Config {
  // Inline delivery: a test's store is not always the database DATABASE_URL names.
  return loadConfig({
    DATABASE_URL: 'file::memory:',
    LOG_LEVEL: 'silent',
    EVENTS_WORKER: 'inline',
    ...overrides,
  })
}

/** The origin users and receivers reach this server at: PUBLIC_URL, else the address it listens on. */
export function publicOrigin(config: Config): string {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST
  return config.PUBLIC_URL ?? `http://${host}:${config.PORT}`
}
