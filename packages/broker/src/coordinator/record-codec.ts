// Big-endian binary writer/reader for the coordinators' internal log records. Formats are our
// own (see group/group-records.ts, transaction/transaction-records.ts): every key and value
// starts with an int16 version so records can evolve.

export class RecordWriter {
  #bytes: Uint8Array = new Uint8Array(64)
  #view = new DataView(this.#bytes.buffer)
  #length = 0

  int8(value: number): this {
    this.#reserve(1).setInt8(this.#length - 1, value)
    return this
  }

  int16(value: number): this {
    this.#reserve(2).setInt16(this.#length - 2, value)
    return this
  }

  int32(value: number): this {
    this.#reserve(4).setInt32(this.#length - 4, value)
    return this
  }

  int64(value: number): this {
    this.#reserve(8).setBigInt64(this.#length - 8, BigInt(value))
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  /** int32 length (-1 for null) then the bytes. */
  bytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1)
    this.int32(value.length)
    this.#reserve(value.length)
    this.#bytes.set(value, this.#length - value.length)
    return this
  }

  /** UTF-8 with an int32 length prefix, -1 for null. */
  string(value: string | null): this {
    return this.bytes(value === null ? null : textEncoder.encode(value))
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length)
  }

  #reserve(count: number): DataView {
    const needed = this.#length + count
    if (needed > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2))
      grown.set(this.#bytes.subarray(0, this.#length))
      this.#bytes = grown
      this.#view = new DataView(grown.buffer)
    }
    this.#length = needed
    return this.#view
  }
}

/** Thrown when a coordinator record cannot be decoded (truncated, unknown version). */
export class CoordinatorRecordError extends Error {
  readonly code = 'COORDINATOR_RECORD_CORRUPT'
  readonly retriable = false
  constructor(message: string) {
    super(message)
    this.name = 'CoordinatorRecordError'
  }
}

export class RecordReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #position = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  int8(): number {
    return this.#view.getInt8(this.#advance(1))
  }

  int16(): number {
    return this.#view.getInt16(this.#advance(2))
  }

  int32(): number {
    return this.#view.getInt32(this.#advance(4))
  }

  int64(): number {
    return Number(this.#view.getBigInt64(this.#advance(8)))
  }

  boolean(): boolean {
    return this.int8() !== 0
  }

  bytes(): Uint8Array | null {
    const length = this.int32()
    if (length === -1) return null
    if (length < -1) throw new CoordinatorRecordError(`negative length ${length}`)
    const start = this.#advance(length)
    return this.#bytes.slice(start, start + length)
  }

  string(): string | null {
    const raw = this.bytes()
    return raw === null ? null : textDecoder.decode(raw)
  }

  get remaining(): number {
    return this.#bytes.length - this.#position
  }

  #advance(count: number): number {
    const start = this.#position
    if (start + count > this.#bytes.length) {
      throw new CoordinatorRecordError(`record truncated: need ${count} bytes at ${start}, have ${this.#bytes.length - start}`)
    }
    this.#position += count
    return start
  }
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Kafka's partition choice for an internal topic: abs(javaHashCode(key)) % partitionCount, so a
 * group or transactional id lands on the same `__consumer_offsets`/`__transaction_state`
 * partition as it would on a Kafka broker with the same partition count.
 */
export function partitionForKey(key: string, partitionCount: number): number {
  let hash = 0
  for (let index = 0; index < key.length; index++) hash = (Math.imul(hash, 31) + key.charCodeAt(index)) | 0
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0 (x & 0x7fffffff).
  return (hash & 0x7fffffff) % partitionCount
}
