// CSV exports of the console, streamed: rows are read in keyset batches and written as they come, so
// an export of 100,000 users holds one batch in memory. RFC 4180 quoting, and no cell a spreadsheet
// would run as a formula (OWASP "CSV injection").
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'

/** One cell: a leading ' defuses = + - @ (and tab, CR) at the start; quoted when it holds , " CR or LF. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

/** Sends `header` then each batch's rows as CSV lines, one chunk per batch, as the batches are read. */
export function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  header: readonly string[],
  batches: AsyncIterable<readonly T[]>,
  row: (item: T) => readonly (string | number | boolean | null | undefined)[],
) {
  async function* lines() {
    yield csvLine(header)
    for await (const batch of batches) yield batch.map((item) => csvLine(row(item))).join('')
  }
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines()))
}
