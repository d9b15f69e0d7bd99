// The record batch v2 (magic 2) header: byte layout, attribute bits, and cheap operations on raw
// bytes for the storage layer (read the header, assign offsets, stamp LogAppendTime, validate,
// split a records blob into batches) without decoding records.
//
// Layout (big-endian):
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records...
// batchLength counts the bytes after itself; the CRC-32C covers attributes through the end.
import { crc32c } from './crc32c.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'
import type { CompressionType } from '../compression/compression-type.ts'

/** Byte offsets of the v2 header fields, from the start of the batch. */
export const RecordBatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const

/** Size of the v2 header; the records follow it. */
export const RECORD_BATCH_HEADER_BYTES = 61
/** baseOffset + batchLength: the bytes before what batchLength counts (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12
/** Smallest legal batchLength: a header with no records. */
export const RECORD_BATCH_MIN_LENGTH = RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD
/** The only magic (message format version) this package reads and writes. */
export const RECORD_BATCH_MAGIC = 2
/** Kafka's "no timestamp" (-1). */
export const NO_TIMESTAMP = -1n
/** Kafka's "no producer id / epoch / sequence" (-1). */
export const NO_PRODUCER_ID = -1n
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
/** Kafka's "no partition leader epoch" (-1). */
export const NO_PARTITION_LEADER_EPOCH = -1

/** Bit masks of the int16 attributes field. */
export const RecordBatchAttribute = {
  compressionMask: 0x07,
  timestampTypeLogAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const

/** Timestamp type (attributes bit 3). */
export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType]

/** All header fields of one batch, plus derived `lastOffset` and `sizeInBytes`. */
export interface RecordBatchHeader {
  baseOffset: bigint
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  /** Stored CRC-32C, unsigned. */
  crc: number
  attributes: number
  lastOffsetDelta: number
  /** Milliseconds since the epoch, or -1n; exact int64. With hasDeleteHorizonMs, the delete horizon. */
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordsCount: number
  /** baseOffset + lastOffsetDelta. */
  lastOffset: bigint
  /** Whole batch on the wire: LOG_OVERHEAD + batchLength. */
  sizeInBytes: number
}

/** The parts of `attributes`, decoded. */
export interface RecordBatchAttributes {
  compression: CompressionType | 5 | 6 | 7
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizonMs: boolean
}

/** Splits an attributes int16 into its parts (unknown compression ids are passed through). */
export function parseAttributes(attributes: number): RecordBatchAttributes {
  return {
    compression: (attributes & RecordBatchAttribute.compressionMask) as RecordBatchAttributes['compression'],
    timestampType: attributes & RecordBatchAttribute.timestampTypeLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & RecordBatchAttribute.transactional) !== 0,
    isControl: (attributes & RecordBatchAttribute.control) !== 0,
    hasDeleteHorizonMs: (attributes & RecordBatchAttribute.deleteHorizon) !== 0,
  }
}

/** Builds an attributes int16; omitted parts are 0 / false. */
export function buildAttributes(parts: Partial<RecordBatchAttributes>): number {
  let attributes = (parts.compression ?? 0) & RecordBatchAttribute.compressionMask
  if (parts.timestampType === TimestampType.LogAppendTime) attributes |= RecordBatchAttribute.timestampTypeLogAppendTime
  if (parts.isTransactional === true) attributes |= RecordBatchAttribute.transactional
  if (parts.isControl === true) attributes |= RecordBatchAttribute.control
  if (parts.hasDeleteHorizonMs === true) attributes |= RecordBatchAttribute.deleteHorizon
  return attributes
}

/** Compression codec id (bits 0-2). */
export function compressionOf(attributes: number): number {
  return attributes & RecordBatchAttribute.compressionMask
}

/**
 * Reads the header of the batch at `position` without checking its CRC.
 * Throws RecordBatchError when fewer than 61 bytes remain, the magic is not 2, or batchLength
 * is below the header size.
 */
