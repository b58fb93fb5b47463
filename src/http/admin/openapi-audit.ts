// The audit-trail part of the admin API description (merged into openapi.ts): what admins did in the
// console and through this API, and its CSV export.
import { AUDIT_ACTIONS } from '../../domain/audit.js'

const json = (schema: object) => ({ content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const str = { type: 'string' }
const nullable = (type: string) => ({ type: [type, 'null'] })
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})
const query = (name: string, schema: object, description?: string) => ({
  name,
  in: 'query',
  schema,
  ...(description ? { description } : {}),
})
const errors = {
  '400': { description: 'Invalid input', ...json(ref('InputError')) },
  '401': { description: 'Not signed in', ...json(ref('Error')) },
}
const action = { enum: Object.keys(AUDIT_ACTIONS) }
const filters = [
  query('action', action),
  query('from', { type: 'string', format: 'date-time' }, 'inclusive'),
  query('to', { type: 'string', format: 'date-time' }, 'exclusive'),
  query('q', str, "case-insensitive substring of who acted (email or command line) or the target's name"),
]

const entry = obj(
  {
    id: { type: 'integer' },
    createdAt: str,
    actorUserId: nullable('string'),
    actorEmail: { ...nullable('string'), description: 'as it was when the action was taken' },
    actorLabel: {
      ...nullable('string'),
      description: 'who acted without an account: "command line (user@host)" for a muster command',
    },
    action,
    actionLabel: str,
    targetType: { ...nullable('string'), description: 'user, project, api_key, stream, sso or platform' },
    targetId: nullable('string'),
    targetName: nullable('string'),
    targetExists: { type: 'boolean', description: 'the user or project still exists' },
    details: {
      type: ['object', 'null'],
      description: '{ field: { from, to } } or other facts; never a secret',
    },
    changes: {
      type: 'array',
      items: str,
      description: 'details as lines, e.g. "Platform role: MEMBER → OPERATOR"',
    },
    ip: nullable('string'),
    requestId: nullable('string'),
  },
  ['id', 'createdAt', 'action', 'actionLabel', 'changes'],
)

export const auditPaths = {
  '/audit': {
    get: {
      summary: 'Audit trail of admin actions, newest first',
      parameters: [
        ...filters,
        query('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
        query('offset', { type: 'integer', minimum: 0, default: 0 }),
      ],
      responses: {
        '200': {
          description: 'OK',
          ...json(
            obj({
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              entries: { type: 'array', items: entry },
              actions: { type: 'array', items: obj({ code: action, label: str }) },
            }),
          ),
        },
        ...errors,
      },
    },
  },
  '/audit.csv': {
    get: {
      summary: 'Audit trail as CSV (time UTC, admin, action, target, details, address, request id)',
      parameters: filters,
      responses: {
        '200': { description: 'CSV, one action per line', content: { 'text/csv': { schema: str } } },
        ...errors,
      },
    },
  },
}
