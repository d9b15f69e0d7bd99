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
// delta; we accept [-2^52, 2^52 - 1] (about ±142,000 years) so it stays exact in a double.
import { ProtocolEncodeError } from '../errors.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'

/** One record of a batch. `key`, `value` and header values are views into the decoded bytes. */
export interface KafkaRecord {
  /** Record-level attributes, int8 (unused by Kafka so far; 0). */
  attributes: number
  /** Milliseconds after the batch's baseTimestamp. */
  timestampDelta: number
  /** Position after the batch's baseOffset. */
  offsetDelta: number
  key: Uint8Array | null
  value: Uint8Array | null
  headers: RecordHeader[]
}

/** A record header: a UTF-8 string key (invalid UTF-8 decodes with U+FFFD) and nullable bytes. */
export interface RecordHeader {
  key: string
  value: Uint8Array | null
}

/**
 * timestampDelta range we encode and decode: [-2^52, 2^52 - 1], so that its zigzag form stays
 * a safe integer (exact in a double).
 */
export const MAX_TIMESTAMP_DELTA = 2 ** 52 - 1
export const MIN_TIMESTAMP_DELTA = -(2 ** 52)
/** A record takes at least 7 bytes (length, attributes, 2 deltas, 2 null lengths, header count). */
export const MIN_RECORD_BYTES = 7

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

/**
 * Bytes of the record body (everything after the length varint). `headerKeys` receives, per
 * header, the UTF-8 bytes of a non-ASCII key or null for an ASCII key, to be handed to writeRecord.
 */
export function recordBodySize(record: KafkaRecord, headerKeys: Array<Uint8Array | null>): number {
  const timestampDelta = record.timestampDelta
  if (!Number.isInteger(timestampDelta) || timestampDelta < MIN_TIMESTAMP_DELTA || timestampDelta > MAX_TIMESTAMP_DELTA) {
    throw new ProtocolEncodeError(`record timestampDelta ${timestampDelta} is not an integer in [-2^52, 2^52 - 1]`)
  }
  if (!Number.isInteger(record.attributes) || record.attributes < -128 || record.attributes > 127) {
    throw new ProtocolEncodeError(`record attributes ${record.attributes} is not an int8`)
  }
  let size = 1 + varlongSize(record.timestampDelta) + varintSize(record.offsetDelta)
  size += record.key === null ? 1 : varintSize(record.key.length) + record.key.length
  size += record.value === null ? 1 : varintSize(record.value.length) + record.value.length
  const headers = record.headers
  size += varintSize(headers.length)
  for (let i = 0; i < headers.length; i++) {
    // ASCII keys (the norm) are written straight from the string; others are encoded once here.
    const keyText = headers[i].key
    let keyLength = asciiLength(keyText)
    if (keyLength < 0) {
      const key = textEncoder.encode(keyText)
      headerKeys.push(key)
      keyLength = key.length
    } else {
      headerKeys.push(null)
    }
    const value = headers[i].value
    size += varintSize(keyLength) + keyLength + (value === null ? 1 : varintSize(value.length) + value.length)
  }
  return size
}

/** Writes one record (length varint + body) at `position`; returns the position after it. */
export function writeRecord(out: Uint8Array, position: number, record: KafkaRecord, bodySize: number, headerKeys: Array<Uint8Array | null>, headerKeyIndex: number): number {
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
    if (key === null) {
      const keyText = headers[i].key
      position = writeVarint(out, position, keyText.length)
      for (let j = 0; j < keyText.length; j++) out[position++] = keyText.charCodeAt(j)
    } else {
      position = writeVarint(out, position, key.length)
      out.set(key, position)
      position += key.length
    }
    position = writeNullableBytes(out, position, headers[i].value)
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
    const attributes = (this.bytes[this.position++] << 24) >> 24 // int8
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
        // Partial sums are exact up to 2^53, and anything larger rounds to >= 2^53: the test is sound.
        if (zigzag > Number.MAX_SAFE_INTEGER) this.fail(RecordBatchErrorReason.InvalidRecord, 'timestampDelta outside [-2^52, 2^52 - 1]')
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
    // Cheaper than subarray() in V8 (no species lookup).
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + start, length)
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
  // TypedArray.set has a fixed cost that dominates for the small keys and values of most records.
  if (value.length < 64) {
    for (let i = 0; i < value.length; i++) out[position + i] = value[i]
  } else {
    out.set(value, position)
  }
  return position + value.length
}

/** The length of an all-ASCII string, or -1 when it has other characters. */
function asciiLength(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return -1
  return text.length
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