export function readRecordBatchHeader(bytes: Uint8Array, position = 0): RecordBatchHeader {
  checkHeaderBounds(bytes, position)
  const view = new DataView(bytes.buffer, bytes.byteOffset + position, RECORD_BATCH_HEADER_BYTES)
  const baseOffset = view.getBigInt64(RecordBatchField.baseOffset)
  const batchLength = view.getInt32(RecordBatchField.batchLength)
  const lastOffsetDelta = view.getInt32(RecordBatchField.lastOffsetDelta)
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: view.getInt32(RecordBatchField.partitionLeaderEpoch),
    magic: view.getInt8(RecordBatchField.magic),
    crc: view.getUint32(RecordBatchField.crc),
    attributes: view.getInt16(RecordBatchField.attributes),
    lastOffsetDelta,
    baseTimestamp: view.getBigInt64(RecordBatchField.baseTimestamp),
    maxTimestamp: view.getBigInt64(RecordBatchField.maxTimestamp),
    producerId: view.getBigInt64(RecordBatchField.producerId),
    producerEpoch: view.getInt16(RecordBatchField.producerEpoch),
    baseSequence: view.getInt32(RecordBatchField.baseSequence),
    recordsCount: view.getInt32(RecordBatchField.recordsCount),
    lastOffset: baseOffset + BigInt(lastOffsetDelta),
    sizeInBytes: LOG_OVERHEAD + batchLength,
  }
}

/** Overwrites baseOffset (not covered by the CRC, so the CRC stays valid). */
export function writeBaseOffset(bytes: Uint8Array, position: number, baseOffset: bigint): void {
  checkHeaderBounds(bytes, position)
  new DataView(bytes.buffer, bytes.byteOffset + position, 8).setBigInt64(0, baseOffset)
}

/** Overwrites partitionLeaderEpoch (not covered by the CRC). */
export function writePartitionLeaderEpoch(bytes: Uint8Array, position: number, partitionLeaderEpoch: number): void {
  checkHeaderBounds(bytes, position)
  new DataView(bytes.buffer, bytes.byteOffset + position, RECORD_BATCH_HEADER_BYTES).setInt32(RecordBatchField.partitionLeaderEpoch, partitionLeaderEpoch)
}

/**
 * Stamps the batch as LogAppendTime: sets attributes bit 3, sets maxTimestamp to `timestampMs`,
 * and rewrites the CRC (both fields are covered by it). Consumers then use maxTimestamp as the
 * timestamp of every record in the batch.
 */
export function setLogAppendTime(bytes: Uint8Array, position: number, timestampMs: bigint): void {
  const header = readRecordBatchHeader(bytes, position)
  checkBatchBounds(bytes, position, header.batchLength)
  const view = new DataView(bytes.buffer, bytes.byteOffset + position, RECORD_BATCH_HEADER_BYTES)
  view.setInt16(RecordBatchField.attributes, header.attributes | RecordBatchAttribute.timestampTypeLogAppendTime)
  view.setBigInt64(RecordBatchField.maxTimestamp, timestampMs)
  view.setUint32(RecordBatchField.crc, computeRecordBatchCrc(bytes, position))
}

/** CRC-32C of the batch at `position` as it should be stored: attributes through end of batch. */
export function computeRecordBatchCrc(bytes: Uint8Array, position = 0): number {
  checkHeaderBounds(bytes, position)
  const batchLength = readInt32(bytes, position + RecordBatchField.batchLength)
  checkBatchBounds(bytes, position, batchLength)
  return crc32c(bytes, 0, position + RecordBatchField.attributes, position + LOG_OVERHEAD + batchLength)
}

/** Result of validateRecordBatch: the header when valid, else the typed error (not thrown). */
export type RecordBatchValidation = { ok: true; header: RecordBatchHeader } | { ok: false; error: RecordBatchError }

/**
 * Checks the batch at `position`: magic 2 (magic 0/1 message sets are rejected, naming the
 * version), batchLength within [49, maxBatchBytes - 12] and within `bytes`, and the stored CRC
 * equal to the computed one. Does not decompress or parse records.
 */
