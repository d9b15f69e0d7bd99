// Control batches: transaction markers (COMMIT / ABORT) written by the transaction coordinator.
// A control batch has the transactional and control attribute bits and one record whose
// key is [version int16, type int16] and, for COMMIT/ABORT, whose value is
// [version int16, coordinatorEpoch int32].
import { ProtocolDecodeError } from '../errors.ts'
import { buildAttributes, NO_SEQUENCE, NO_PARTITION_LEADER_EPOCH, RecordBatchAttribute } from './record-batch-header.ts'
import { encodeRecordBatch } from './record-batch.ts'
import type { RecordBatch } from './record-batch.ts'
import type { KafkaRecord } from './record.ts'

/** Control record types (the int16 in a control record's key). 2-4 are KRaft's. */
export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderChange: 2,
  SnapshotHeader: 3,
  SnapshotFooter: 4,
} as const
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType]

/** The only control record key / marker value version Kafka writes. */
export const CONTROL_RECORD_VERSION = 0

export interface ControlBatchInput {
  producerId: bigint
  producerEpoch: number
  baseOffset: bigint
  /** Marker time in ms since the epoch (baseTimestamp and maxTimestamp). */
  timestamp: bigint
  /** true: COMMIT marker; false: ABORT marker. */
  commit: boolean
  coordinatorEpoch: number
  partitionLeaderEpoch?: number
}

/** A decoded control record. `coordinatorEpoch` is present for COMMIT and ABORT markers. */
export interface ControlRecord {
  version: number
  /** A ControlRecordType value, or another int16 from a newer broker. */
  type: number
  coordinatorEpoch?: number
}

/** Builds (not encodes) the RecordBatch of a transaction marker. */
export function createControlBatch(input: ControlBatchInput): RecordBatch {
  const key = new Uint8Array(4)
  const keyView = new DataView(key.buffer)
  keyView.setInt16(0, CONTROL_RECORD_VERSION)
  keyView.setInt16(2, input.commit ? ControlRecordType.Commit : ControlRecordType.Abort)
  const value = new Uint8Array(6)
  const valueView = new DataView(value.buffer)
  valueView.setInt16(0, CONTROL_RECORD_VERSION)
  valueView.setInt32(2, input.coordinatorEpoch)
  const record: KafkaRecord = { attributes: 0, timestampDelta: 0, offsetDelta: 0, key, value, headers: [] }
  return {
    baseOffset: input.baseOffset,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    attributes: buildAttributes({ isTransactional: true, isControl: true }),
    lastOffsetDelta: 0,
    baseTimestamp: input.timestamp,
    maxTimestamp: input.timestamp,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: NO_SEQUENCE,
    records: [record],
  }
}

/** Encodes a transaction marker batch: one control record, uncompressed. */
export function encodeControlBatch(input: ControlBatchInput): Uint8Array {
  return encodeRecordBatch(createControlBatch(input))
}

/** True when the batch's control attribute bit is set. */
export function isControlBatch(batch: Pick<RecordBatch, 'attributes'>): boolean {
  return (batch.attributes & RecordBatchAttribute.control) !== 0
}

/**
 * Parses a control record's key (and, for COMMIT/ABORT, its value). Throws
 * ProtocolDecodeError when the key or marker value is too short or null.
 */
export function decodeControlRecord(record: KafkaRecord): ControlRecord {
  const key = record.key
  if (key === null || key.length < 4) throw new ProtocolDecodeError('invalid control record', 0, { detail: `key of ${key?.length ?? 'null'} bytes, need 4` })
  const keyView = new DataView(key.buffer, key.byteOffset, key.length)
  const version = keyView.getInt16(0)
  const type = keyView.getInt16(2)
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return { version, type }
  const value = record.value
  if (value === null || value.length < 6) throw new ProtocolDecodeError('invalid control record', 0, { detail: `marker value of ${value?.length ?? 'null'} bytes, need 6` })
  return { version, type, coordinatorEpoch: new DataView(value.buffer, value.byteOffset, value.length).getInt32(2) }
}
