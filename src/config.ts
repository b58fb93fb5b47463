// Configuration comes from the environment only, validated once at start. A bad value stops the
// process with a message naming the variable and what it accepts.
import { z } from 'zod'

const PROJECT_ROLES = ['Admin', 'Editor', 'Viewer'] as const
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

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
})

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
      return `${name}=${JSON.stringify(env[name])}: ${describe(issue)}`
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
  return loadConfig({ DATABASE_URL: 'file::memory:', LOG_LEVEL: 'silent', ...overrides })
}
