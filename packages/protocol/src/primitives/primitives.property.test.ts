// Properties of the wire primitives: every value round-trips, encodings have the documented
// sizes at the varint boundaries, and compact forms agree with their classic counterparts.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Reader } from './reader.ts'
import { Writer, unsignedVarintLength, utf8Length } from './writer.ts'

function roundTrip<T>(write: (writer: Writer, value: T) => void, read: (reader: Reader) => T, value: T): { value: T; bytes: Uint8Array } {
  const writer = new Writer({ initialBytes: 1 })
  write(writer, value)
  const bytes = writer.finish()
  const reader = new Reader(bytes)
  const decoded = read(reader)
  assert.equal(reader.remaining, 0, 'reads exactly what was written')
  return { value: decoded, bytes }
}

const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n)
const uint64 = fc.bigInt(0n, 2n ** 64n - 1n)

describe('varints', () => {
  test('unsigned varint round-trips every uint32 and has LEB128 length', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (value) => {
      const result = roundTrip((w, v) => w.writeUnsignedVarint(v), (r) => r.readUnsignedVarint(), value)
      assert.equal(result.value, value)
      assert.equal(result.bytes.length, unsignedVarintLength(value))
    }), { numRuns: 2000 })
  })

  test('unsigned varint boundaries', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0x00]], [1, [0x01]], [127, [0x7f]], [128, [0x80, 0x01]], [300, [0xac, 0x02]],
      [16383, [0xff, 0x7f]], [16384, [0x80, 0x80, 0x01]], [2 ** 21 - 1, [0xff, 0xff, 0x7f]],
      [2 ** 28 - 1, [0xff, 0xff, 0xff, 0x7f]], [2 ** 28, [0x80, 0x80, 0x80, 0x80, 0x01]], [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ]
    for (const [value, expected] of cases) {
      const result = roundTrip((w, v) => w.writeUnsignedVarint(v), (r) => r.readUnsignedVarint(), value)
      assert.deepEqual([...result.bytes], expected, `encoding of ${value}`)
      assert.equal(result.value, value)
    }
  })

  test('zigzag varint round-trips every int32 and maps small magnitudes to small codes', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
      assert.equal(roundTrip((w, v) => w.writeVarint(v), (r) => r.readVarint(), value).value, value)
    }), { numRuns: 2000 })
    const cases: Array<[number, number[]]> = [[0, [0]], [-1, [1]], [1, [2]], [-2, [3]], [63, [0x7e]], [-64, [0x7f]], [64, [0x80, 0x01]],
      [2 ** 31 - 1, [0xfe, 0xff, 0xff, 0xff, 0x0f]], [-(2 ** 31), [0xff, 0xff, 0xff, 0xff, 0x0f]]]
    for (const [value, expected] of cases) {
      assert.deepEqual([...roundTrip((w, v) => w.writeVarint(v), (r) => r.readVarint(), value).bytes], expected, `zigzag ${value}`)
    }
  })

  test('zigzag varlong round-trips every int64, unsigned varlong every uint64', () => {
    fc.assert(fc.property(int64, (value) => {
      assert.equal(roundTrip((w, v) => w.writeVarlong(v), (r) => r.readVarlong(), value).value, value)
    }), { numRuns: 2000 })
    fc.assert(fc.property(uint64, (value) => {
      assert.equal(roundTrip((w, v) => w.writeUnsignedVarlong(v), (r) => r.readUnsignedVarlong(), value).value, value)
    }), { numRuns: 2000 })
    const cases: Array<[bigint, number]> = [[0n, 1], [-1n, 1], [2n ** 63n - 1n, 10], [-(2n ** 63n), 10], [2n ** 48n, 8], [-(2n ** 27n), 4]]
    for (const [value, length] of cases) {
      const result = roundTrip((w, v) => w.writeVarlong(v), (r) => r.readVarlong(), value)
      assert.equal(result.value, value)
      assert.equal(result.bytes.length, length, `length of ${value}`)
    }
  })

  test('over-long varints are decode errors, not silent wrap-around', () => {
    assert.throws(() => new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f])).readUnsignedVarint(), { code: 'PROTOCOL_DECODE_ERROR' })
    assert.throws(() => new Reader(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).readUnsignedVarint(), { code: 'PROTOCOL_DECODE_ERROR' })
    assert.throws(() => new Reader(new Uint8Array(10).fill(0xff)).readVarlong(), { code: 'PROTOCOL_DECODE_ERROR' })
    assert.throws(() => new Reader(new Uint8Array([0x80, 0x80])).readVarint(), { code: 'PROTOCOL_DECODE_ERROR', reason: 'truncated' })
  })
})

