// Bounds-checked reads of Kafka's wire primitives from a Uint8Array. Every read either returns a
// value or throws ProtocolDecodeError: never RangeError, never a huge allocation, never a hang.
// Lengths are checked against the bytes that remain before anything is allocated.
import { ProtocolDecodeError } from '../errors.ts'
import type { TaggedField } from './tagged-field.ts'
import { uuidToString } from './uuid.ts'

const utf8 = new TextDecoder('utf-8')
const asciiFastPathMaxBytes = 64
/**
 * Short ASCII strings (topic names, client ids, group and member ids) recur in every request.
 * A small direct-mapped table keyed by a hash of the bytes returns the string decoded before
 * when the bytes match it, instead of building a new one: no garbage, and Map lookups keyed by
 * it reuse the hash V8 cached on it. Bounded: internSlots entries of at most
 * asciiFastPathMaxBytes characters; a collision replaces the entry.
 */
const internSlots = 1024
const internTable: (string | undefined)[] = new Array<string | undefined>(internSlots).fill(undefined)
/** Kafka strings have an int16 length in classic versions; compact ones keep the same limit. */
const maxStringBytes = 0x7fff

/**
 * A cursor over bytes. `bytes` and `subarray`-returning reads share memory with the input:
 * copy a returned Uint8Array if you keep it after the input buffer is reused.
 * @example
 * const reader = new Reader(bytes)
 * const correlationId = reader.readInt32()
 */
