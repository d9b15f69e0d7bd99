// Record batch v2 (magic 2): encode and decode, with compression.
//
// Numbers: offsets, producerId and the header timestamps are bigint (exact int64, as stored);
// inside records, offsetDelta and timestampDelta are numbers (see record.ts). Use
// recordOffset / recordTimestamp to get absolute values.
import { ProtocolEncodeError } from '../errors.ts'
import { compress, decompress } from '../compression/compression.ts'
import { crc32c } from './crc32c.ts'
import {
  LOG_OVERHEAD,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_BATCH_MAGIC,
  RecordBatchAttribute,
  RecordBatchField,
  readRecordBatchHeader,
  splitRecordBatches,
  validateRecordBatch,
} from './record-batch-header.ts'
import type { RecordBatchHeader } from './record-batch-header.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'
import { MIN_RECORD_BYTES, RecordReader, recordBodySize, writeRecord } from './record.ts'
import type { KafkaRecord } from './record.ts'

/** A decoded (or to-be-encoded) record batch: the header fields that are data, and the records. */
export interface RecordBatch {
  baseOffset: bigint
  partitionLeaderEpoch: number
  /** Compression (bits 0-2), timestamp type, transactional, control, delete horizon: see parseAttributes. */
  attributes: number
  /** Offset of the last record minus baseOffset; kept even when compaction removed that record. */
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  records: KafkaRecord[]
}

export interface DecodeRecordBatchOptions {
  /** Cap on the decompressed records section; default 64 MiB (see compression). */
  maxDecompressedBytes?: number
  /**
   * Check the stored CRC (default true). Only skip it for bytes already validated, such as a
   * batch read back from our own log; peer input must always be verified.
   */
  verifyCrc?: boolean
}

/**
 * Encodes a batch, compressing the records with the codec in `attributes` bits 0-2, and writes
 * batchLength, magic 2, recordsCount and the CRC. Throws ProtocolEncodeError for values the
 * format cannot carry.
 */
export function encodeRecordBatch(batch: RecordBatch): Uint8Array {
  const records = batch.records
  const bodySizes = new Array<number>(records.length)
  const headerKeys: Array<Uint8Array | null> = []
  let recordsBytes = 0
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    if ((record.offsetDelta | 0) !== record.offsetDelta) throw new ProtocolEncodeError(`record offsetDelta ${record.offsetDelta} is not an int32`)
    const bodySize = recordBodySize(record, headerKeys)
    bodySizes[i] = bodySize
    recordsBytes += varintSizeOf(bodySize) + bodySize
  }
  const compression = batch.attributes & RecordBatchAttribute.compressionMask
  let out: Uint8Array
  // An empty batch has an empty records section whatever its codec, as Kafka writes the empty
  // batches that compaction keeps for producer state.
  if (compression === 0 || records.length === 0) {
    out = new Uint8Array(RECORD_BATCH_HEADER_BYTES + recordsBytes)
    writeRecords(out, RECORD_BATCH_HEADER_BYTES, records, bodySizes, headerKeys)
  } else {
    const plain = new Uint8Array(recordsBytes)
    writeRecords(plain, 0, records, bodySizes, headerKeys)
    const compressed = compress(compression, plain)
    out = new Uint8Array(RECORD_BATCH_HEADER_BYTES + compressed.length)
    out.set(compressed, RECORD_BATCH_HEADER_BYTES)
  }
  writeHeader(out, batch, records.length)
  return out
}

/**
 * Decodes the batch at `position`: checks magic, length and CRC, decompresses the records
 * (bounded by maxDecompressedBytes) and parses them. Keys and values are views into `bytes` (or
 * into the decompressed buffer), not copies. Throws RecordBatchError / CompressionError, both
 * ProtocolDecodeError.
 */
export function decodeRecordBatch(bytes: Uint8Array, position = 0, options: DecodeRecordBatchOptions = {}): RecordBatch {
  let header: RecordBatchHeader
  if (options.verifyCrc === false) {
    header = readRecordBatchHeader(bytes, position)
    if (bytes.length - position < header.sizeInBytes) {
      throw new RecordBatchError(RecordBatchErrorReason.Truncated, position, { detail: `batch of ${header.sizeInBytes} bytes, only ${bytes.length - position} available` })
    }
  } else {
    const validation = validateRecordBatch(bytes, position)
    if (!validation.ok) throw validation.error
    header = validation.header
  }
  const recordsStart = position + RECORD_BATCH_HEADER_BYTES
  const recordsEnd = position + header.sizeInBytes
  const compression = header.attributes & RecordBatchAttribute.compressionMask
  let reader: RecordReader
  if (compression === 0 || recordsStart === recordsEnd) {
    reader = new RecordReader(bytes, recordsStart, recordsEnd)
  } else {
    const plain = decompress(compression, bytes.subarray(recordsStart, recordsEnd), options)
    reader = new RecordReader(plain, 0, plain.length, recordsStart)
  }
  const count = header.recordsCount
  if (count < 0 || count > (reader.end - reader.position) / MIN_RECORD_BYTES) {
    throw new RecordBatchError(RecordBatchErrorReason.RecordCountMismatch, position + RecordBatchField.recordsCount, {
      detail: `recordsCount ${count} does not fit in ${reader.end - reader.position} record bytes`,
    })
  }
  const records = new Array<KafkaRecord>(count)
  for (let i = 0; i < count; i++) records[i] = reader.readRecord()
  if (reader.position !== reader.end) {
    throw new RecordBatchError(RecordBatchErrorReason.RecordCountMismatch, position + RecordBatchField.recordsCount, {
      detail: `${reader.end - reader.position} bytes left after ${count} records`,
    })
  }
  return {
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    attributes: header.attributes,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    records,
  }
}