describe('fixed-width integers', () => {
  test('int8/int16/int32/uint16/uint32/int64/float64 round-trip and reject out-of-range values', () => {
    const check = <T>(arbitrary: fc.Arbitrary<T>, write: (w: Writer, v: T) => void, read: (r: Reader) => T) =>
      fc.assert(fc.property(arbitrary, (value) => assert.equal(roundTrip(write, read, value).value, value)), { numRuns: 300 })
    check(fc.integer({ min: -128, max: 127 }), (w, v) => w.writeInt8(v), (r) => r.readInt8())
    check(fc.integer({ min: -32768, max: 32767 }), (w, v) => w.writeInt16(v), (r) => r.readInt16())
    check(fc.integer({ min: 0, max: 65535 }), (w, v) => w.writeUint16(v), (r) => r.readUint16())
    check(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (w, v) => w.writeInt32(v), (r) => r.readInt32())
    check(fc.nat({ max: 0xffffffff }), (w, v) => w.writeUint32(v), (r) => r.readUint32())
    check(int64, (w, v) => w.writeInt64(v), (r) => r.readInt64())
    check(fc.double({ noNaN: true }), (w, v) => w.writeFloat64(v), (r) => r.readFloat64())
    const writer = new Writer()
    assert.throws(() => writer.writeInt8(128), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeInt16(40000), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeInt32(2 ** 31), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeInt32(1.5), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeUint16(-1), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeInt64(2n ** 63n), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => writer.writeInt64(5 as unknown as bigint), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.equal(writer.offset, 0, 'a rejected write writes nothing')
  })

  test('integers are big-endian on the wire', () => {
    const writer = new Writer()
    writer.writeInt16(0x0102)
    writer.writeInt32(-2)
    writer.writeInt64(0x0102030405060708n)
    assert.deepEqual([...writer.finish()], [1, 2, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8])
  })
})

describe('strings and bytes', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 80 })

  test('classic and compact strings round-trip, and their lengths agree with utf8Length', () => {
    fc.assert(fc.property(text, (value) => {
      const classic = roundTrip((w, v) => w.writeString(v), (r) => r.readString(), value)
      const compact = roundTrip((w, v) => w.writeCompactString(v), (r) => r.readCompactString(), value)
      assert.equal(classic.value, value)
      assert.equal(compact.value, value)
      const byteLength = new TextEncoder().encode(value).length
      assert.equal(utf8Length(value), byteLength)
      assert.equal(classic.bytes.length, 2 + byteLength)
      assert.equal(compact.bytes.length, unsignedVarintLength(byteLength + 1) + byteLength)
      assert.deepEqual(classic.bytes.subarray(2), compact.bytes.subarray(compact.bytes.length - byteLength))
    }), { numRuns: 1000 })
  })

  test('nullable strings and bytes carry null as -1 (classic) or 0 (compact)', () => {
    const nullable = fc.option(text, { nil: null })
    fc.assert(fc.property(nullable, (value) => {
      assert.equal(roundTrip((w, v) => w.writeNullableString(v), (r) => r.readNullableString(), value).value, value)
      assert.equal(roundTrip((w, v) => w.writeCompactNullableString(v), (r) => r.readCompactNullableString(), value).value, value)
    }))
    const bytes: fc.Arbitrary<Uint8Array | null> = fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null })
    fc.assert(fc.property(bytes, (value) => {
      assert.deepEqual(roundTrip((w, v) => w.writeNullableBytes(v), (r) => r.readNullableBytes(), value).value, value)
      assert.deepEqual(roundTrip((w, v) => w.writeCompactNullableBytes(v), (r) => r.readCompactNullableBytes(), value).value, value)
    }))
    const writer = new Writer()
    writer.writeNullableString(null)
    writer.writeCompactNullableString(null)
    writer.writeNullableBytes(null)
    writer.writeCompactNullableBytes(null)
    assert.deepEqual([...writer.finish()], [0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0])
  })

  test('lone surrogates are sized as U+FFFD', () => {
    for (const value of ['\ud800', 'a\udc00b', '\ud83d\ude00', '\ud83d']) {
      const decoded = roundTrip((w, v) => w.writeCompactString(v), (r) => r.readCompactString(), value).value
      assert.equal(decoded, new TextDecoder().decode(new TextEncoder().encode(value)))
    }
  })

  test('a null where the field is not nullable is a decode error', () => {
    assert.throws(() => new Reader(new Uint8Array([0xff, 0xff])).readString(), { reason: 'null in non-nullable string' })
    assert.throws(() => new Reader(new Uint8Array([0])).readCompactString(), { reason: 'null in non-nullable string' })
    assert.throws(() => new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff])).readBytes(), { reason: 'null in non-nullable bytes' })
  })

  test('bytes are returned as views of the input, not copies', () => {
    const input = new Uint8Array([0, 0, 0, 2, 7, 8])
    const value = new Reader(input).readBytes()
    assert.deepEqual([...value], [7, 8])
    assert.equal(value.buffer, input.buffer)
  })

  test('uuids round-trip in canonical lowercase form', () => {
    fc.assert(fc.property(fc.uuid(), (value) => {
      assert.equal(roundTrip((w, v) => w.writeUuid(v), (r) => r.readUuid(), value).value, value.toLowerCase())
    }))
    assert.throws(() => new Writer().writeUuid('not-a-uuid'), { code: 'PROTOCOL_ENCODE_ERROR' })
  })
})

