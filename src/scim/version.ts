// meta.version and the ETag header are the same weak entity tag (rfc7644#section-3.14).
import { preconditionFailed } from './errors.js'

export function etag(version: number): string {
  return `W/"${version}"`
}

/** Entity tags of an If-Match / If-None-Match header; `*` matches anything. */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter((t) => t !== '')
}

/** Throws 412 when If-Match is present and names neither `*` nor the current version. */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return
  const current = etag(version).slice(2)
  const sent = tags(header)
  if (!sent.includes('*') && !sent.includes(current)) {
    throw preconditionFailed(`The resource has changed: its version is ${etag(version)}, not ${header}.`)
  }
}

/** True when If-None-Match names the current version (or `*`): the client's copy is current. */
export function matchesIfNoneMatch(header: string | undefined, version: number): boolean {
  if (header === undefined) return false
  const sent = tags(header)
  return sent.includes('*') || sent.includes(etag(version).slice(2))
}
