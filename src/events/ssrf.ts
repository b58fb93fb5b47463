// Push URLs are chosen by a platform admin, and Muster connects to them from inside the operator's
// network: without a guard a stream could reach the cloud metadata service (169.254.169.254) or an
// internal admin port (server-side request forgery). Every address a URL's host resolves to is
// checked when the stream is created and again at each connection (DNS can change in between).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'

export interface AddressPolicy {
  /** EVENTS_ALLOW_LOOPBACK: 127.0.0.0/8 and ::1 (tests, a receiver on the same host). */
  readonly allowLoopback: boolean
  /** EVENTS_ALLOW_PRIVATE: RFC 1918, CGNAT and IPv6 unique-local ranges. */
  readonly allowPrivate: boolean
}

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

const privateRanges = new BlockList()
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4')
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4')
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4')
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4') // carrier-grade NAT (RFC 6598)
privateRanges.addSubnet('fc00::', 7, 'ipv6') // unique local (RFC 4193)

/** Never reachable, whatever the settings. */
const forbidden = new BlockList()
forbidden.addSubnet('0.0.0.0', 8, 'ipv4') // "this network", unspecified
forbidden.addSubnet('169.254.0.0', 16, 'ipv4') // link-local, cloud metadata
forbidden.addSubnet('192.0.0.0', 24, 'ipv4') // IETF protocol assignments
forbidden.addSubnet('198.18.0.0', 15, 'ipv4') // benchmarking
forbidden.addSubnet('224.0.0.0', 4, 'ipv4') // multicast
forbidden.addSubnet('240.0.0.0', 4, 'ipv4') // reserved, broadcast
forbidden.addAddress('::', 'ipv6') // unspecified
forbidden.addSubnet('fe80::', 10, 'ipv6') // link-local
forbidden.addSubnet('ff00::', 8, 'ipv6') // multicast
forbidden.addSubnet('64:ff9b::', 96, 'ipv6') // NAT64: an IPv4 address in disguise
forbidden.addSubnet('2002::', 16, 'ipv6') // 6to4: likewise

/** Why an address may not be connected to, or undefined when it may. */
export function refusal(address: string, policy: AddressPolicy): string | undefined {
  const family = isIP(address)
  if (family === 0) return `${address} is not an IP address`
  if (family === 6) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 address: judge that one.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped) return refusal(mapped[1] as string, policy)
    if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) return `${address} is an IPv4-mapped address`
  }
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (forbidden.check(address, type)) return `${address} is a link-local, multicast or reserved address`
  if (loopback.check(address, type))
    return policy.allowLoopback
      ? undefined
      : `${address} is a loopback address (EVENTS_ALLOW_LOOPBACK=1 allows it)`
  if (privateRanges.check(address, type))
    return policy.allowPrivate
      ? undefined
      : `${address} is a private address (EVENTS_ALLOW_PRIVATE=1 allows it)`
  return undefined
}

/** Checks a push URL when a stream is created: its form, then every address its host resolves to. */
export async function checkPushUrl(text: string, policy: AddressPolicy): Promise<string | undefined> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.username || url.password) return 'must not contain credentials'
  if (url.hash) return 'must not contain a fragment'
  const local = policy.allowLoopback || policy.allowPrivate
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    return 'must be an https:// URL (http:// only where EVENTS_ALLOW_LOOPBACK or EVENTS_ALLOW_PRIVATE is set)'
  const host = hostOf(url)
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await resolveAll(host)).map((a) => a.address)
  } catch (error) {
    return `host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`
  }
  for (const address of addresses) {
    const why = refusal(address, policy)
    if (why) return `refused: ${why}`
  }
  if (
    url.protocol === 'http:' &&
    addresses.some((a) => refusal(a, { allowLoopback: false, allowPrivate: false }) === undefined)
  )
    return 'must be an https:// URL for a public address'
  return undefined
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '')
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  )
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * A `lookup` for http.request that refuses a connection when any address of the host is refused:
 * the check happens at connection time, on the addresses actually connected to.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      for (const { address } of addresses) {
        const why = refusal(address, policy)
        if (why) {
          const refused = Object.assign(new Error(`Connection refused by the SSRF guard: ${why}`), {
            code: 'ESSRF',
          })
          return callback(refused, [])
        }
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0] as LookupAddress
      return callback(null, first.address, first.family)
    })
  }
}
