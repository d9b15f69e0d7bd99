// What the handlers ask of the cluster state. Answers carry Kafka error codes as data; only
// broken invariants and I/O failures throw (the dispatcher turns those into UNKNOWN_SERVER_ERROR).

/** A topic as Metadata and the admin APIs see it. */
export interface TopicInfo {
  readonly name: string
  /** Canonical UUID string. */
  readonly topicId: string
  readonly partitionCount: number
  /** Topic-level config overrides (only the keys set on the topic). */
  readonly configs: Readonly<Record<string, string>>
  readonly isInternal: boolean
}

/** An answer with a Kafka error code and an optional message. */
export interface ErrorResult {
  readonly errorCode: number
  readonly errorMessage: string | null
}

export interface CreateTopicRequest {
  readonly name: string
  /** -1 means the broker default (num.partitions). */
  readonly numPartitions: number
  /** -1 means the broker default (1). */
  readonly replicationFactor: number
  /** Manual assignments; only [nodeId] per partition is acceptable on one node. */
  readonly assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[]
  readonly configs: readonly { name: string; value: string | null }[]
  readonly validateOnly: boolean
}

export type CreateTopicResult = ErrorResult & { readonly topic: TopicInfo | undefined }

export interface AppendResult extends ErrorResult {
  readonly baseOffset: bigint
  /** The broker time stamped on the batches under LogAppendTime, else -1. */
  readonly logAppendTimeMs: bigint
  readonly logStartOffset: bigint
  /** Per-batch errors (index of the batch in the request records) for INVALID_RECORD. */
  readonly recordErrors: readonly { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

export interface ReadResult {
  readonly errorCode: number
  readonly highWatermark: bigint
  readonly lastStableOffset: bigint
  readonly logStartOffset: bigint
  /** Whole record batches (possibly none); the last may be cut short by maxBytes as Kafka allows. */
  readonly records: Uint8Array | null
}

export interface ListOffsetResult {
  readonly errorCode: number
  readonly timestamp: bigint
  readonly offset: bigint
}

/** Special ListOffsets timestamps. */
export const ListOffsetsTimestamp = { Latest: -1n, Earliest: -2n, MaxTimestamp: -3n, EarliestLocal: -4n, LatestTiered: -5n } as const

/** ConfigOperation of IncrementalAlterConfigs. */
export const ConfigOperation = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const
export type ConfigOperation = (typeof ConfigOperation)[keyof typeof ConfigOperation]
