// Public value types of @tributary/client. Keys, values and header values stay bytes: serdes live
// in @tributary/streams. Offsets are bigint, as on the wire.

/** Connection settings shared by producer, consumer and admin. */
export interface ClientOptions {
  /** `host:port` list (array or comma-separated string). */
  bootstrapServers: string | readonly string[]
  clientId?: string
  /** Timeout of one request, and of connecting. Default 30000. */
  requestTimeoutMs?: number
  /** Retries of retriable errors inside one operation. Default 3. */
  retries?: number
  /** Delay between those retries. Default 250. */
  retryDelayMs?: number
  /** Cached cluster metadata is refreshed after this age. Default 300000. */
  metadataMaxAgeMs?: number
}

export interface TopicPartition {
  topic: string
  partition: number
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: bigint
  /** Leader epoch of the record before `offset`, when known; -1 otherwise. */
  leaderEpoch?: number
  /** Commit metadata string (offset commits only). */
  metadata?: string | null
}

export interface RecordHeader {
  key: string
  value: Uint8Array | null
}

/** A record to produce. Without `partition`, keyed records go to murmur2(key) % partitions. */
export interface ProducerRecord {
  topic: string
  key?: Uint8Array | null
  value: Uint8Array | null
  headers?: readonly RecordHeader[]
  partition?: number
  /** Create time in ms since the epoch; default: now. */
  timestamp?: bigint | number
}

/** Where a produced record landed. */
export interface RecordMetadata extends TopicPartition {
  offset: bigint
}

/** A fetched record. */
export interface ConsumerRecord extends TopicPartition {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: readonly RecordHeader[]
  leaderEpoch: number
}

/** What a transactional producer needs to commit a consumer's offsets (sendOffsetsToTransaction). */
export interface ConsumerGroupMetadata {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export const IsolationLevel = {
  ReadUncommitted: 'read_uncommitted',
  ReadCommitted: 'read_committed',
} as const
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel]

export const Compression = {
  None: 'none',
  Gzip: 'gzip',
  Snappy: 'snappy',
  Lz4: 'lz4',
  Zstd: 'zstd',
} as const
export type Compression = (typeof Compression)[keyof typeof Compression]

/** `topic-partition` string, the key of per-partition maps. */
export function topicPartitionKey(topicPartition: TopicPartition): string {
  return `${topicPartition.topic}\u0000${topicPartition.partition}`
}

export function parseBootstrapServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : [...servers]
  return list.map((server) => server.trim()).filter((server) => server.length > 0)
}
