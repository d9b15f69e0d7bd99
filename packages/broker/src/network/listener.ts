// The TCP listener: accepts sockets and gives each a Connection. It knows nothing of Kafka
// messages; the dispatcher it is given does.
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import type { Clock } from '@tributary/protocol'
import { readBufferPool } from '@tributary/log'
import { Connection } from './connection.ts'
import type { ConnectionLimits, RequestDispatcher } from './connection.ts'
import type { Logger } from '../logger.ts'

export interface ListenerOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  readonly limits: ConnectionLimits
  /** Connections beyond this many are refused (closed on accept). */
  readonly maxConnections: number
  readonly dispatch: RequestDispatcher
  readonly clock: Clock
  readonly logger: Logger
}

export interface Listener {
  /** The bound address (the real port when 0 was asked). */
  readonly host: string
  readonly port: number
  /** Live connections. */
  readonly connections: ReadonlySet<Connection>
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes every connection. */
  close(graceMs: number): Promise<void>
}

function giveBackReadBuffers(chunks: readonly Uint8Array[]): void {
  for (const chunk of chunks) readBufferPool.give(chunk)
}

/** Binds and starts accepting. Resolves once the socket listens. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const connections = new Set<Connection>()
  let nextConnectionId = 1
  const server: Server = createServer({ noDelay: true, keepAlive: true }, (socket) => {
    if (connections.size >= options.maxConnections) {
      options.logger.warn('refusing connection: too many connections', { maxConnections: options.maxConnections })
      socket.destroy()
      return
    }
    const connection = new Connection({
      socket,
      connectionId: nextConnectionId++,
      dispatch: options.dispatch,
      limits: options.limits,
      clock: options.clock,
      logger: options.logger,
      onClose: (closed) => connections.delete(closed),
      // Fetch responses carry log read buffers by reference; once sent they can be reused.
      onFrameWritten: giveBackReadBuffers,
    })
    connections.add(connection)
  })
  server.on('error', (error) => options.logger.error('listener error', { error: error.message }))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address')
  return {
    host: address.address,
    port: address.port,
    connections,
    async close(graceMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all([...connections].map((connection) => connection.closeGracefully(graceMs)))
      await closed
    },
  }
}
