// Addresses Muster itself fetches for SSO (an OIDC issuer, an IdP metadata URL) must be https:, except
// on loopback so a local IdP can be tested (SSO.md). Plain http elsewhere would let anyone on the path
// swap the keys Muster trusts.
import { isIP } from 'node:net'

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/** The URL when acceptable, else a sentence that says why not. */
export function checkRemoteUrl(text: string): { url: URL } | { error: string } {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return { error: 'Enter a full URL, e.g. https://login.example.com/.' }
  }
  if (url.username || url.password) return { error: 'The URL must not contain a user name or password.' }
  if (url.protocol === 'https:') return { url }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { url }
  return { error: 'Use an https: URL (plain http: is accepted only on 127.0.0.1, ::1 or localhost).' }
}