describe('arrays, tagged fields and framing', () => {
  test('classic and compact arrays round-trip', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }), (values) => {
      assert.deepEqual(roundTrip((w, v) => w.writeArray(v, (x, n) => x.writeInt32(n)), (r) => r.readArray((x) => x.readInt32()), values).value, values)
      assert.deepEqual(roundTrip((w, v) => w.writeCompactArray(v, (x, n) => x.writeInt32(n)), (r) => r.readCompactArray((x) => x.readInt32()), values).value, values)
    }))
  })

  test('an array length larger than the remaining bytes allow is rejected before allocating', () => {
    const reader = new Reader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]))
    assert.throws(() => reader.readArrayLength(4), { reason: 'length exceeds remaining bytes' })
    assert.throws(() => new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])).readCompactArrayLength(1), { reason: 'length exceeds remaining bytes' })
    assert.equal(new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff])).readNullableArrayLength(), -1)
  })

  test('tagged fields of any size round-trip, including sizes that need multi-byte varints', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 20000 }), { maxLength: 4 }), (payloads) => {
      const writer = new Writer({ initialBytes: 8 })
      writer.writeUnsignedVarint(payloads.length)
      payloads.forEach((payload, tag) => {
        const start = writer.beginTaggedField(tag)
        writer.writeRawBytes(payload)
        writer.endTaggedField(start)
      })
      writer.writeInt8(42)
      const reader = new Reader(writer.finish())
      const fields = reader.readTaggedFields() ?? []
      assert.deepEqual(fields.map((field) => [...field.data]), payloads.map((payload) => [...payload]))
      assert.deepEqual(fields.map((field) => field.tag), payloads.map((_, tag) => tag))
      assert.equal(reader.readInt8(), 42)
    }), { numRuns: 50 })
  })

  test('a reserved int32 size prefix is filled with the bytes written after it', () => {
    const writer = new Writer()
    const sizeAt = writer.reserveInt32()
    writer.writeInt32(7)
    writer.writeCompactString('abc')
    writer.fillSizePrefix(sizeAt)
    const reader = new Reader(writer.finish())
    assert.equal(reader.readInt32(), 8)
    assert.equal(reader.remaining, 8)
  })

  test('the writer refuses to grow past maxBytes', () => {
    const writer = new Writer({ initialBytes: 4, maxBytes: 10 })
    writer.writeRawBytes(new Uint8Array(10))
    assert.throws(() => writer.writeInt8(1), { code: 'PROTOCOL_ENCODE_ERROR' })
    assert.throws(() => new Writer({ maxBytes: 100 }).writeBytes(new Uint8Array(200)), { code: 'PROTOCOL_ENCODE_ERROR' })
  })
})

test('compact strings longer than 32767 bytes are rejected both ways, like classic ones', () => {
  const writer = new Writer()
  writer.writeUnsignedVarint(0x8000 + 1)
  writer.writeRawBytes(new Uint8Array(0x8000).fill(0x61))
  assert.throws(() => new Reader(writer.finish()).readCompactString(), { reason: 'string too long' })
  assert.throws(() => new Writer().writeCompactString('a'.repeat(0x8000)), { code: 'PROTOCOL_ENCODE_ERROR' })
})
