import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ProtocolDecodeError, ProtocolEncodeError } from '../errors.ts'
import { CompressionType } from '../compression/compression-type.ts'
import { CompressionError, CompressionErrorReason } from '../compression/compression-error.ts'
import { snappyCompressXerial } from '../compression/snappy.ts'
import { crc32c } from './crc32c.ts'
import { decodeRecordBatch, decodeRecordBatches, encodeRecordBatch, recordOffset, recordTimestamp } from './record-batch.ts'
import type { RecordBatch } from './record-batch.ts'
import { createRecordBatch } from './record-batch-builder.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'
import { RecordBatchField, buildAttributes, readRecordBatchHeader, setLogAppendTime, validateRecordBatch, TimestampType } from './record-batch-header.ts'
import type { KafkaRecord } from './record.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const CODECS = Object.values(CompressionType)

const recordArbitrary: fc.Arbitrary<Omit<KafkaRecord, 'offsetDelta'>> = fc.record({
  attributes: fc.oneof(fc.constant(0), fc.integer({ min: -128, max: 127 })),
  timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 - 1 }), fc.constantFrom(-(2 ** 52), 2 ** 52 - 1)),
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 12 }), value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }) }, { noNullPrototype: true }), { maxLength: 4 }),
}, { noNullPrototype: true })

const batchArbitrary = (compression: number): fc.Arbitrary<RecordBatch> =>
  fc
    .record({
      baseOffset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
      partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      flags: fc.record({ isTransactional: fc.boolean(), timestampType: fc.constantFrom(TimestampType.CreateTime, TimestampType.LogAppendTime) }),
      baseTimestamp: fc.bigInt({ min: -1n, max: 2n ** 50n }),
      maxTimestamp: fc.bigInt({ min: -1n, max: 2n ** 50n }),
      producerId: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }),
      producerEpoch: fc.integer({ min: -1, max: 32767 }),
      baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      records: fc.array(recordArbitrary, { maxLength: 12 }),
      offsetGaps: fc.array(fc.nat(3), { minLength: 12, maxLength: 12 }),
    })
    .map(({ flags, records, offsetGaps, ...rest }) => {
      let offsetDelta = -1
      const withOffsets = records.map((record, index) => ({ ...record, offsetDelta: (offsetDelta += 1 + offsetGaps[index]) }))
      return { ...rest, attributes: buildAttributes({ ...flags, compression: compression as CompressionType }), lastOffsetDelta: Math.max(0, offsetDelta), records: withOffsets }
    })

