// The audit trail of the signed-in admin's platform: what admins did in the console and through the
// admin API, newest first, and its CSV export.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { AUDIT_ACTIONS, type AuditAction, actionLabel, describeDetails } from '../../domain/audit.js'
import { type AuditEntry, type AuditFilter, listAudit, streamAudit } from '../../store/audit.js'
import { sendCsv } from './csv-export.js'
import { validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { paging, searchText } from './paging.js'

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const instant = z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time, e.g. 2025-01-31T09:00:00Z.' })

const ACTION_CODES = Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]

const filterQuery = {
  action: optional(z.enum(ACTION_CODES, 'Choose one of the actions of the audit trail.')),
  from: optional(instant),
  to: optional(instant),
  q: searchText,
}

/** Times compare as ISO strings in the database, so they are normalised to UTC first. */
const utc = (f: {
  action?: AuditAction | undefined
  from?: string | undefined
  to?: string | undefined
  q?: string | undefined
}): AuditFilter => ({
  action: f.action,
  from: f.from && new Date(f.from).toISOString(),
  to: f.to && new Date(f.to).toISOString(),
  q: f.q,
})

/** An entry as the console shows it: the action's label and the details as "Field: old → new". */
const view = (entry: AuditEntry) => ({
  ...entry,
  actionLabel: actionLabel(entry.action),
  changes: describeDetails(entry.details),
})

export const AUDIT_COLUMNS = ['time (UTC)', 'by', 'action', 'target', 'details', 'address', 'request id']

export async function auditRoutes(app: FastifyInstance, { store }: AdminOptions): Promise<void> {
  app.get('/audit', async (request) => {
    const query = validate(z.object({ ...filterQuery, ...paging }), request.query)
    const { total, entries } = await listAudit(store.db, request.admin.platformId, {
      ...utc(query),
      limit: query.limit,
      offset: query.offset,
    })
    return {
      total,
      limit: query.limit,
      offset: query.offset,
      entries: entries.map(view),
      actions: ACTION_CODES.map((code) => ({ code, label: AUDIT_ACTIONS[code] })),
    }
  })

  app.get('/audit.csv', async (request, reply) => {
    const filter = utc(validate(z.object(filterQuery), request.query))
    const batches = streamAudit(store.db, request.admin.platformId, filter)
    return sendCsv(reply, 'audit-trail.csv', AUDIT_COLUMNS, batches, (entry) => [
      entry.createdAt,
      entry.actorEmail ?? entry.actorLabel,
      actionLabel(entry.action),
      entry.targetName,
      describeDetails(entry.details).join('; '),
      entry.ip,
      entry.requestId,
    ])
  })
}
