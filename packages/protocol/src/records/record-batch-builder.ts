// Convenience: build a RecordBatch from plain records with absolute timestamps, computing the
// deltas, lastOffsetDelta, baseTimestamp and maxTimestamp as a producer does.
import { ProtocolEncodeError } from '../errors.ts'
import type { CompressionType } from '../compression/compression-type.ts'
import { buildAttributes, NO_PARTITION_LEADER_EPOCH, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE } from './record-batch-header.ts'
import type { TimestampType } from './record-batch-header.ts'
import type { RecordBatch } from './record-batch.ts'
import type { KafkaRecord, RecordHeader } from './record.ts'

/** A record as a producer sees it. */
export interface RecordInput {
  key?: Uint8Array | null
  value?: Uint8Array | null
  headers?: RecordHeader[]
  /** ms since the epoch; defaults to the batch's `timestamp`. */
  timestamp?: number
}

export interface RecordBatchInput {
  records: RecordInput[]
  /** Default 0n (a producer's batch; the broker assigns offsets). */
  baseOffset?: bigint
  /** Timestamp (ms) for records without one. Required if any record lacks a timestamp. */
  timestamp?: number
  compression?: CompressionType
  timestampType?: TimestampType
  isTransactional?: boolean
  /** Idempotent / transactional producers; defaults -1 (none). */
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  partitionLeaderEpoch?: number
}

/**
 * Builds a RecordBatch: offsetDelta i for the i-th record, timestamps relative to the first
 * record's, maxTimestamp the largest. An empty batch gets timestamps -1.
 * @example encodeRecordBatch(createRecordBatch({ records: [{ value }], timestamp: clock.nowMs() }))
 */
export function createRecordBatch(input: RecordBatchInput): RecordBatch {
  const timestamps = input.records.map((record, index) => {
    const timestamp = record.timestamp ?? input.timestamp
    if (timestamp === undefined) throw new ProtocolEncodeError(`record ${index} has no timestamp and the batch gives no default`)
    if (!Number.isSafeInteger(timestamp)) throw new ProtocolEncodeError(`record ${index} timestamp ${timestamp} is not a safe integer`)
    return timestamp
  })
  const baseTimestamp = timestamps.length === 0 ? -1 : timestamps[0]
  let maxTimestamp = baseTimestamp
  for (const timestamp of timestamps) if (timestamp > maxTimestamp) maxTimestamp = timestamp
  const records: KafkaRecord[] = input.records.map((record, index) => ({
    attributes: 0,
    timestampDelta: timestamps[index] - baseTimestamp,
    offsetDelta: index,
    key: record.key ?? null,
    value: record.value ?? null,
    headers: record.headers ?? [],
  }))
  return {
    baseOffset: input.baseOffset ?? 0n,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    attributes: buildAttributes({ compression: input.compression, timestampType: input.timestampType, isTransactional: input.isTransactional }),
    lastOffsetDelta: Math.max(0, records.length - 1),
    baseTimestamp: BigInt(baseTimestamp),
    maxTimestamp: BigInt(maxTimestamp),
    producerId: input.producerId ?? NO_PRODUCER_ID,
    producerEpoch: input.producerEpoch ?? NO_PRODUCER_EPOCH,
    baseSequence: input.baseSequence ?? NO_SEQUENCE,
    records,
  }
}