describe('encodeRecordBatch / decodeRecordBatch', () => {
  test('a small batch has the documented layout and a correct CRC', () => {
    const batch = createRecordBatch({ baseOffset: 5n, timestamp: 1_000, records: [{ key: bytes('k'), value: bytes('v'), headers: [{ key: 'h', value: null }] }] })
    const encoded = encodeRecordBatch(batch)
    // Record: body of 11 bytes → varint 0x16; attributes 0; tsDelta 0; offsetDelta 0; key len 1 (0x02) 'k';
    // value len 1 'v'; 1 header (0x02): key len 1 'h', value null (0x01).
    assert.deepEqual([...encoded.subarray(61)], [0x16, 0, 0, 0, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x02, 0x68, 0x01])
    const header = readRecordBatchHeader(encoded)
    assert.equal(header.batchLength, encoded.length - 12)
    assert.equal(header.magic, 2)
    assert.equal(header.recordsCount, 1)
    assert.equal(header.crc, crc32c(encoded, 0, 21, encoded.length))
    assert.deepEqual(decodeRecordBatch(encoded), batch)
  })

  for (const compression of CODECS) {
    test(`property: decode(encode(batch)) equals batch, compression ${compression}`, () => {
      fc.assert(
        fc.property(batchArbitrary(compression), (batch) => {
          const encoded = encodeRecordBatch(batch)
          assert.deepEqual(decodeRecordBatch(encoded), batch)
          assert.equal(validateRecordBatch(encoded).ok, true)
        }),
        { numRuns: 60 },
      )
    })
  }

  test('decodes at a position and decodeRecordBatches reads a blob with a trailing partial batch', () => {
    const first = encodeRecordBatch(createRecordBatch({ baseOffset: 0n, timestamp: 10, records: [{ value: bytes('a') }, { value: bytes('b') }] }))
    const second = encodeRecordBatch(createRecordBatch({ baseOffset: 2n, timestamp: 20, compression: CompressionType.Zstd, records: [{ value: bytes('c') }] }))
    const blob = new Uint8Array(first.length + second.length + 20)
    blob.set(first)
    blob.set(second, first.length)
    blob.set(second.subarray(0, 20), first.length + second.length)
    assert.equal(decodeRecordBatch(blob, first.length).records[0].value?.[0], 0x63)
    const batches = decodeRecordBatches(blob)
    assert.deepEqual(
      batches.flatMap((batch) => batch.records.map((record) => [recordOffset(batch, record), recordTimestamp(batch, record)])),
      [
        [0n, 10],
        [1n, 10],
        [2n, 20],
      ],
    )
  })

  test('decodes records compressed with Java-style xerial snappy framing', () => {
    const value = new Uint8Array(100_000).map((_, i) => i % 13)
    const plain = encodeRecordBatch(createRecordBatch({ timestamp: 1, records: [{ value }, { key: bytes('k'), value: null }] }))
    const framed = snappyCompressXerial(plain.subarray(61))
    const encoded = new Uint8Array(61 + framed.length)
    encoded.set(plain.subarray(0, 61))
    encoded.set(framed, 61)
    const view = new DataView(encoded.buffer)
    view.setInt32(RecordBatchField.batchLength, encoded.length - 12)
    view.setInt16(RecordBatchField.attributes, CompressionType.Snappy)
    view.setUint32(RecordBatchField.crc, crc32c(encoded, 0, RecordBatchField.attributes, encoded.length))
    const batch = decodeRecordBatch(encoded)
    assert.deepEqual(batch.records[0].value, value)
    assert.deepEqual(batch.records[1].key, bytes('k'))
  })

  test('an empty batch has an empty records section whatever its codec (as compaction leaves them)', () => {
    for (const compression of CODECS) {
      const batch = { ...createRecordBatch({ records: [], compression, producerId: 7n, producerEpoch: 1, baseSequence: 40 }), lastOffsetDelta: 9 }
      const encoded = encodeRecordBatch(batch)
      assert.equal(encoded.length, 61)
      assert.deepEqual(decodeRecordBatch(encoded), batch)
    }
  })

  test('recordTimestamp uses maxTimestamp after setLogAppendTime', () => {
    const encoded = encodeRecordBatch(createRecordBatch({ records: [{ value: null, timestamp: 100 }, { value: null, timestamp: 150 }] }))
    setLogAppendTime(encoded, 0, 9_999n)
    const batch = decodeRecordBatch(encoded)
    assert.deepEqual(batch.records.map((record) => recordTimestamp(batch, record)), [9_999, 9_999])
  })

  test('a CRC mismatch is detected on decode', () => {
    const encoded = encodeRecordBatch(createRecordBatch({ timestamp: 1, records: [{ value: bytes('payload') }] }))
    encoded[encoded.length - 2] ^= 0x01
    assert.throws(() => decodeRecordBatch(encoded), (error) => error instanceof RecordBatchError && error.batchReason === RecordBatchErrorReason.CrcMismatch)
  })

  test('magic 0/1 message sets are rejected with the version named', () => {
    const encoded = encodeRecordBatch(createRecordBatch({ timestamp: 1, records: [{ value: bytes('x') }] }))
    encoded[RecordBatchField.magic] = 1
    assert.throws(() => decodeRecordBatch(encoded), /magic 1 \(message format v1, pre-0\.11 message set\) is not supported/)
  })

  test('records that do not fill the batch, or overrun it, are typed errors (with a valid CRC)', () => {
    const encoded = encodeRecordBatch(createRecordBatch({ timestamp: 1, records: [{ value: bytes('x') }, { value: bytes('y') }] }))
    for (const recordsCount of [1, 3, -1, 1_000_000]) {
      const copy = encoded.slice()
      new DataView(copy.buffer).setInt32(RecordBatchField.recordsCount, recordsCount)
      new DataView(copy.buffer).setUint32(RecordBatchField.crc, crc32c(copy, 0, RecordBatchField.attributes, copy.length))
      assert.throws(() => decodeRecordBatch(copy), RecordBatchError, `recordsCount ${recordsCount}`)
    }
  })

  test('encode rejects values the format cannot carry', () => {
    const batch = createRecordBatch({ timestamp: 1, records: [{ value: null }] })
    assert.throws(() => encodeRecordBatch({ ...batch, producerEpoch: 40_000 }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, baseOffset: 2n ** 63n }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, attributes: 7 }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, records: [{ ...batch.records[0], timestampDelta: 2 ** 52 }] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, records: [{ ...batch.records[0], timestampDelta: -(2 ** 52) - 1 }] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, records: [{ ...batch.records[0], attributes: 128 }] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatch({ ...batch, records: [{ ...batch.records[0], offsetDelta: 2 ** 31 }] }), ProtocolEncodeError)
    assert.throws(() => createRecordBatch({ records: [{ value: null }] }), /no timestamp/)
  })

  test('a compressed batch whose records exceed maxDecompressedBytes fails without decompressing them all', () => {
    const value = new Uint8Array(1024 * 1024)
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const encoded = encodeRecordBatch(createRecordBatch({ timestamp: 1, compression, records: [{ value }, { value }, { value }] }))
      assert.ok(encoded.length < 300_000, `codec ${compression} compresses zeroes`)
      assert.throws(
        () => decodeRecordBatch(encoded, 0, { maxDecompressedBytes: 2 * 1024 * 1024 }),
        (error) => error instanceof CompressionError && error.compressionReason === CompressionErrorReason.LimitExceeded,
      )
      assert.equal(decodeRecordBatch(encoded).records.length, 3)
    }
  })
})

