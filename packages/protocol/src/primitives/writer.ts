// Writes Kafka's wire primitives into a growable buffer with a hard size limit. Values that the
// wire type cannot carry (out of range, wrong type, too long) throw ProtocolEncodeError rather
// than being silently truncated.
import { ProtocolEncodeError } from '../errors.ts'
import type { TaggedField } from './tagged-field.ts'
import { isUuid, uuidIntoBytes } from './uuid.ts'

const utf8 = new TextEncoder()

/** Default cap on one encoded message: Kafka's default `socket.request.max.bytes`, 100 MiB. */
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024
const defaultInitialBytes = 1024

export interface WriterOptions {
  /** Starting capacity; the buffer doubles as needed. */
  initialBytes?: number
  /** Writing past this many bytes throws `ProtocolEncodeError`. */
  maxBytes?: number
  /**
   * Raw byte strings at least this long (record batches) are kept by reference instead of being
   * copied; read the result with `finishChunks()`. The caller promises not to modify such bytes
   * until the chunks are consumed. Default: never (everything is copied).
   */
  referenceBytesAtLeast?: number
}

/** Bytes kept by reference, to be emitted before buffer position `at`. */
interface Reference {
  readonly at: number
  readonly bytes: Uint8Array
}

/**
 * A growable output buffer.
 * @example
 * const writer = new Writer()
 * const sizeAt = writer.reserveInt32()
 * writer.writeInt32(correlationId)
 * writer.fillSizePrefix(sizeAt)
 * socket.write(writer.finish())
 */
export class Writer {
  /**
   * Position of the next write in the internal buffer. Without references (see
   * `referenceBytesAtLeast`) this is also the number of bytes written; `length` always is.
   */
  offset = 0
  readonly maxBytes: number
  readonly #referenceBytesAtLeast: number
  #buffer: Uint8Array
  #view: DataView
  #references: Reference[] | undefined
  #referencedBytes = 0

  constructor(options: WriterOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    this.#referenceBytesAtLeast = options.referenceBytesAtLeast ?? Infinity
    this.#buffer = new Uint8Array(Math.min(options.initialBytes ?? defaultInitialBytes, this.maxBytes))
    this.#view = viewOf(this.#buffer)
  }

  /** Number of bytes written, including bytes kept by reference. */
  get length(): number {
    return this.offset + this.#referencedBytes
  }

