// Fetching IdP metadata by URL (Entra's "App Federation Metadata Url"): https only (loopback
// excepted), bounded in time and size, no redirects to elsewhere followed blindly.
import { checkRemoteUrl } from './remote-url.js'
import { MetadataError } from './saml-metadata.js'

export const METADATA_TIMEOUT_MS = 10_000
export const METADATA_MAX_BYTES = 1024 * 1024

export async function fetchMetadata(
  address: string,
  { timeoutMs = METADATA_TIMEOUT_MS, maxBytes = METADATA_MAX_BYTES } = {},
): Promise<string> {
  const checked = checkRemoteUrl(address)
  if ('error' in checked) throw new MetadataError(checked.error)
  let response: Response
  try {
    response = await fetch(checked.url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    })
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'unreachable'
    throw new MetadataError(`The metadata URL could not be fetched (${reason}).`)
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    throw new MetadataError(`The metadata URL answered ${response.status}.`)
  }
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new MetadataError(`The metadata is larger than ${maxBytes} bytes.`)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = response.body?.getReader()
  try {
    while (reader) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        throw new MetadataError(`The metadata is larger than ${maxBytes} bytes.`)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof MetadataError) throw error
    throw new MetadataError('The metadata download was interrupted or took too long.')
  }
  return Buffer.concat(chunks).toString('utf8')
}