export function validateRecordBatch(bytes: Uint8Array, position = 0, options: { maxBatchBytes?: number } = {}): RecordBatchValidation {
  try {
    const header = readRecordBatchHeader(bytes, position)
    if (options.maxBatchBytes !== undefined && header.sizeInBytes > options.maxBatchBytes) {
      throw new RecordBatchError(RecordBatchErrorReason.InvalidLength, position + RecordBatchField.batchLength, {
        detail: `batch of ${header.sizeInBytes} bytes exceeds maxBatchBytes ${options.maxBatchBytes}`,
      })
    }
    checkBatchBounds(bytes, position, header.batchLength)
    const computed = crc32c(bytes, 0, position + RecordBatchField.attributes, position + header.sizeInBytes)
    if (computed !== header.crc) {
      throw new RecordBatchError(RecordBatchErrorReason.CrcMismatch, position + RecordBatchField.crc, {
        detail: `stored 0x${hex32(header.crc)}, computed 0x${hex32(computed)}`,
      })
    }
    return { ok: true, header }
  } catch (error) {
    if (error instanceof RecordBatchError) return { ok: false, error }
    throw error
  }
}

/** One batch inside a records blob: a view (no copy) and its position in the blob. */
export interface RecordBatchSlice {
  position: number
  sizeInBytes: number
  bytes: Uint8Array
}

/**
 * Iterates the batches of a records blob (Produce request records, a Fetch response, a log
 * segment) using only each batch's length field. A trailing partial batch ends the iteration
 * (fetch responses may end with one); a batchLength below the header size throws. Magic and CRC
 * are not checked here.
 */
export function* splitRecordBatches(bytes: Uint8Array): Generator<RecordBatchSlice, void, undefined> {
  let position = 0
  while (bytes.length - position >= LOG_OVERHEAD) {
    const batchLength = readInt32(bytes, position + RecordBatchField.batchLength)
    if (batchLength < RECORD_BATCH_MIN_LENGTH) {
      throw new RecordBatchError(RecordBatchErrorReason.InvalidLength, position + RecordBatchField.batchLength, {
        detail: `batchLength ${batchLength} is below the minimum ${RECORD_BATCH_MIN_LENGTH}`,
      })
    }
    const sizeInBytes = LOG_OVERHEAD + batchLength
    if (bytes.length - position < sizeInBytes) return
    yield { position, sizeInBytes, bytes: bytes.subarray(position, position + sizeInBytes) }
    position += sizeInBytes
  }
}

function checkHeaderBounds(bytes: Uint8Array, position: number): void {
  if (!Number.isInteger(position) || position < 0 || bytes.length - position < RECORD_BATCH_HEADER_BYTES) {
    // A magic byte of 0 or 1 may arrive in a message set shorter than a v2 header: name it.
    if (position >= 0 && bytes.length - position > RecordBatchField.magic) checkMagic(bytes, position)
    throw new RecordBatchError(RecordBatchErrorReason.Truncated, position, {
      detail: `need ${RECORD_BATCH_HEADER_BYTES} header bytes, have ${Math.max(0, bytes.length - position)}`,
    })
  }
  checkMagic(bytes, position)
  const batchLength = readInt32(bytes, position + RecordBatchField.batchLength)
  if (batchLength < RECORD_BATCH_MIN_LENGTH) {
    throw new RecordBatchError(RecordBatchErrorReason.InvalidLength, position + RecordBatchField.batchLength, {
      detail: `batchLength ${batchLength} is below the minimum ${RECORD_BATCH_MIN_LENGTH}`,
    })
  }
}

function checkMagic(bytes: Uint8Array, position: number): void {
  const magic = (bytes[position + RecordBatchField.magic] << 24) >> 24
  if (magic === RECORD_BATCH_MAGIC) return
  const detail =
    magic === 0 || magic === 1
      ? `magic ${magic} (message format v${magic}, pre-0.11 message set) is not supported; only magic 2 record batches are`
      : `magic ${magic} is unknown; only magic 2 record batches are supported`
  throw new RecordBatchError(RecordBatchErrorReason.UnsupportedMagic, position + RecordBatchField.magic, { detail })
}

function checkBatchBounds(bytes: Uint8Array, position: number, batchLength: number): void {
  if (bytes.length - position < LOG_OVERHEAD + batchLength) {
    throw new RecordBatchError(RecordBatchErrorReason.Truncated, position, {
      detail: `batch of ${LOG_OVERHEAD + batchLength} bytes, only ${bytes.length - position} available`,
    })
  }
}

function readInt32(bytes: Uint8Array, index: number): number {
  return (bytes[index] << 24) | (bytes[index + 1] << 16) | (bytes[index + 2] << 8) | bytes[index + 3]
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0')
}
