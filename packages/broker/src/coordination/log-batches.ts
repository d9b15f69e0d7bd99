// Reading and writing whole record batches of a partition for the coordination shell: a scan of
// every stored batch (replay of the internal topics, producer-state rebuild) and the appends of
// coordinator records and transaction markers, which bypass the Produce checks on purpose (the
// broker itself writes them).
import {
  createRecordBatch, decodeControlRecord, decodeRecordBatch, encodeControlBatch, encodeRecordBatch, parseAttributes,
  readRecordBatchHeader, splitRecordBatches,
} from '@tributary/protocol'
import type { RecordBatchHeader } from '@tributary/protocol'
import type { PartitionLog } from '@tributary/log'
import type { CoordinatorRecord, TransactionalAppend } from '../coordinator/index.ts'
import type { EndTransactionMarker, LoggedBatch } from '../coordinator/index.ts'

/** Bytes read per step while scanning a partition. */
export const SCAN_READ_BYTES = 1024 * 1024
/** The leader epoch stamped into batches (one node, never re-elected). */
const leaderEpoch = 0

/** One stored batch: its header and its bytes (a view into the read buffer). */
export interface StoredBatch {
  readonly header: RecordBatchHeader
  readonly bytes: Uint8Array
}

/** Every batch from logStartOffset to the log end (not only up to the high watermark), in offset order. */
export function* scanBatches(log: PartitionLog): Generator<StoredBatch, void, undefined> {
  let offset = log.logStartOffset
  const endOffset = log.logEndOffset
  while (offset < endOffset) {
    const { records } = log.read(offset, SCAN_READ_BYTES, { maxOffset: endOffset })
    let advanced = false
    for (const slice of splitRecordBatches(records)) {
      const header = readRecordBatchHeader(slice.bytes)
      if (header.lastOffset < offset) continue
      yield { header, bytes: slice.bytes }
      offset = header.lastOffset + 1n
      advanced = true
    }
    if (!advanced) break
  }
}

/** The producer view of a stored batch, for PartitionProducerState.rebuildFrom. */
export function loggedBatchOf(batch: StoredBatch): LoggedBatch {
  const { header } = batch
  const attributes = parseAttributes(header.attributes)
  let control: LoggedBatch['control'] = null
  if (attributes.isControl) {
    const record = decodeRecordBatch(batch.bytes, 0, { verifyCrc: false }).records[0]
    const decoded = record === undefined ? undefined : decodeControlRecord(record)
    if (decoded !== undefined && (decoded.type === 0 || decoded.type === 1)) control = { isCommit: decoded.type === 1, coordinatorEpoch: decoded.coordinatorEpoch ?? 0 }
  }
  return {
    producerId: Number(header.producerId),
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastOffsetDelta: header.lastOffsetDelta,
    isTransactional: attributes.isTransactional,
    maxTimestampMs: Number(header.maxTimestamp),
    baseOffset: Number(header.baseOffset),
    control,
  }
}

/** Appends coordinator records as one batch (transactional when `transaction` is set); returns its base offset. */
export function appendCoordinatorRecords(log: PartitionLog, records: readonly CoordinatorRecord[], transaction: TransactionalAppend | null, nowMs: number): bigint {
  const batch = createRecordBatch({
    records: records.map((record) => ({ key: record.key, value: record.value })),
    timestamp: nowMs,
    isTransactional: transaction !== null,
    producerId: transaction === null ? -1n : BigInt(transaction.producerId),
    producerEpoch: transaction === null ? -1 : transaction.producerEpoch,
    partitionLeaderEpoch: leaderEpoch,
  })
  return log.append(encodeRecordBatch(batch), { timestampType: log.config.messageTimestampType, nowMs, partitionLeaderEpoch: leaderEpoch }).baseOffset
}

/** Appends a COMMIT/ABORT control batch; returns its offset. */
export function appendTransactionMarker(log: PartitionLog, marker: EndTransactionMarker, nowMs: number): bigint {
  const bytes = encodeControlBatch({
    producerId: BigInt(marker.producerId), producerEpoch: marker.producerEpoch, baseOffset: 0n, timestamp: BigInt(nowMs),
    commit: marker.isCommit, coordinatorEpoch: marker.coordinatorEpoch, partitionLeaderEpoch: leaderEpoch,
  })
  return log.append(bytes, { timestampType: log.config.messageTimestampType, nowMs, partitionLeaderEpoch: leaderEpoch }).baseOffset
}

/** Decodes the data records of a stored (non-control) batch as coordinator records. */
export function coordinatorRecordsOf(batch: StoredBatch): CoordinatorRecord[] {
  return decodeRecordBatch(batch.bytes, 0, { verifyCrc: false }).records.flatMap((record) => record.key === null ? [] : [{ key: record.key, value: record.value }])
}
