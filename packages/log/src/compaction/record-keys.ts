// Produce-time check for compacted topics: Kafka rejects a record without a key on a topic with
// cleanup.policy containing `compact` (INVALID_RECORD, "Compacted topic cannot accept message
// without key"), since the cleaner could never supersede or delete it.
import { decodeRecordBatch, parseAttributes, readRecordBatchHeader, splitRecordBatches } from '@tributary/protocol'

export interface KeylessRecord {
  /** Index of the batch in `records`. */
  batchIndex: number
  /** Index of the record in its batch. */
  recordIndex: number
  message: string
}

/**
 * The first non-control record without a key in `records` (whole batches, as a Produce request
 * carries them), undefined when every record has one. Decodes (decompresses) the batches: call
 * it only for compacted topics, after the batches were validated.
 */
export function findRecordWithoutKey(records: Uint8Array): KeylessRecord | undefined {
  let batchIndex = 0
  for (const slice of splitRecordBatches(records)) {
    const header = readRecordBatchHeader(records, slice.position)
    if (!parseAttributes(header.attributes).isControl) {
      const batch = decodeRecordBatch(records, slice.position, { verifyCrc: false })
      const recordIndex = batch.records.findIndex((record) => record.key === null)
      if (recordIndex >= 0) return { batchIndex, recordIndex, message: 'Compacted topic cannot accept message without key' }
    }
    batchIndex++
  }
  return undefined
}