describe('decoding hostile bytes throws only ProtocolDecodeError', () => {
  const assertTyped = (operation: () => unknown): void => {
    try {
      operation()
    } catch (error) {
      assert.ok(error instanceof ProtocolDecodeError, `${(error as Error).name}: ${(error as Error).message}`)
    }
  }

  for (const compression of CODECS) {
    test(`every truncation and single-byte corruption of a valid batch, compression ${compression}`, () => {
      fc.assert(
        fc.property(batchArbitrary(compression), fc.nat(), fc.integer({ min: 1, max: 255 }), (batch, at, xor) => {
          const encoded = encodeRecordBatch(batch)
          assertTyped(() => decodeRecordBatch(encoded.subarray(0, at % encoded.length)))
          const corrupted = encoded.slice()
          corrupted[at % encoded.length] ^= xor
          assertTyped(() => decodeRecordBatch(corrupted))
          // Re-stamp the CRC so that the corruption reaches the record / codec parsers.
          if (at % encoded.length >= RecordBatchField.attributes) {
            new DataView(corrupted.buffer).setUint32(RecordBatchField.crc, crc32c(corrupted, 0, RecordBatchField.attributes, corrupted.length))
            assertTyped(() => decodeRecordBatch(corrupted))
          }
        }),
        { numRuns: 60 },
      )
    })
  }

  test('random bytes after a valid header (CRC re-stamped), every codec id 0-7', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: -3, max: 40 }), fc.uint8Array({ maxLength: 400 }), (compression, recordsCount, body) => {
        const encoded = new Uint8Array(61 + body.length)
        encoded.set(body, 61)
        const view = new DataView(encoded.buffer)
        view.setInt32(RecordBatchField.batchLength, encoded.length - 12)
        view.setInt8(RecordBatchField.magic, 2)
        view.setInt16(RecordBatchField.attributes, compression)
        view.setInt32(RecordBatchField.recordsCount, recordsCount)
        view.setUint32(RecordBatchField.crc, crc32c(encoded, 0, RecordBatchField.attributes, encoded.length))
        assertTyped(() => decodeRecordBatch(encoded))
        assertTyped(() => decodeRecordBatches(encoded))
      }),
      { numRuns: 500 },
    )
  })

  test('random blobs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (blob) => assertTyped(() => decodeRecordBatches(blob))), { numRuns: 300 })
  })
})
