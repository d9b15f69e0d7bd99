// Internal: requests to brokers through the wrapped library's connection pool and version
// negotiation. Everything that needs one exact request (group membership, TxnOffsetCommit,
// Fetch) goes through `Wire.call`, so the rest of the package never touches library internals.
import { kGetApi, kGetConnection, Writer as LibraryWriter, type Base, type BaseOptions, type ClusterMetadata, type Connection } from '@platformatic/kafka'
import { requestHeaderVersion, responseHeaderVersion } from '@tributary/protocol'
import { ClientError, ClientErrorCode, toClientError } from './errors.ts'
import { parseBootstrapServers, type ClientOptions } from './types.ts'

/** Partition layout of one topic as the client sees it. */
export interface TopicLayout {
  /** Topic id (v10+ metadata) or the topic name (older brokers); used as Fetch's topic key. */
  id: string
  partitions: { partition: number; leader: number; leaderEpoch: number }[]
}

export interface ClusterView {
  brokers: Map<number, { host: string; port: number }>
  topics: Map<string, TopicLayout>
  controllerId: number
}

type AnyApi = ((...args: unknown[]) => void) & { version: number; key: number }

export function toBaseOptions(options: ClientOptions, clientIdFallback: string): BaseOptions {
  const bootstrapBrokers = parseBootstrapServers(options.bootstrapServers)
  if (bootstrapBrokers.length === 0) {
    throw new ClientError(ClientErrorCode.InvalidArgument, 'bootstrapServers is empty', { domain: 'user', retriable: false })
  }
  return {
    clientId: options.clientId ?? clientIdFallback,
    bootstrapBrokers,
    timeout: options.requestTimeoutMs ?? 30_000,
    connectTimeout: options.requestTimeoutMs ?? 30_000,
    retries: options.retries ?? 3,
    retryDelay: options.retryDelayMs ?? 250,
    metadataMaxAge: options.metadataMaxAgeMs ?? 300_000,
    autocreateTopics: false,
  }
}

export class Wire {
  readonly #base: Base

  constructor(base: Base) {
    this.#base = base
  }

  /** Cluster metadata for `topics` (cached up to metadataMaxAgeMs unless `forceUpdate`). */
  async metadata(topics: readonly string[], forceUpdate = false): Promise<ClusterView> {
    let metadata: ClusterMetadata
    try {
      metadata = await this.#base.metadata({ topics: [...topics], forceUpdate })
    } catch (error) {
      throw toClientError(error, 'metadata')
    }
    return toClusterView(metadata)
  }

  /** The highest version of `apiName` both sides support. */
  async apiVersion(apiName: string): Promise<number> {
    return (await this.#api(apiName)).version
  }

  /**
   * Sends one request to broker `nodeId` and returns the decoded response. A response whose
   * error code is set rejects with the wrapped-library error; callers that need the response
   * anyway use `responseOf(error)`. Errors are NOT mapped here so callers can inspect codes.
   */
  async callRaw<T>(apiName: string, nodeId: number, args: unknown[]): Promise<T> {
    const api = await this.#api(apiName)
    const connection = await this.#connection(nodeId)
    return await new Promise<T>((resolve, reject) => {
      api(connection, ...args, (error: Error | null, response?: T) => (error ? reject(error) : resolve(response as T)))
    })
  }

  /**
   * Sends one request whose body we encoded (with @tributary/protocol) to broker `nodeId` on the
   * wrapped library's connection, which adds the request header and matches the response by
   * correlation id (in the header versions @tributary/protocol gives for the API and version);
   * `decode` gets the response body. `expectResponse` false (Produce with acks=0) resolves once
   * the request is queued, with undefined. Errors are NOT mapped.
   */
  async sendEncoded<T>(nodeId: number, request: { apiKey: number; version: number; body: Uint8Array; expectResponse: boolean }, decode: (body: Uint8Array) => T): Promise<T | undefined> {
    const connection = await this.#connection(nodeId)
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
    return await new Promise<T | undefined>((resolve, reject) => {
      connection.send<T | undefined>(
        request.apiKey,
        request.version,
        () => {
          const writer = LibraryWriter.create().append(body)
          if (!request.expectResponse) writer.context.noResponse = true
          return writer
        },
        (_correlationId, _apiKey, _apiVersion, reader) => {
          const bytes = reader.buffer.buffer
          return decode(reader.position === 0 ? bytes : bytes.subarray(reader.position))
        },
        requestHeaderVersion(request.apiKey, request.version) >= 2,
        responseHeaderVersion(request.apiKey, request.version) >= 1,
        (error, response) => (error ? reject(error) : resolve(response)),
      )
    })
  }

  async #connection(nodeId: number): Promise<Connection> {
    const metadata = this.#base.currentMetadata ?? (await this.#base.metadata({ topics: [] }))
    const broker = metadata.brokers.get(nodeId)
    if (broker === undefined) {
      throw new ClientError(ClientErrorCode.Network, `broker ${nodeId} is not in the cluster metadata`, { domain: 'external', retriable: true })
    }
    return await new Promise<Connection>((resolve, reject) => {
      this.#base[kGetConnection](broker, (error, value) => (error ? reject(error) : resolve(value as Connection)))
    })
  }

  /** `callRaw` with errors mapped to KafkaProtocolError / ClientError. */
  async call<T>(apiName: string, nodeId: number, args: unknown[]): Promise<T> {
    try {
      return await this.callRaw<T>(apiName, nodeId, args)
    } catch (error) {
      throw toClientError(error, apiName)
    }
  }

  /** Node id of the group (keyType 0) or transaction (keyType 1) coordinator of `key`. */
  async findCoordinator(keyType: 0 | 1, key: string): Promise<number> {
    const view = await this.metadata([])
    const anyNode = [...view.brokers.keys()][0]
    const version = await this.apiVersion('FindCoordinator')
    const response = await this.call<{ nodeId?: number; coordinators?: { key: string; nodeId: number }[] }>('FindCoordinator', anyNode, [keyType, [key]])
    if (version >= 4) {
      const found = response.coordinators?.find((coordinator) => coordinator.key === key)
      if (found !== undefined) return found.nodeId
    }
    if (typeof response.nodeId === 'number') return response.nodeId
    const first = response.coordinators?.[0]
    if (first !== undefined) return first.nodeId
    throw new ClientError(ClientErrorCode.Internal, `FindCoordinator returned no coordinator for ${key}`, { domain: 'external', retriable: true })
  }

  async #api(apiName: string): Promise<AnyApi> {
    return await new Promise<AnyApi>((resolve, reject) => {
      this.#base[kGetApi](apiName, (error, api) => (error ? reject(toClientError(error, apiName)) : resolve(api as unknown as AnyApi)))
    })
  }
}

export function toClusterView(metadata: ClusterMetadata): ClusterView {
  const topics = new Map<string, TopicLayout>()
  for (const [name, topic] of metadata.topics) {
    topics.set(name, {
      id: topic.id,
      partitions: topic.partitions.map((partition, index) => ({ partition: index, leader: partition.leader, leaderEpoch: partition.leaderEpoch })),
    })
  }
  const brokers = new Map<number, { host: string; port: number }>()
  for (const [nodeId, broker] of metadata.brokers) brokers.set(nodeId, { host: broker.host, port: broker.port })
  return { brokers, topics, controllerId: metadata.controllerId }
}
