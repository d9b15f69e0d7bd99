// The interactive-query HTTP endpoint on `applicationServer`. Any instance answers a key query:
// it finds the key's partition from the serialized key (murmur2, as the producer placed it),
// answers from its local store when it hosts that task, else forwards the request once to the
// owner. Routes:
//   GET /v1/stores/{store}/keys/{base64url serialized key}  → {store, partition, host, value}
//   GET /v1/metadata                                       → applicationServer → tasks
//   GET /metrics                                           → Prometheus text
// 503 + {retriable: true} while the store is restored or the group rebalances; 404 for an
// unknown store; 502 when the owner cannot be reached.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Serde } from '../serde/serde.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'

export interface QueryHost {
  readonly applicationServer: string
  /** Store name → key serde; only these stores are served over HTTP. */
  readonly keySerdes: ReadonlyMap<string, Serde<any>>
  ownerOf(store: string, serializedKey: Uint8Array): { activeHost: string | null; partition: number }
  /** The JSON-ready value of a key in the local store (null when absent). */
  localGet(store: string, key: unknown): unknown
  metadata(): unknown
  prometheus(): string
}

export interface KeyQueryResult {
  readonly store: string
  readonly partition: number
  readonly host: string
  readonly value: unknown
}

export async function startQueryServer(host: QueryHost): Promise<Server> {
  const [bindHost, port] = splitHostPort(host.applicationServer)
  const server = createServer((request, response) => {
    void handle(host, request, response).catch((error: unknown) => reply(response, 500, { error: String(error), retriable: false }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, bindHost, () => resolve())
  })
  return server
}

export async function stopQueryServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Asks `applicationServer` for a key; the instance forwards to the owner if needed. */
export async function fetchKey(applicationServer: string, store: string, serializedKey: Uint8Array, forwarded = false): Promise<KeyQueryResult> {
  const url = `http://${applicationServer}/v1/stores/${encodeURIComponent(store)}/keys/${Buffer.from(serializedKey).toString('base64url')}${forwarded ? '?forwarded=1' : ''}`
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    throw new KafkaStreamsError(KafkaStreamsErrorCode.Query, `instance ${applicationServer} is unreachable: ${String(error)}`, { cause: error, retriable: true })
  }
  const body = (await response.json()) as KeyQueryResult & { error?: string; retriable?: boolean }
  if (response.status === 200) return body
  const code = response.status === 503 ? KafkaStreamsErrorCode.InvalidStateStore : response.status === 404 ? KafkaStreamsErrorCode.InvalidStateStore : KafkaStreamsErrorCode.Query
  throw new KafkaStreamsError(code, `query of store '${store}' on ${applicationServer} failed (${response.status}): ${body.error}`, { retriable: body.retriable === true })
}

async function handle(host: QueryHost, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://query')
  if (request.method !== 'GET') return reply(response, 405, { error: 'only GET is served', retriable: false })
  if (url.pathname === '/v1/metadata') return reply(response, 200, host.metadata())
  if (url.pathname === '/metrics') {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
    response.end(host.prometheus())
    return
  }
  const match = /^\/v1\/stores\/([^/]+)\/keys\/([A-Za-z0-9_-]*)$/.exec(url.pathname)
  if (match === null) return reply(response, 404, { error: `no route ${url.pathname}`, retriable: false })
  const store = decodeURIComponent(match[1])
  const keySerde = host.keySerdes.get(store)
  if (keySerde === undefined) return reply(response, 404, { error: `store '${store}' is not queryable over HTTP (no key serde configured)`, retriable: false })
  const serializedKey = new Uint8Array(Buffer.from(match[2], 'base64url'))
  try {
    const { activeHost, partition } = host.ownerOf(store, serializedKey)
    if (activeHost === null) return reply(response, 503, { error: `no instance hosts partition ${partition} of store '${store}' yet`, retriable: true })
    if (activeHost !== host.applicationServer) {
      if (url.searchParams.get('forwarded') === '1') return reply(response, 503, { error: `this instance does not host partition ${partition} of '${store}' (assignment changing)`, retriable: true })
      return reply(response, 200, await fetchKey(activeHost, store, serializedKey, true))
    }
    const key = keySerde.deserialize(store, serializedKey)
    const result: KeyQueryResult = { store, partition, host: host.applicationServer, value: host.localGet(store, key) ?? null }
    return reply(response, 200, result)
  } catch (error) {
    if (error instanceof KafkaStreamsError) return reply(response, error.retriable ? 503 : error.code === KafkaStreamsErrorCode.InvalidStateStore ? 404 : 502, { error: error.message, retriable: error.retriable })
    throw error
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)))
}

function splitHostPort(server: string): [string, number] {
  const index = server.lastIndexOf(':')
  return [server.slice(0, index), Number(server.slice(index + 1))]
}
