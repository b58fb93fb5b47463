// Raw HTTP over a real socket, for what app.inject cannot show: errors of Node's HTTP parser and
// bodies that the server stops reading.
import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'

export interface RawResponse {
  readonly status: number
  /** Header names lower-cased. */
  readonly headers: Record<string, string>
  readonly body: string
  /** Whether the connection ended with an error on the client side (EPIPE, ECONNRESET). */
  readonly socketError: string | undefined
}

/** Starts the app on 127.0.0.1 at a free port and returns the port. */
export async function listenLocal(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('The server has no TCP address')
  return address.port
}

/**
 * Writes the chunks in order (waiting `pauseMs` between them, and for the socket to drain, as a real
 * client would) until the server answers or closes, then reads the answer until the server closes the
 * connection (send `Connection: close` for a request that succeeds).
 */
export function rawRequest(
  port: number,
  chunks: readonly (string | Buffer)[],
  { pauseMs = 0 }: { pauseMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const received: Buffer[] = []
    let socketError: string | undefined
    let answered = false
    socket.on('data', (chunk) => {
      received.push(chunk)
      answered = true
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError = error.code ?? error.message
    })
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer within 20 s')))
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) {
        reject(new Error(`No HTTP response (socket: ${socketError ?? 'closed'}): ${JSON.stringify(text)}`))
        return
      }
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4), socketError })
    })
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (answered || socket.destroyed || !socket.writable) break
        if (!socket.write(chunk))
          await new Promise((drained) => {
            socket.once('drain', drained)
            socket.once('close', drained)
          })
        if (pauseMs > 0) await new Promise((pause) => setTimeout(pause, pauseMs))
      }
      // No half-close: Node's server would take it as the end of the exchange and drop a request still
      // being answered. Every request here ends with the server closing the connection.
    })
  })
}
