// The interactive-query HTTP endpoint on `applicationServer`. Any instance answers a key query:
// it finds the key's partition from the serialized key (murmur2, as the producer placed it),
// answers from its local store when it hosts that task, else forwards the request once to the
// owner. Routes:
//   GET /v1/stores/{store}/keys/{base64url serialized key}  → {store, partition, host, value}
//       key-value stores: `value` is the key's value (null when absent);
//       window stores: `windows` = [{start, end, value}] of the key with start in [from, to]
//       (query parameters `from`, `to` in epoch ms; default: every retained window);
//       session stores: `sessions` = [{start, end, value}] of the key.
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
  /** What the local store holds for `key`: the value, or the key's windows / sessions. */
  localQuery(store: string, key: unknown, range: TimeRange): LocalAnswer
  metadata(): unknown
  prometheus(): string
}

/** Window start times to include, in epoch ms (both ends inclusive). */
export interface TimeRange {
  readonly fromMs: number
  readonly toMs: number
}

export const allTime: TimeRange = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }

/** One window or session of a key with its value. */
export interface WindowedValue {
  readonly start: number
  readonly end: number
  readonly value: unknown
}

export type LocalAnswer = { readonly value: unknown } | { readonly windows: readonly WindowedValue[] } | { readonly sessions: readonly WindowedValue[] }

export type KeyQueryResult = {
  readonly store: string
  readonly partition: number
  readonly host: string
} & LocalAnswer

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
export async function fetchKey(applicationServer: string, store: string, serializedKey: Uint8Array, options: { forwarded?: boolean; range?: TimeRange } = {}): Promise<KeyQueryResult> {
  const query = new URLSearchParams()
  if (options.range !== undefined) {
    query.set('from', String(options.range.fromMs))
    query.set('to', String(options.range.toMs))
  }
  if (options.forwarded === true) query.set('forwarded', '1')
  const url = `http://${applicationServer}/v1/stores/${encodeURIComponent(store)}/keys/${Buffer.from(serializedKey).toString('base64url')}${query.size > 0 ? `?${query}` : ''}`
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
  const range = timeRange(url.searchParams)
  if (typeof range === 'string') return reply(response, 400, { error: range, retriable: false })
  try {
    const { activeHost, partition } = host.ownerOf(store, serializedKey)
    if (activeHost === null) return reply(response, 503, { error: `no instance hosts partition ${partition} of store '${store}' yet`, retriable: true })
    if (activeHost !== host.applicationServer) {
      if (url.searchParams.get('forwarded') === '1') return reply(response, 503, { error: `this instance does not host partition ${partition} of '${store}' (assignment changing)`, retriable: true })
      return reply(response, 200, await fetchKey(activeHost, store, serializedKey, { forwarded: true, range }))
    }
    const key = keySerde.deserialize(store, serializedKey)
    const result: KeyQueryResult = { store, partition, host: host.applicationServer, ...host.localQuery(store, key, range) }
    return reply(response, 200, result)
  } catch (error) {
    if (error instanceof KafkaStreamsError) return reply(response, error.retriable ? 503 : error.code === KafkaStreamsErrorCode.InvalidStateStore ? 404 : 502, { error: error.message, retriable: error.retriable })
    throw error
  }
}

/** `from`/`to` query parameters (epoch ms), or what is wrong with them. */
function timeRange(params: URLSearchParams): TimeRange | string {
  const bound = (name: string, fallback: number): number | string => {
    const text = params.get(name)
    if (text === null) return fallback
    const value = Number(text)
    return /^-?\d+$/.test(text) && Number.isSafeInteger(value) ? value : `query parameter '${name}' must be an integer number of epoch milliseconds, got '${text}'`
  }
  const fromMs = bound('from', allTime.fromMs)
  const toMs = bound('to', allTime.toMs)
  if (typeof fromMs === 'string') return fromMs
  if (typeof toMs === 'string') return toMs
  if (fromMs > toMs) return `query parameter 'from' (${fromMs}) is after 'to' (${toMs})`
  return { fromMs, toMs }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)))
}

function splitHostPort(server: string): [string, number] {
  const index = server.lastIndexOf(':')
  return [server.slice(0, index), Number(server.slice(index + 1))]
}