/**
 * Decodes every complete batch of a records blob (a Produce request's records, a Fetch
 * response's records, a log segment); a trailing partial batch is ignored, as Kafka's fetch allows.
 */
export function decodeRecordBatches(blob: Uint8Array, options: DecodeRecordBatchOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = []
  for (const slice of splitRecordBatches(blob)) batches.push(decodeRecordBatch(blob, slice.position, options))
  return batches
}

/** Absolute offset of a record: baseOffset + offsetDelta. */
export function recordOffset(batch: RecordBatch, record: KafkaRecord): bigint {
  return batch.baseOffset + BigInt(record.offsetDelta)
}

/**
 * Timestamp of a record in ms: maxTimestamp for LogAppendTime batches, otherwise
 * baseTimestamp + timestampDelta. A number (exact for any real epoch-ms timestamp).
 */
export function recordTimestamp(batch: RecordBatch, record: KafkaRecord): number {
  if (batch.attributes & RecordBatchAttribute.timestampTypeLogAppendTime) return Number(batch.maxTimestamp)
  return Number(batch.baseTimestamp) + record.timestampDelta
}

function writeRecords(out: Uint8Array, position: number, records: KafkaRecord[], bodySizes: number[], headerKeys: Array<Uint8Array | null>): void {
  let headerKeyIndex = 0
  for (let i = 0; i < records.length; i++) {
    position = writeRecord(out, position, records[i], bodySizes[i], headerKeys, headerKeyIndex)
    headerKeyIndex += records[i].headers.length
  }
}

function writeHeader(out: Uint8Array, batch: RecordBatch, recordsCount: number): void {
  const view = new DataView(out.buffer, out.byteOffset, RECORD_BATCH_HEADER_BYTES)
  try {
    view.setBigInt64(RecordBatchField.baseOffset, checkInt64(batch.baseOffset, 'baseOffset'))
    view.setInt32(RecordBatchField.batchLength, out.length - LOG_OVERHEAD)
    view.setInt32(RecordBatchField.partitionLeaderEpoch, checkInt32(batch.partitionLeaderEpoch, 'partitionLeaderEpoch'))
    view.setInt8(RecordBatchField.magic, RECORD_BATCH_MAGIC)
    view.setInt16(RecordBatchField.attributes, checkInt16(batch.attributes, 'attributes'))
    view.setInt32(RecordBatchField.lastOffsetDelta, checkInt32(batch.lastOffsetDelta, 'lastOffsetDelta'))
    view.setBigInt64(RecordBatchField.baseTimestamp, checkInt64(batch.baseTimestamp, 'baseTimestamp'))
    view.setBigInt64(RecordBatchField.maxTimestamp, checkInt64(batch.maxTimestamp, 'maxTimestamp'))
    view.setBigInt64(RecordBatchField.producerId, checkInt64(batch.producerId, 'producerId'))
    view.setInt16(RecordBatchField.producerEpoch, checkInt16(batch.producerEpoch, 'producerEpoch'))
    view.setInt32(RecordBatchField.baseSequence, checkInt32(batch.baseSequence, 'baseSequence'))
    view.setInt32(RecordBatchField.recordsCount, recordsCount)
  } catch (error) {
    if (error instanceof ProtocolEncodeError) throw error
    throw new ProtocolEncodeError(`record batch header field out of range: ${(error as Error).message}`, { cause: error })
  }
  view.setUint32(RecordBatchField.crc, crc32c(out, 0, RecordBatchField.attributes, out.length))
}

function checkInt16(value: number, name: string): number {
  if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) throw new ProtocolEncodeError(`${name} ${value} is not an int16`)
  return value
}

function checkInt32(value: number, name: string): number {
  if ((value | 0) !== value) throw new ProtocolEncodeError(`${name} ${value} is not an int32`)
  return value
}

function checkInt64(value: bigint, name: string): bigint {
  if (BigInt.asIntN(64, value) !== value) throw new ProtocolEncodeError(`${name} ${value} is not an int64`)
  return value
}

function varintSizeOf(value: number): number {
  // Body sizes are non-negative: zigzag doubles them.
  let zigzag = value * 2
  let size = 1
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 128)
    size++
  }
  return size
}
