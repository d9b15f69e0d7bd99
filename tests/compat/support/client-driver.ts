// The common shape of a third-party client as the compat suites drive it. Each driver runs the
// real client (a CLI, a Python script under /usr/bin/python3, or a Node library); operations a
// client has no way to perform are absent, and the suite skips them with that reason.

export const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
export type Codec = (typeof codecs)[number]

/** Printable ASCII keys and values, so every client can carry them unchanged (kcat reads lines). */
export type KeyedRecord = { key: string; value: string }

export type ConsumedRecord = { partition: number; offset: number; key: string; value: string; timestampMs: number }

export type ClusterMetadata = {
  brokers: { nodeId: number; host: string; port: number }[]
  topics: { name: string; partitions: number }[]
}

export type ClientDriver = {
  name: string
  /** Undefined when usable, otherwise why not (becomes a skip reason). */
  unavailable(): string | undefined
  /** Codecs this client can produce with here, and why the others are missing. */
  codecs: { supported: readonly Codec[]; missingReason?: string }
  /** Whether consume() joins a consumer group (then the group APIs are needed too). */
  consumesThroughGroup: boolean
  metadata(bootstrap: string, topics: string[]): Promise<ClusterMetadata>
  produce(bootstrap: string, options: { topic: string; records: readonly KeyedRecord[]; compression: Codec; idempotent?: boolean }): Promise<void>
  /**
   * Reads until `count` records arrived: every partition from the beginning, or, with a group,
   * from the group's committed offsets (the beginning when none). With `commit`, the group
   * commits what it consumed before leaving.
   */
  consume(bootstrap: string, options: { topic: string; count: number; group?: string; commit?: boolean }): Promise<ConsumedRecord[]>
  /** Runs the transactions in order with one transactional id, committing or aborting each. */
  produceTransactions?(bootstrap: string, options: { topic: string; transactionalId: string; transactions: readonly { records: readonly KeyedRecord[]; commit: boolean }[] }): Promise<void>
  createTopic?(bootstrap: string, topic: string, partitions: number): Promise<void>
  deleteTopic?(bootstrap: string, topic: string): Promise<void>
  /**
   * Per partition: the first offset whose timestamp is ≥ timestampMs; when there is none,
   * -1 (Kafka's answer), or the high watermark for clients that substitute it (see below).
   */
  offsetsForTimes?(bootstrap: string, topic: string, partitions: number, timestampMs: number): Promise<Map<number, number>>
  /** Set when offsetsForTimes reports "no such offset" as the high watermark instead of -1. */
  offsetsForTimesPastEnd?: 'high-watermark'
  describeConfigs?(bootstrap: string, topic: string): Promise<Record<string, string | null>>
  alterConfigs?(bootstrap: string, topic: string, configs: Record<string, string>): Promise<void>
  /** Why the absent optional operations are absent. */
  missing?: Partial<Record<'createTopic' | 'deleteTopic' | 'offsetsForTimes' | 'describeConfigs' | 'alterConfigs' | 'produceTransactions', string>>
}
