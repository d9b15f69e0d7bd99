// One record inside a record batch v2, and its wire codec (specialised for the hot path rather
// than going through the general primitives Reader/Writer).
//
// Wire form of a record:
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headersCount varint |
//   headers: [headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue]
// Varints are zigzag-encoded (Protocol Buffers style); a length of -1 is null.
//
// Number choice: offsets are bigint at the batch level; within a record, offsetDelta (int32) and
// timestampDelta are plain numbers. timestampDelta is an int64 on the wire but a millisecond
// delta; we accept |timestampDelta| <= 2^52 (about 142,000 years) so it stays exact in a double.
import { ProtocolEncodeError } from '../errors.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'

/** One record of a batch. `key`, `value` and header values are views into the decoded bytes. */
export interface KafkaRecord {
  /** Record-level attributes (unused by Kafka so far; 0). */
  attributes: number
  /** Milliseconds after the batch's baseTimestamp. */
  timestampDelta: number
  /** Position after the batch's baseOffset. */
  offsetDelta: number
  key: Uint8Array | null
  value: Uint8Array | null
  headers: RecordHeader[]
}

/** A record header: a UTF-8 string key and nullable bytes. */
export interface RecordHeader {
  key: string
  value: Uint8Array | null
}

/** Largest |timestampDelta| we encode or decode (exact in a double after zigzag). */
export const MAX_TIMESTAMP_DELTA = 2 ** 52
/** A record takes at least 7 bytes (length, attributes, 2 deltas, 2 null lengths, header count). */
export const MIN_RECORD_BYTES = 7

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

/**
 * Bytes of the record body (everything after the length varint). `headerKeys` receives the
 * UTF-8 bytes of each header key, to be handed to writeRecord.
 */
export function recordBodySize(record: KafkaRecord, headerKeys: Uint8Array[]): number {
  if (!Number.isSafeInteger(record.timestampDelta) || Math.abs(record.timestampDelta) > MAX_TIMESTAMP_DELTA) {
    throw new ProtocolEncodeError(`record timestampDelta ${record.timestampDelta} is not an integer within ±2^52`)
  }
  let size = 1 + varlongSize(record.timestampDelta) + varintSize(record.offsetDelta)
  size += record.key === null ? 1 : varintSize(record.key.length) + record.key.length
  size += record.value === null ? 1 : varintSize(record.value.length) + record.value.length
  const headers = record.headers
  size += varintSize(headers.length)
  for (let i = 0; i < headers.length; i++) {
    const key = textEncoder.encode(headers[i].key)
    headerKeys.push(key)
    const value = headers[i].value
    size += varintSize(key.length) + key.length + (value === null ? 1 : varintSize(value.length) + value.length)
  }
  return size
}

/** Writes one record (length varint + body) at `position`; returns the position after it. */
export function writeRecord(out: Uint8Array, position: number, record: KafkaRecord, bodySize: number, headerKeys: Uint8Array[], headerKeyIndex: number): number {
  position = writeVarint(out, position, bodySize)
  out[position++] = record.attributes
  position = writeVarlong(out, position, record.timestampDelta)
  position = writeVarint(out, position, record.offsetDelta)
  position = writeNullableBytes(out, position, record.key)
  position = writeNullableBytes(out, position, record.value)
  const headers = record.headers
  position = writeVarint(out, position, headers.length)
  for (let i = 0; i < headers.length; i++) {
    const key = headerKeys[headerKeyIndex + i]
    position = writeVarint(out, position, key.length)
    out.set(key, position)
    position = writeNullableBytes(out, position + key.length, headers[i].value)
  }
  return position
}

/** Reads consecutive records from `bytes[position, end)`; errors are RecordBatchError. */
export class RecordReader {
  bytes: Uint8Array
  position: number
  end: number
  /** Added to positions in error messages (where `bytes` sits in the caller's input). */
  readonly errorOffset: number

  constructor(bytes: Uint8Array, position: number, end: number, errorOffset = 0) {
    this.bytes = bytes
    this.position = position
    this.end = end
    this.errorOffset = errorOffset
  }

