// The few record batch v2 header fields the log needs to place a batch: where it ends, which
// offsets it holds, its newest timestamp. Read straight from bytes at fixed positions (see
// docs/implementation.html, "Record Batch"); decoding records is the protocol package's job.

/** baseOffset (int64) + batchLength (int32): the bytes before `batchLength` starts counting. */
export const BATCH_LOG_OVERHEAD_BYTES = 12
/** Bytes up to and including the records count: the smallest valid batch. */
export const BATCH_HEADER_BYTES = 61
/** Bytes of the header this module reads (through maxTimestamp). */
export const BATCH_FRAME_PREFIX_BYTES = 43

const BATCH_LENGTH_AT = 8
const MAGIC_AT = 16
const CRC_AT = 17
const ATTRIBUTES_AT = 21
const LAST_OFFSET_DELTA_AT = 23
const BASE_TIMESTAMP_AT = 27
const MAX_TIMESTAMP_AT = 35
const TIMESTAMP_TYPE_BIT = 0x08

/** Where one batch sits and what it holds. */
export interface BatchFrame {
  /** Byte position of the batch (its baseOffset field) in the buffer or file it was read from. */
  position: number
  /** Whole batch bytes: BATCH_LOG_OVERHEAD_BYTES + batchLength. */
  sizeBytes: number
  baseOffset: bigint
  lastOffsetDelta: number
  /** The first record's timestamp (CreateTime), as the producer wrote it. */
  baseTimestampMs: number
  /** The newest record timestamp of the batch (the append time for LogAppendTime batches). */
  maxTimestampMs: number
  isLogAppendTime: boolean
  /** The stored CRC-32C over attributes..end. */
  crc: number
}

/** Why bytes at a position are not a batch. */
export type FrameProblem = 'truncated' | 'bad length' | 'bad magic'

/**
 * Reads the frame of the batch at `position` of `bytes`, which must hold at least
 * BATCH_FRAME_PREFIX_BYTES from there (else 'truncated'). `maxSizeBytes` bounds a sane length.
 * The whole batch need not be present; callers compare `sizeBytes` with what they have.
 */
export function readBatchFrame(bytes: Uint8Array, position: number, maxSizeBytes: number): BatchFrame | FrameProblem {
  if (bytes.length - position < BATCH_FRAME_PREFIX_BYTES) return 'truncated'
  const view = new DataView(bytes.buffer, bytes.byteOffset + position, BATCH_FRAME_PREFIX_BYTES)
  const batchLength = view.getInt32(BATCH_LENGTH_AT)
  const sizeBytes = BATCH_LOG_OVERHEAD_BYTES + batchLength
  if (sizeBytes < BATCH_HEADER_BYTES || sizeBytes > maxSizeBytes) return 'bad length'
  if (view.getInt8(MAGIC_AT) !== 2) return 'bad magic'
  const lastOffsetDelta = view.getInt32(LAST_OFFSET_DELTA_AT)
  if (lastOffsetDelta < 0) return 'bad length'
  return {
    position,
    sizeBytes,
    baseOffset: view.getBigInt64(0),
    lastOffsetDelta,
    baseTimestampMs: Number(view.getBigInt64(BASE_TIMESTAMP_AT)),
    maxTimestampMs: Number(view.getBigInt64(MAX_TIMESTAMP_AT)),
    isLogAppendTime: (view.getInt16(ATTRIBUTES_AT) & TIMESTAMP_TYPE_BIT) !== 0,
    crc: view.getUint32(CRC_AT),
  }
}

/** The last offset of a batch. */
export function lastOffsetOf(frame: BatchFrame): bigint {
  return frame.baseOffset + BigInt(frame.lastOffsetDelta)
}

/** Byte position (within the batch) where the CRC-covered part starts. */
export const CRC_COVERED_FROM = ATTRIBUTES_AT