export class Reader {
  /** The bytes being read (the whole input, not only what remains). */
  readonly bytes: Uint8Array
  /** Position of the next read, relative to `bytes`. */
  offset: number
  readonly #view: DataView
  readonly #end: number

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes
    this.offset = offset
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#end = bytes.byteLength
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#end - this.offset
  }

  /** Throws `ProtocolDecodeError('truncated')` unless `byteCount` more bytes are available. */
  require(byteCount: number): void {
    if (byteCount > this.#end - this.offset) this.#truncated(byteCount)
  }

  /** Throws a `ProtocolDecodeError` at the current offset. */
  fail(reason: string, detail?: string): never {
    throw new ProtocolDecodeError(reason, this.offset, { detail })
  }

  readInt8(): number {
    if (this.offset + 1 > this.#end) this.#truncated(1)
    return this.#view.getInt8(this.offset++)
  }

  readInt16(): number {
    if (this.offset + 2 > this.#end) this.#truncated(2)
    const value = this.#view.getInt16(this.offset)
    this.offset += 2
    return value
  }

  readUint16(): number {
    if (this.offset + 2 > this.#end) this.#truncated(2)
    const value = this.#view.getUint16(this.offset)
    this.offset += 2
    return value
  }

  readInt32(): number {
    if (this.offset + 4 > this.#end) this.#truncated(4)
    const value = this.#view.getInt32(this.offset)
    this.offset += 4
    return value
  }

  readUint32(): number {
    if (this.offset + 4 > this.#end) this.#truncated(4)
    const value = this.#view.getUint32(this.offset)
    this.offset += 4
    return value
  }

  readInt64(): bigint {
    if (this.offset + 8 > this.#end) this.#truncated(8)
    const value = this.#view.getBigInt64(this.offset)
    this.offset += 8
    return value
  }

  readFloat64(): number {
    if (this.offset + 8 > this.#end) this.#truncated(8)
    const value = this.#view.getFloat64(this.offset)
    this.offset += 8
    return value
  }

  /** Kafka booleans are one byte; any non-zero value is true. */
  readBoolean(): boolean {
    if (this.offset + 1 > this.#end) this.#truncated(1)
    return this.bytes[this.offset++] !== 0
  }

  /** An unsigned LEB128 varint of at most 5 bytes, as a number in [0, 2^32). */
  readUnsignedVarint(): number {
    const bytes = this.bytes
    let offset = this.offset
    if (offset < this.#end && bytes[offset] < 0x80) {
      // One-byte varints (lengths, tag counts, small deltas) are by far the most common.
      this.offset = offset + 1
      return bytes[offset]
    }
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (offset >= this.#end) this.#truncated(1)
      const byte = bytes[offset++]
      if (shift === 28) {
        if (byte > 0x0f) this.fail('varint too long')
        result += byte * 0x10000000
        this.offset = offset
        return result
      }
      result |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        this.offset = offset
        return result >>> 0
      }
    }
    return this.fail('varint too long')
  }

  /** A zigzag-encoded signed 32-bit varint. */
  readVarint(): number {
    const value = this.readUnsignedVarint()
    return (value >>> 1) ^ -(value & 1)
  }

  /** An unsigned LEB128 varint of at most 10 bytes, as a bigint in [0, 2^64). */
  readUnsignedVarlong(): bigint {
    const bytes = this.bytes
    let offset = this.offset
    // The first 7 bytes (49 bits) accumulate in a number, which is exact below 2^53.
    let low = 0
    let multiplier = 1
    for (let index = 0; index < 7; index++) {
      if (offset >= this.#end) this.#truncated(1)
      const byte = bytes[offset++]
      low += (byte & 0x7f) * multiplier
      if (byte < 0x80) {
        this.offset = offset
        return BigInt(low)
      }
      multiplier *= 128
    }
    let result = BigInt(low)
    for (let shift = 49n; shift < 70n; shift += 7n) {
      if (offset >= this.#end) this.#truncated(1)
      const byte = bytes[offset++]
      if (shift === 63n && byte > 0x01) this.fail('varlong too long')
      result |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) {
        this.offset = offset
        return result
      }
    }
    return this.fail('varlong too long')
  }

  /** A zigzag-encoded signed 64-bit varlong. */
  readVarlong(): bigint {
    const value = this.readUnsignedVarlong()
    return (value >> 1n) ^ -(value & 1n)
  }

  /** A UUID as its canonical lowercase string (see uuid.ts). */
  readUuid(): string {
    if (this.offset + 16 > this.#end) this.#truncated(16)
    const value = uuidToString(this.bytes, this.offset)
    this.offset += 16
    return value
  }

  /** Returns the next `byteCount` bytes as a view (no copy). */
  readRawBytes(byteCount: number): Uint8Array {
    if (byteCount < 0) this.fail('negative length')
    if (this.offset + byteCount > this.#end) this.#truncated(byteCount)
    const value = this.bytes.subarray(this.offset, this.offset + byteCount)
    this.offset += byteCount
    return value
  }

  /** Advances past `byteCount` bytes. */
  skip(byteCount: number): void {
    if (byteCount < 0) this.fail('negative length')
    if (this.offset + byteCount > this.#end) this.#truncated(byteCount)
    this.offset += byteCount
  }

  /** STRING: int16 length then UTF-8. A null (length -1) is an error. */
  readString(): string {
    const length = this.readInt16()
    if (length < 0) this.fail('null in non-nullable string')
    return this.#utf8(length)
  }

  /** NULLABLE_STRING: int16 length (-1 is null) then UTF-8. */
  readNullableString(): string | null {
    const length = this.readInt16()
    if (length < 0) return length === -1 ? null : this.fail('negative length')
    return this.#utf8(length)
  }

  /** COMPACT_STRING: unsigned varint length+1 then UTF-8 (at most 32767 bytes). A null (0) is an error. */
  readCompactString(): string {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) this.fail('null in non-nullable string')
    if (lengthPlusOne > maxStringBytes + 1) this.fail('string too long', `${lengthPlusOne - 1} bytes`)
    return this.#utf8(lengthPlusOne - 1)
  }

  /** COMPACT_NULLABLE_STRING: unsigned varint length+1 (0 is null) then UTF-8. */
  readCompactNullableString(): string | null {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) return null
    if (lengthPlusOne > maxStringBytes + 1) this.fail('string too long', `${lengthPlusOne - 1} bytes`)
    return this.#utf8(lengthPlusOne - 1)
  }

  /** BYTES: int32 length then the bytes, as a view. A null (-1) is an error. */
  readBytes(): Uint8Array {
    const length = this.readInt32()
    if (length < 0) this.fail('null in non-nullable bytes')
    return this.readRawBytes(length)
  }

  /** NULLABLE_BYTES (also RECORDS): int32 length (-1 is null) then the bytes, as a view. */
  readNullableBytes(): Uint8Array | null {
    const length = this.readInt32()
    if (length < 0) return length === -1 ? null : this.fail('negative length')
    return this.readRawBytes(length)
  }

  /** COMPACT_BYTES: unsigned varint length+1 then the bytes, as a view. A null (0) is an error. */
  readCompactBytes(): Uint8Array {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) this.fail('null in non-nullable bytes')
    return this.readRawBytes(lengthPlusOne - 1)
  }

  /** COMPACT_NULLABLE_BYTES (also COMPACT_RECORDS): unsigned varint length+1 (0 is null), as a view. */
  readCompactNullableBytes(): Uint8Array | null {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) return null
    return this.readRawBytes(lengthPlusOne - 1)
  }

  /**
   * ARRAY length: int32, -1 for null. Throws on null or when `length * minElementBytes` exceeds the
   * bytes that remain, so a hostile length never allocates. Elements of zero encoded bytes
   * (`minElementBytes` 0) are capped at the remaining byte count plus one.
   */
  readArrayLength(minElementBytes = 1): number {
    const length = this.readInt32()
    if (length < 0) this.fail('null in non-nullable array')
    return this.#checkedCount(length, minElementBytes)
  }

  /** Like `readArrayLength` but returns -1 for a null array. */
  readNullableArrayLength(minElementBytes = 1): number {
    const length = this.readInt32()
    if (length < 0) return length === -1 ? -1 : this.fail('negative length')
    return this.#checkedCount(length, minElementBytes)
  }

  /** COMPACT_ARRAY length: unsigned varint length+1. Throws on null (0). */
  readCompactArrayLength(minElementBytes = 1): number {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) this.fail('null in non-nullable array')
    return this.#checkedCount(lengthPlusOne - 1, minElementBytes)
  }

  /** Like `readCompactArrayLength` but returns -1 for a null array. */
  readCompactNullableArrayLength(minElementBytes = 1): number {
    const lengthPlusOne = this.readUnsignedVarint()
    if (lengthPlusOne === 0) return -1
    return this.#checkedCount(lengthPlusOne - 1, minElementBytes)
  }

  /** A classic (int32-length) array read with `readElement`; for hand-written codecs. */
  readArray<T>(readElement: (reader: Reader) => T): T[] {
    const length = this.readArrayLength()
    const result: T[] = new Array(length)
    for (let index = 0; index < length; index++) result[index] = readElement(this)
    return result
  }

  /** A compact (varint-length) array read with `readElement`; for hand-written codecs. */
  readCompactArray<T>(readElement: (reader: Reader) => T): T[] {
    const length = this.readCompactArrayLength()
    const result: T[] = new Array(length)
    for (let index = 0; index < length; index++) result[index] = readElement(this)
    return result
  }

  /**
   * Reads a whole tagged-field section keeping every field as raw bytes. Generated codecs decode
   * their known tags themselves and use `readUnknownTaggedField` for the rest.
   */
  readTaggedFields(): TaggedField[] | undefined {
    const count = this.#checkedCount(this.readUnsignedVarint(), 2)
    let fields: TaggedField[] | undefined
    for (let index = 0; index < count; index++) {
      const tag = this.readUnsignedVarint()
      fields = this.readUnknownTaggedField(tag, this.readUnsignedVarint(), fields)
    }
    return fields
  }

  /** Number of fields in a tagged-field section (each takes at least 2 bytes). */
  readTaggedFieldCount(): number {
    return this.#checkedCount(this.readUnsignedVarint(), 2)
  }

  /** Keeps a tagged field whose tag the codec does not know, appending it to `fields`. */
  readUnknownTaggedField(tag: number, size: number, fields: TaggedField[] | undefined): TaggedField[] {
    const data = this.readRawBytes(size)
    const result = fields ?? []
    result.push({ tag, data })
    return result
  }

  /** After decoding a known tagged field that started at `start`, checks it used exactly `size` bytes. */
  endTaggedField(start: number, size: number): void {
    if (this.offset - start !== size) this.fail('tagged field size mismatch', `declared ${size}, read ${this.offset - start}`)
  }

  #checkedCount(count: number, minElementBytes: number): number {
    const remaining = this.#end - this.offset
    if (minElementBytes > 0 ? count * minElementBytes > remaining : count > remaining + 1) {
      this.fail('length exceeds remaining bytes', `${count} elements, ${remaining} bytes left`)
    }
    return count
  }

  #utf8(length: number): string {
    const start = this.offset
    const end = start + length
    if (end > this.#end) this.#truncated(length)
    this.offset = end
    const bytes = this.bytes
    if (length <= asciiFastPathMaxBytes) {
      let hash = length
      for (let index = start; index < end; index++) {
        const byte = bytes[index]
        if (byte >= 0x80) return utf8.decode(bytes.subarray(start, end))
        hash = (Math.imul(hash, 31) + byte) | 0
      }
      const slot = hash & (internSlots - 1)
      const cached = internTable[slot]
      if (cached !== undefined && sameAscii(cached, bytes, start, length)) return cached
      let text = ''
      for (let index = start; index < end; index++) text += String.fromCharCode(bytes[index])
      internTable[slot] = text
      return text
    }
    return utf8.decode(bytes.subarray(start, end))
  }

  #truncated(needed: number): never {
    throw new ProtocolDecodeError('truncated', this.offset, { detail: `need ${needed} bytes, ${this.#end - this.offset} left` })
  }
}

/** True when `text` is exactly the `length` ASCII bytes of `bytes` from `start`. */
function sameAscii(text: string, bytes: Uint8Array, start: number, length: number): boolean {
  if (text.length !== length) return false
  for (let index = 0; index < length; index++) if (text.charCodeAt(index) !== bytes[start + index]) return false
  return true
}
