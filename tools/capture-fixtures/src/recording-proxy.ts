// A recording TCP proxy: one listener per upstream broker, frames split in both directions,
// requests paired with responses by correlation id, advertised broker ports rewritten so the
// client keeps talking through the proxy after its first Metadata response.
import { createServer, connect, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import type { ApiInfo } from './api-catalog.ts'
import { encodeFrame, FrameSplitter } from './frame-splitter.ts'
import { rewriteAdvertisedPorts } from './address-rewrite.ts'

export type Exchange = {
  connectionId: number
  apiKey: number
  apiVersion: number
  correlationId: number
  /** Request frame without size prefix (request header + body). */
  request: Buffer
  /** Response frame as the broker sent it (before port rewriting); undefined for acks=0 produce. */
  response: Buffer | undefined
  /** The proxy's label at the moment the request was seen (the running scenario). */
  label: string
}

export type RecordingProxyOptions = {
  upstreams: { host: string; port: number }[]
  catalog: ReadonlyMap<number, ApiInfo>
  /** Bound on pending (unanswered) requests per connection. */
  pendingRequestsMax?: number
}

export type RecordingProxy = {
  /** Bootstrap list pointing at the proxy's listeners. */
  bootstrap: string
  /** Set before each scenario; stamped on every exchange it produces. */
  label: string
  readonly exchanges: Exchange[]
  close(): Promise<void>
}

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const portMap = new Map<number, number>()
  const servers: Server[] = []
  const sockets = new Set<Socket>()
  let nextConnectionId = 1
  const proxy: RecordingProxy = {
    bootstrap: '',
    label: '',
    exchanges: [],
    async close() {
      for (const socket of sockets) socket.destroy()
      await Promise.all(servers.map((server) => new Promise((resolveClose) => server.close(resolveClose))))
    },
  }
  for (const upstream of options.upstreams) {
    const server = createServer((client) => {
      const connectionId = nextConnectionId++
      const broker = connect(upstream.port, upstream.host)
      sockets.add(client).add(broker)
      relay({ client, broker, connectionId, portMap, options, proxy })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('proxy listener has no port')
    portMap.set(upstream.port, address.port)
    servers.push(server)
  }
  proxy.bootstrap = [...portMap.values()].map((port) => `127.0.0.1:${port}`).join(',')
  return proxy
}

type RelayContext = {
  client: Socket
  broker: Socket
  connectionId: number
  portMap: ReadonlyMap<number, number>
  options: RecordingProxyOptions
  proxy: RecordingProxy
}

function relay(context: RelayContext): void {
  const { client, broker, connectionId, portMap, options, proxy } = context
  const pendingRequestsMax = options.pendingRequestsMax ?? 1024
  const pending = new Map<number, Exchange>()
  const requests = new FrameSplitter()
  const responses = new FrameSplitter()
  const fail = (error: Error) => { client.destroy(error); broker.destroy(error) }
  client.on('data', (chunk: Buffer) => {
    try {
      for (const frame of requests.push(chunk)) {
        const exchange: Exchange = {
          connectionId,
          apiKey: frame.readInt16BE(0),
          apiVersion: frame.readInt16BE(2),
          correlationId: frame.readInt32BE(4),
          request: Buffer.from(frame),
          response: undefined,
          label: proxy.label,
        }
        if (pending.size >= pendingRequestsMax) throw new Error(`more than ${pendingRequestsMax} pending requests`)
        pending.set(exchange.correlationId, exchange)
        proxy.exchanges.push(exchange)
        broker.write(encodeFrame(frame))
      }
    } catch (error) { fail(error as Error) }
  })
  broker.on('data', (chunk: Buffer) => {
    try {
      for (const frame of responses.push(chunk)) {
        const correlationId = frame.readInt32BE(0)
        const exchange = pending.get(correlationId)
        if (exchange === undefined) throw new Error(`response with unknown correlation id ${correlationId}`)
        pending.delete(correlationId)
        exchange.response = Buffer.from(frame)
        const flexible = exchange.apiVersion >= (options.catalog.get(exchange.apiKey)?.firstFlexibleVersion ?? Infinity)
        client.write(encodeFrame(rewriteAdvertisedPorts(frame, exchange.apiKey, exchange.apiVersion, flexible, portMap)))
      }
    } catch (error) { fail(error as Error) }
  })
  client.on('close', () => broker.destroy())
  broker.on('close', () => client.destroy())
  client.on('error', () => broker.destroy())
  broker.on('error', () => client.destroy())
}
