// What compaction does to one stored record batch: a pure function of the batch bytes and the
// facts the cleaner gathered (latest offset per key, aborted transactions, producers' last
// batches). Offsets never move: a rewritten batch keeps its baseOffset and lastOffsetDelta, and
// every retained record its offsetDelta, so the batch still spans the same offsets (with gaps).
//
// Rules (Kafka's log cleaner, with KIP-534 delete horizons):
// - control batches (transaction markers) are kept as they are;
// - records of aborted transactions are removed;
// - a record is removed when a later record with the same key exists (offset map), or when its key is null;
// - a tombstone (null value) that is the latest for its key is kept until its batch's delete
//   horizon has passed. The first rewrite that keeps a tombstone sets the horizon
//   (nowMs + delete.retention.ms) in baseTimestamp with the hasDeleteHorizonMs attribute; record
//   timestampDeltas are recomputed against it, so record timestamps do not change;
// - a batch left without records is dropped, unless it is the last batch of its producer: then
//   an empty batch keeps the producerId, epoch, baseSequence and offset range, from which the
//   broker rebuilds the producer's sequence state.
import { decodeRecordBatch, encodeRecordBatch, NO_TIMESTAMP, parseAttributes, readRecordBatchHeader, RecordBatchAttribute } from '@tributary/protocol'
import type { KafkaRecord } from '@tributary/protocol'

/** What the cleaner knows about the log while it rewrites one batch. */
export interface BatchCleaningContext {
  nowMs: number
  deleteRetentionMs: number
  /** The latest offset of `key` in the dirty section, undefined when not there. */
  latestOffset(key: Uint8Array): bigint | undefined
  /** True when the transactional batch of `producerId` at `baseOffset` belongs to an aborted transaction. */
  isAborted(producerId: bigint, baseOffset: bigint): boolean
  /** True when the batch at `baseOffset` is the last data batch `producerId` wrote to the partition. */
  isLastBatchOfProducer(producerId: bigint, baseOffset: bigint): boolean
}

export type BatchCleaning =
  /** Unchanged: copy the stored bytes. */
  | { kind: 'keep'; deleteHorizonMs: number | undefined; removedRecords: 0 }
  /** Nothing left: leave the batch out. */
  | { kind: 'drop'; removedRecords: number }
  /** Re-encoded with the retained records (same offsets). */
  | { kind: 'rewrite'; bytes: Uint8Array; deleteHorizonMs: number | undefined; removedRecords: number }

/** Decides (and, for a rewrite, encodes) the cleaned form of the stored batch `bytes`. */
export function cleanBatch(bytes: Uint8Array, context: BatchCleaningContext): BatchCleaning {
  const header = readRecordBatchHeader(bytes)
  const attributes = parseAttributes(header.attributes)
  const existingHorizonMs = attributes.hasDeleteHorizonMs ? Number(header.baseTimestamp) : undefined
  if (attributes.isControl) return { kind: 'keep', deleteHorizonMs: existingHorizonMs, removedRecords: 0 }
  const batch = decodeRecordBatch(bytes, 0, { verifyCrc: false })
  const aborted = attributes.isTransactional && context.isAborted(header.producerId, header.baseOffset)
  const retained: KafkaRecord[] = []
  const timestamps: number[] = []
  let keepsTombstone = false
  for (const record of aborted ? [] : batch.records) {
    if (!isRetained(record, header.baseOffset, existingHorizonMs, context)) continue
    retained.push(record)
    // The create time: baseTimestamp (the horizon, once set) plus the delta, whatever the timestamp type.
    timestamps.push(Number(header.baseTimestamp) + record.timestampDelta)
    if (record.value === null) keepsTombstone = true
  }
  const removedRecords = batch.records.length - retained.length
  if (removedRecords === 0 && (!keepsTombstone || existingHorizonMs !== undefined)) {
    return { kind: 'keep', deleteHorizonMs: keepsTombstone ? existingHorizonMs : undefined, removedRecords: 0 }
  }
  const isProducerTail = header.producerId >= 0n && context.isLastBatchOfProducer(header.producerId, header.baseOffset)
  if (retained.length === 0 && !isProducerTail) return { kind: 'drop', removedRecords }
  const deleteHorizonMs = keepsTombstone ? (existingHorizonMs ?? context.nowMs + context.deleteRetentionMs) : undefined
  let baseTimestamp: number
  if (deleteHorizonMs !== undefined) baseTimestamp = deleteHorizonMs
  else baseTimestamp = retained.length > 0 ? timestamps[0] : Number(NO_TIMESTAMP)
  const isLogAppendTime = (header.attributes & RecordBatchAttribute.timestampTypeLogAppendTime) !== 0
  const maxTimestamp = isLogAppendTime || retained.length === 0 ? header.maxTimestamp : BigInt(timestamps.reduce((max, timestamp) => (timestamp > max ? timestamp : max), timestamps[0]))
  let attributeBits = header.attributes & ~RecordBatchAttribute.deleteHorizon
  if (deleteHorizonMs !== undefined) attributeBits |= RecordBatchAttribute.deleteHorizon
  const cleaned = encodeRecordBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    attributes: attributeBits,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: BigInt(baseTimestamp),
    maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    records: retained.map((record, i) => ({ ...record, timestampDelta: timestamps[i] - baseTimestamp })),
  })
  return { kind: 'rewrite', bytes: cleaned, deleteHorizonMs, removedRecords }
}

function isRetained(record: KafkaRecord, baseOffset: bigint, existingHorizonMs: number | undefined, context: BatchCleaningContext): boolean {
  // Kafka rejects keyless records on compacted topics; any left (written before the policy changed) go.
  if (record.key === null) return false
  const offset = baseOffset + BigInt(record.offsetDelta)
  const latest = context.latestOffset(record.key)
  if (latest !== undefined && offset < latest) return false
  if (record.value === null && existingHorizonMs !== undefined && context.nowMs >= existingHorizonMs) return false
  return true
}