  /** The bytes written so far, as one array (a view of the internal buffer, valid until the next write, when nothing was referenced). */
  finish(): Uint8Array {
    if (this.#references === undefined) return this.#buffer.subarray(0, this.offset)
    const out = new Uint8Array(this.length)
    let position = 0
    for (const chunk of this.finishChunks()) {
      out.set(chunk, position)
      position += chunk.length
    }
    return out
  }

  /**
   * The bytes written so far as consecutive chunks: views of the internal buffer interleaved with
   * the referenced byte strings (valid until the next write). Concatenated they equal `finish()`.
   */
  finishChunks(): Uint8Array[] {
    const references = this.#references
    if (references === undefined) return [this.#buffer.subarray(0, this.offset)]
    const chunks: Uint8Array[] = []
    let from = 0
    for (const reference of references) {
      if (reference.at > from) chunks.push(this.#buffer.subarray(from, reference.at))
      chunks.push(reference.bytes)
      from = reference.at
    }
    if (this.offset > from) chunks.push(this.#buffer.subarray(from, this.offset))
    return chunks
  }

  /** Makes room for `byteCount` more bytes, growing the buffer or throwing past `maxBytes`. */
  ensure(byteCount: number): void {
    if (this.offset + byteCount > this.#buffer.length) this.#grow(byteCount)
  }

  writeInt8(value: number): void {
    if ((value << 24) >> 24 !== value) throw rangeError('int8', value)
    if (this.offset + 1 > this.#buffer.length) this.#grow(1)
    this.#view.setInt8(this.offset++, value)
  }

  writeInt16(value: number): void {
    if ((value << 16) >> 16 !== value) throw rangeError('int16', value)
    if (this.offset + 2 > this.#buffer.length) this.#grow(2)
    this.#view.setInt16(this.offset, value)
    this.offset += 2
  }

  writeUint16(value: number): void {
    if ((value & 0xffff) !== value) throw rangeError('uint16', value)
    if (this.offset + 2 > this.#buffer.length) this.#grow(2)
    this.#view.setUint16(this.offset, value)
    this.offset += 2
  }

  writeInt32(value: number): void {
    if ((value | 0) !== value) throw rangeError('int32', value)
    if (this.offset + 4 > this.#buffer.length) this.#grow(4)
    this.#view.setInt32(this.offset, value)
    this.offset += 4
  }

  writeUint32(value: number): void {
    if (value >>> 0 !== value) throw rangeError('uint32', value)
    if (this.offset + 4 > this.#buffer.length) this.#grow(4)
    this.#view.setUint32(this.offset, value)
    this.offset += 4
  }

  writeInt64(value: bigint): void {
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) throw rangeError('int64', value)
    if (this.offset + 8 > this.#buffer.length) this.#grow(8)
    this.#view.setBigInt64(this.offset, value)
    this.offset += 8
  }

  writeFloat64(value: number): void {
    if (typeof value !== 'number') throw rangeError('float64', value)
    if (this.offset + 8 > this.#buffer.length) this.#grow(8)
    this.#view.setFloat64(this.offset, value)
    this.offset += 8
  }

  writeBoolean(value: boolean): void {
    if (typeof value !== 'boolean') throw rangeError('bool', value)
    if (this.offset + 1 > this.#buffer.length) this.#grow(1)
    this.#buffer[this.offset++] = value ? 1 : 0
  }

  /** An unsigned LEB128 varint for a value in [0, 2^32). */
  writeUnsignedVarint(value: number): void {
    if (value >>> 0 !== value) throw rangeError('unsigned varint', value)
    if (this.offset + 5 > this.#buffer.length) this.#grow(5)
    const buffer = this.#buffer
    let rest = value
    while (rest >= 0x80) {
      buffer[this.offset++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    buffer[this.offset++] = rest
  }

  /** A zigzag-encoded signed 32-bit varint. */
  writeVarint(value: number): void {
    if ((value | 0) !== value) throw rangeError('varint', value)
    this.writeUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0)
  }

  /** An unsigned LEB128 varlong for a value in [0, 2^64). */
  writeUnsignedVarlong(value: bigint): void {
    if (typeof value !== 'bigint' || BigInt.asUintN(64, value) !== value) throw rangeError('unsigned varlong', value)
    if (this.offset + 10 > this.#buffer.length) this.#grow(10)
    const buffer = this.#buffer
    if (value <= 0xffffffffn) {
      let rest = Number(value)
      while (rest >= 0x80) {
        buffer[this.offset++] = (rest & 0x7f) | 0x80
        rest = Math.floor(rest / 128)
      }
      buffer[this.offset++] = rest
      return
    }
    let rest = value
    while (rest >= 0x80n) {
      buffer[this.offset++] = Number(rest & 0x7fn) | 0x80
      rest >>= 7n
    }
    buffer[this.offset++] = Number(rest)
  }

  /** A zigzag-encoded signed 64-bit varlong. */
  writeVarlong(value: bigint): void {
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) throw rangeError('varlong', value)
    this.writeUnsignedVarlong(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)))
  }

  /** A UUID given in canonical string form. */
  writeUuid(value: string): void {
    if (!isUuid(value)) throw new ProtocolEncodeError(`not a UUID: ${JSON.stringify(value)}`)
    if (this.offset + 16 > this.#buffer.length) this.#grow(16)
    uuidIntoBytes(value, this.#buffer, this.offset)
    this.offset += 16
  }

  /** Copies `bytes` with no length prefix (or keeps a reference, see `referenceBytesAtLeast`). */
  writeRawBytes(bytes: Uint8Array): void {
    if (bytes.length >= this.#referenceBytesAtLeast) {
      this.#reference(bytes)
      return
    }
    if (this.offset + bytes.length > this.#buffer.length) this.#grow(bytes.length)
    this.#buffer.set(bytes, this.offset)
    this.offset += bytes.length
  }

  /** STRING: int16 length then UTF-8. */
  writeString(value: string): void {
    if (typeof value !== 'string') throw new ProtocolEncodeError(`expected a string, got ${describe(value)}`)
    const byteLength = utf8Length(value)
    if (byteLength > 0x7fff) throw new ProtocolEncodeError(`string of ${byteLength} bytes exceeds 32767`)
    this.writeInt16(byteLength)
    this.#writeUtf8(value, byteLength)
  }

  /** NULLABLE_STRING: int16 length (-1 for null) then UTF-8. */
  writeNullableString(value: string | null): void {
    if (value === null) this.writeInt16(-1)
    else this.writeString(value)
  }

  /** COMPACT_STRING: unsigned varint length+1 then UTF-8. */
  writeCompactString(value: string): void {
    if (typeof value !== 'string') throw new ProtocolEncodeError(`expected a string, got ${describe(value)}`)
    const byteLength = utf8Length(value)
    if (byteLength > 0x7fff) throw new ProtocolEncodeError(`string of ${byteLength} bytes exceeds 32767`)
    this.writeUnsignedVarint(byteLength + 1)
    this.#writeUtf8(value, byteLength)
  }

  /** COMPACT_NULLABLE_STRING: unsigned varint length+1 (0 for null) then UTF-8. */
  writeCompactNullableString(value: string | null): void {
    if (value === null) this.writeUnsignedVarint(0)
    else this.writeCompactString(value)
  }

  /** BYTES: int32 length then the bytes. */
  writeBytes(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new ProtocolEncodeError(`expected a Uint8Array, got ${describe(value)}`)
    this.writeInt32(value.length)
    this.writeRawBytes(value)
  }

  /** NULLABLE_BYTES (also RECORDS): int32 length (-1 for null) then the bytes. */
  writeNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.writeInt32(-1)
    else this.writeBytes(value)
  }

  /** COMPACT_BYTES: unsigned varint length+1 then the bytes. */
  writeCompactBytes(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new ProtocolEncodeError(`expected a Uint8Array, got ${describe(value)}`)
    this.writeUnsignedVarint(value.length + 1)
    this.writeRawBytes(value)
  }

  /** COMPACT_NULLABLE_BYTES (also COMPACT_RECORDS): unsigned varint length+1 (0 for null). */
  writeCompactNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.writeUnsignedVarint(0)
    else this.writeCompactBytes(value)
  }

  /** ARRAY length: int32; pass -1 for a null array. */
  writeArrayLength(length: number): void {
    this.writeInt32(length)
  }

  /** COMPACT_ARRAY length: unsigned varint length+1; pass -1 for a null array. */
  writeCompactArrayLength(length: number): void {
    this.writeUnsignedVarint(length + 1)
  }

  /** A classic (int32-length) array written with `writeElement`; for hand-written codecs. */
  writeArray<T>(values: readonly T[], writeElement: (writer: Writer, value: T) => void): void {
    this.writeInt32(values.length)
    for (const value of values) writeElement(this, value)
  }

  /** A compact (varint-length) array written with `writeElement`; for hand-written codecs. */
  writeCompactArray<T>(values: readonly T[], writeElement: (writer: Writer, value: T) => void): void {
    this.writeUnsignedVarint(values.length + 1)
    for (const value of values) writeElement(this, value)
  }

  /**
   * Writes a tagged-field section made only of raw fields (an empty section when `fields` is
   * undefined). Generated codecs interleave their known tags with these instead.
   */
  writeTaggedFields(fields: readonly TaggedField[] | undefined): void {
    if (fields === undefined) {
      this.writeUnsignedVarint(0)
      return
    }
    this.writeUnsignedVarint(fields.length)
    for (const field of fields) this.writeRawTaggedField(field)
  }

  /** Writes one raw tagged field: tag, size, data. */
  writeRawTaggedField(field: TaggedField): void {
    this.writeUnsignedVarint(field.tag)
    this.writeUnsignedVarint(field.data.length)
    this.writeRawBytes(field.data)
  }

  /**
   * Starts a tagged field whose size is not known yet: writes the tag and reserves one byte for
   * the size. Returns the position to pass to `endTaggedField` after writing the value.
   */
  beginTaggedField(tag: number): number {
    this.writeUnsignedVarint(tag)
    this.ensure(1)
    this.offset++
    return this.offset
  }

  /** Fills in the size of the tagged field started at `start`, moving the value if the size needs more than one byte. */
  endTaggedField(start: number): void {
    // Moving the value below needs its bytes in the buffer.
    if (this.#references !== undefined && this.#references[this.#references.length - 1].at >= start) this.#inlineReferencesFrom(start)
    const size = this.offset - start
    if (size < 0x80) {
      this.#buffer[start - 1] = size
      return
    }
    const sizeBytes = unsignedVarintLength(size)
    this.ensure(sizeBytes - 1)
    const buffer = this.#buffer
    buffer.copyWithin(start - 1 + sizeBytes, start, this.offset)
    let position = start - 1
    let rest = size
    while (rest >= 0x80) {
      buffer[position++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    buffer[position] = rest
    this.offset += sizeBytes - 1
  }

  /** Reserves an int32 (e.g. a frame's size prefix) and returns its position for `fillInt32`/`fillSizePrefix`. */
  reserveInt32(): number {
    this.ensure(4)
    const position = this.offset
    this.offset += 4
    return position
  }

  /** Writes `value` into an int32 reserved earlier at `position`. */
  fillInt32(position: number, value: number): void {
    if ((value | 0) !== value) throw rangeError('int32', value)
    this.#view.setInt32(position, value)
  }

  /** Fills the int32 at `position` with the number of bytes written after it. */
  fillSizePrefix(position: number): void {
    let referenced = 0
    if (this.#references !== undefined) for (const reference of this.#references) if (reference.at > position) referenced += reference.bytes.length
    this.fillInt32(position, this.offset - position - 4 + referenced)
  }

  #reference(bytes: Uint8Array): void {
    const needed = this.length + bytes.length
    if (needed > this.maxBytes) throw new ProtocolEncodeError(`message exceeds maxBytes ${this.maxBytes} (needs ${needed})`)
    if (this.#references === undefined) this.#references = []
    this.#references.push({ at: this.offset, bytes })
    this.#referencedBytes += bytes.length
    // Keep buffer + references within maxBytes, so that writes into spare capacity still throw.
    const room = this.maxBytes - this.#referencedBytes
    if (this.#buffer.length > room) {
      const buffer = new Uint8Array(room)
      buffer.set(this.#buffer.subarray(0, this.offset))
      this.#buffer = buffer
      this.#view = viewOf(buffer)
    }
  }

  /** Copies the references at or after buffer position `start` into the buffer, in place. */
  #inlineReferencesFrom(start: number): void {
    const references = this.#references!
    let first = references.length
    while (first > 0 && references[first - 1].at >= start) first--
    const moved = references.splice(first)
    if (references.length === 0) this.#references = undefined
    let extra = 0
    for (const reference of moved) extra += reference.bytes.length
    this.#referencedBytes -= extra
    if (this.offset + extra > this.#buffer.length) this.#grow(extra)
    // Walk backwards so each tail segment moves once to its final place.
    const buffer = this.#buffer
    let end = this.offset
    let shift = extra
    for (let index = moved.length - 1; index >= 0; index--) {
      const { at, bytes } = moved[index]
      buffer.copyWithin(at + shift, at, end)
      shift -= bytes.length
      buffer.set(bytes, at + shift)
      end = at
    }
    this.offset += extra
  }

  #writeUtf8(value: string, byteLength: number): void {
    if (this.offset + byteLength > this.#buffer.length) this.#grow(byteLength)
    const buffer = this.#buffer
    if (byteLength === value.length) {
      let offset = this.offset
      for (let index = 0; index < byteLength; index++) buffer[offset++] = value.charCodeAt(index)
      this.offset = offset
      return
    }
    utf8.encodeInto(value, buffer.subarray(this.offset, this.offset + byteLength))
    this.offset += byteLength
  }

  #grow(byteCount: number): void {
    const needed = this.offset + byteCount
    if (needed + this.#referencedBytes > this.maxBytes) {
      throw new ProtocolEncodeError(`message exceeds maxBytes ${this.maxBytes} (needs ${needed})`)
    }
    const capacity = Math.min(Math.max(this.#buffer.length * 2, needed), this.maxBytes)
    const buffer = new Uint8Array(capacity)
    buffer.set(this.#buffer.subarray(0, this.offset))
    this.#buffer = buffer
    this.#view = viewOf(buffer)
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Number of bytes `value` takes as an unsigned varint. */
export function unsignedVarintLength(value: number): number {
  if (value < 0x80) return 1
  if (value < 0x4000) return 2
  if (value < 0x200000) return 3
  if (value < 0x10000000) return 4
  return 5
}

/** Number of bytes of the UTF-8 encoding of `value` (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(value: string): number {
  let length = value.length
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code < 0x80) continue
    if (code < 0x800) length += 1
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < value.length) {
      const next = value.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2 // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
        index++
      } else length += 2
    } else length += 2
  }
  return length
}

function rangeError(type: string, value: unknown): ProtocolEncodeError {
  return new ProtocolEncodeError(`${describe(value)} is not a valid ${type}`)
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  return String(value)
}
