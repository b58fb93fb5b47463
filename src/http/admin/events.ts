// The provisioning log of the signed-in admin's platform, newest first, with the names of what each
// event touched; an event's page adds its request and response bodies while they are kept.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { getEvent, type LogEvent, listEvents, type Named, streamEvents } from '../../store/event-log.js'
import { sendCsv } from './csv-export.js'
import { notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { paging } from './paging.js'

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const instant = z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time, e.g. 2025-01-31T09:00:00Z.' })

const listQuery = z.object({
  from: optional(instant),
  to: optional(instant),
  status: optional(
    z.union([z.enum(['success', 'failure']), z.coerce.number().int().min(100).max(599)], {
      error: 'Use success, failure or a status code.',
    }),
  ),
  resourceType: optional(z.string().max(50)),
  resourceId: optional(z.string().max(200)),
  method: optional(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], 'Choose an HTTP method.')),
  apiKeyId: optional(z.string().max(100)),
  q: optional(z.string().trim().min(1).max(200)),
  user: optional(z.string().max(100)),
  afterId: optional(z.coerce.number().int().min(0)),
  ...paging,
})

export async function eventRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get('/events', async (request) => {
    const query = validate(listQuery, request.query)
    // Times compare as ISO strings in the database, so they are normalised to UTC first.
    const from = query.from && new Date(query.from).toISOString()
    const to = query.to && new Date(query.to).toISOString()
    const { total, events, names } = await listEvents(store.db, request.admin.platformId, {
      ...query,
      from,
      to,
    })
    return { total, limit: query.limit, offset: query.offset, events, names }
  })

  app.get('/events.csv', async (request, reply) => {
    const { limit: _limit, offset: _offset, ...query } = validate(listQuery, request.query)
    const from = query.from && new Date(query.from).toISOString()
    const to = query.to && new Date(query.to).toISOString()
    const batches = streamEvents(store.db, request.admin.platformId, { ...query, from, to })
    async function* rows() {
      for await (const { events, names } of batches) yield events.map((event) => ({ event, names }))
    }
    return sendCsv(reply, 'provisioning-log.csv', LOG_COLUMNS, rows(), ({ event: e, names }) => [
      e.createdAt,
      e.actorType === 'console' ? e.actorEmail : e.actorType === 'sso' ? 'single sign-on' : e.apiKeyName,
      e.method,
      e.path,
      e.status,
      e.resourceType,
      e.resourceName,
      e.resourceId,
      e.error ?? changesText(e, names),
      e.requestId,
      e.durationMs,
    ])
  })

  app.get<{ Params: { id: string } }>('/events/:id', async (request) => {
    const id = Number(request.params.id)
    const found =
      Number.isSafeInteger(id) && id > 0 ? await getEvent(store.db, request.admin.platformId, id) : undefined
    if (!found) throw notFound('The event')
    return found
  })
}

const LOG_COLUMNS = [
  'time (UTC)',
  'by',
  'method',
  'path',
  'status',
  'resource type',
  'name',
  'resource id',
  'what changed',
  'request id',
  'duration (ms)',
]

/** "displayName: Ann → Ann Lee; added ann@acme.test, bob@acme.test" for one CSV cell. */
function changesText(e: LogEvent, names: ReadonlyMap<string, Named>): string {
  const c = e.changes
  if (!c) return ''
  if (c.deleted === true) return 'deleted'
  const text = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v))
  const parts: string[] = []
  for (const v of (Array.isArray(c.values) ? c.values : []) as {
    path: string
    from?: unknown
    to?: unknown
    redacted?: true
  }[])
    parts.push(v.redacted ? `${v.path} changed` : `${v.path}: ${text(v.from)} → ${text(v.to)}`)
  const person = (id: string) => names.get(id)?.name ?? id
  for (const [key, verb] of [
    ['membersAdded', 'added'],
    ['membersRemoved', 'removed'],
  ] as const) {
    const ids = Array.isArray(c[key]) ? (c[key] as string[]) : []
    const count = Number(c[`${key}Count`] ?? ids.length)
    if (count > 0)
      parts.push(
        `${verb} ${ids.map(person).join(', ')}${count > ids.length ? ` and ${count - ids.length} more` : ''}`,
      )
  }
  const role = c.memberRole as { userId?: string; from?: string; to?: string } | undefined
  if (role?.userId) parts.push(`role of ${person(role.userId)}: ${role.from} → ${role.to}`)
  return parts.join('; ')
}