  readRecord(): KafkaRecord {
    const length = this.readVarint()
    const start = this.position
    if (length < MIN_RECORD_BYTES - 1 || length > this.end - start) this.fail(RecordBatchErrorReason.InvalidRecord, `record length ${length}`)
    const recordEnd = this.end
    this.end = start + length
    const attributes = this.bytes[this.position++]
    const timestampDelta = this.readVarlong()
    const offsetDelta = this.readVarint()
    const key = this.readNullableBytes()
    const value = this.readNullableBytes()
    const headerCount = this.readVarint()
    if (headerCount < 0 || headerCount > (this.end - this.position) / 2) this.fail(RecordBatchErrorReason.InvalidRecord, `header count ${headerCount}`)
    const headers: RecordHeader[] = new Array(headerCount)
    for (let i = 0; i < headerCount; i++) headers[i] = { key: this.readHeaderKey(), value: this.readNullableBytes() }
    if (this.position !== this.end) this.fail(RecordBatchErrorReason.InvalidRecord, `record length ${length} but fields take ${this.position - start}`)
    this.end = recordEnd
    return { attributes, timestampDelta, offsetDelta, key, value, headers }
  }

  readVarint(): number {
    const bytes = this.bytes
    let position = this.position
    let zigzag = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (position >= this.end) this.fail(RecordBatchErrorReason.Truncated, 'varint')
      const byte = bytes[position++]
      zigzag |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        this.position = position
        return (zigzag >>> 1) ^ -(zigzag & 1)
      }
    }
    return this.fail(RecordBatchErrorReason.InvalidRecord, 'varint longer than 5 bytes')
  }

  readVarlong(): number {
    const bytes = this.bytes
    let position = this.position
    let zigzag = 0
    for (let multiplier = 1; multiplier < 2 ** 70; multiplier *= 128) {
      if (position >= this.end) this.fail(RecordBatchErrorReason.Truncated, 'varlong')
      const byte = bytes[position++]
      zigzag += (byte & 0x7f) * multiplier
      if (byte < 0x80) {
        if (zigzag > Number.MAX_SAFE_INTEGER) this.fail(RecordBatchErrorReason.InvalidRecord, 'timestampDelta beyond ±2^52')
        this.position = position
        return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2
      }
    }
    return this.fail(RecordBatchErrorReason.InvalidRecord, 'varlong longer than 10 bytes')
  }

  readNullableBytes(): Uint8Array | null {
    const length = this.readVarint()
    if (length === -1) return null
    if (length < -1 || length > this.end - this.position) this.fail(RecordBatchErrorReason.InvalidRecord, `bytes length ${length}`)
    const start = this.position
    this.position += length
    return this.bytes.subarray(start, this.position)
  }

  readHeaderKey(): string {
    const length = this.readVarint()
    if (length < 0 || length > this.end - this.position) this.fail(RecordBatchErrorReason.InvalidRecord, `header key length ${length}`)
    const start = this.position
    this.position += length
    return decodeUtf8(this.bytes, start, this.position)
  }

  fail(reason: RecordBatchErrorReason, detail: string): never {
    throw new RecordBatchError(reason, this.errorOffset + this.position, { detail })
  }
}

/** Short ASCII strings are decoded by hand (TextDecoder's call cost dominates for header keys). */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let text = ''
    for (let i = start; i < end; i++) {
      const byte = bytes[i]
      if (byte >= 0x80) return textDecoder.decode(bytes.subarray(start, end))
      text += String.fromCharCode(byte)
    }
    return text
  }
  return textDecoder.decode(bytes.subarray(start, end))
}

function writeNullableBytes(out: Uint8Array, position: number, value: Uint8Array | null): number {
  if (value === null) {
    out[position] = 1 // zigzag(-1)
    return position + 1
  }
  position = writeVarint(out, position, value.length)
  out.set(value, position)
  return position + value.length
}

export function varintSize(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  let size = 1
  while (zigzag >= 0x80) {
    zigzag >>>= 7
    size++
  }
  return size
}

export function writeVarint(out: Uint8Array, position: number, value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  while (zigzag >= 0x80) {
    out[position++] = (zigzag & 0x7f) | 0x80
    zigzag >>>= 7
  }
  out[position++] = zigzag
  return position
}

function varlongSize(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1
  let size = 1
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 128)
    size++
  }
  return size
}

function writeVarlong(out: Uint8Array, position: number, value: number): number {
  if (value >= -0x20000000 && value < 0x20000000) return writeVarint(out, position, value)
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1
  while (zigzag >= 0x80) {
    out[position++] = (zigzag % 128) | 0x80
    zigzag = Math.floor(zigzag / 128)
  }
  out[position++] = zigzag
  return position
}
