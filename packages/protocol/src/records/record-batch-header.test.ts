import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { crc32c } from './crc32c.ts'
import {
  LOG_OVERHEAD,
  RECORD_BATCH_HEADER_BYTES,
  RecordBatchAttribute,
  RecordBatchField,
  TimestampType,
  buildAttributes,
  computeRecordBatchCrc,
  parseAttributes,
  readRecordBatchHeader,
  setLogAppendTime,
  splitRecordBatches,
  validateRecordBatch,
  writeBaseOffset,
  writePartitionLeaderEpoch,
} from './record-batch-header.ts'
import { RecordBatchError, RecordBatchErrorReason } from './record-batch-error.ts'
import { ProtocolDecodeError } from '../errors.ts'

/** A hand-laid batch: the v2 header, `recordBytes` opaque record bytes, a correct CRC. */
function handBuiltBatch(recordBytes: number, fill = 7): Uint8Array {
  const bytes = new Uint8Array(RECORD_BATCH_HEADER_BYTES + recordBytes).fill(fill, RECORD_BATCH_HEADER_BYTES)
  const view = new DataView(bytes.buffer)
  view.setBigInt64(RecordBatchField.baseOffset, 1000n)
  view.setInt32(RecordBatchField.batchLength, bytes.length - LOG_OVERHEAD)
  view.setInt32(RecordBatchField.partitionLeaderEpoch, 3)
  view.setInt8(RecordBatchField.magic, 2)
  view.setInt16(RecordBatchField.attributes, buildAttributes({ compression: 1, isTransactional: true }))
  view.setInt32(RecordBatchField.lastOffsetDelta, 4)
  view.setBigInt64(RecordBatchField.baseTimestamp, 1_700_000_000_000n)
  view.setBigInt64(RecordBatchField.maxTimestamp, 1_700_000_000_123n)
  view.setBigInt64(RecordBatchField.producerId, 42n)
  view.setInt16(RecordBatchField.producerEpoch, 5)
  view.setInt32(RecordBatchField.baseSequence, 17)
  view.setInt32(RecordBatchField.recordsCount, 5)
  view.setUint32(RecordBatchField.crc, crc32c(bytes, 0, RecordBatchField.attributes, bytes.length))
  return bytes
}

test('field offsets follow the v2 layout', () => {
  assert.equal(RECORD_BATCH_HEADER_BYTES, 61)
  assert.equal(LOG_OVERHEAD, 12)
  assert.deepEqual(Object.values(RecordBatchField), [0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57])
})

test('readRecordBatchHeader reads every field at a position inside a larger buffer', () => {
  const batch = handBuiltBatch(20)
  const blob = new Uint8Array(batch.length + 5)
  blob.set(batch, 5)
  const header = readRecordBatchHeader(blob, 5)
  assert.deepEqual(header, {
    baseOffset: 1000n,
    batchLength: batch.length - 12,
    partitionLeaderEpoch: 3,
    magic: 2,
    crc: crc32c(batch, 0, 21, batch.length),
    attributes: 0x11,
    lastOffsetDelta: 4,
    baseTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_123n,
    producerId: 42n,
    producerEpoch: 5,
    baseSequence: 17,
    recordsCount: 5,
    lastOffset: 1004n,
    sizeInBytes: batch.length,
  })
  assert.equal(validateRecordBatch(blob, 5).ok, true)
})

test('attributes: bits round-trip through parse and build', () => {
  for (let attributes = 0; attributes < 0x80; attributes++) {
    assert.equal(buildAttributes(parseAttributes(attributes) as never), attributes)
  }
  assert.deepEqual(parseAttributes(0x2b), { compression: 3, timestampType: TimestampType.LogAppendTime, isTransactional: false, isControl: true, hasDeleteHorizonMs: false })
})

test('writeBaseOffset and writePartitionLeaderEpoch keep the CRC valid', () => {
  const batch = handBuiltBatch(10)
  writeBaseOffset(batch, 0, 123_456_789_012n)
  writePartitionLeaderEpoch(batch, 0, 99)
  const header = readRecordBatchHeader(batch)
  assert.equal(header.baseOffset, 123_456_789_012n)
  assert.equal(header.lastOffset, 123_456_789_016n)
  assert.equal(header.partitionLeaderEpoch, 99)
  assert.equal(validateRecordBatch(batch).ok, true)
})

test('setLogAppendTime sets the timestamp type bit and maxTimestamp, and rewrites the CRC', () => {
  const batch = handBuiltBatch(10)
  const before = readRecordBatchHeader(batch)
  setLogAppendTime(batch, 0, 1_800_000_000_000n)
  const after = readRecordBatchHeader(batch)
  assert.equal(after.attributes, before.attributes | RecordBatchAttribute.timestampTypeLogAppendTime)
  assert.equal(parseAttributes(after.attributes).timestampType, TimestampType.LogAppendTime)
  assert.equal(after.maxTimestamp, 1_800_000_000_000n)
  assert.equal(after.baseTimestamp, before.baseTimestamp)
  assert.notEqual(after.crc, before.crc)
  assert.equal(after.crc, computeRecordBatchCrc(batch))
  assert.equal(validateRecordBatch(batch).ok, true)
})

test('validateRecordBatch detects a CRC mismatch after any single-byte change in the covered range', () => {
  const batch = handBuiltBatch(40)
  fc.assert(
    fc.property(fc.integer({ min: RecordBatchField.attributes, max: batch.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, xor) => {
      const copy = batch.slice()
      copy[index] ^= xor
      const result = validateRecordBatch(copy)
      assert.equal(result.ok, false)
      if (!result.ok) assert.equal(result.error.batchReason, RecordBatchErrorReason.CrcMismatch)
    }),
  )
})

test('magic 0 and 1 message sets are rejected naming the format version', () => {
  for (const magic of [0, 1]) {
    const batch = handBuiltBatch(10)
    batch[RecordBatchField.magic] = magic
    const result = validateRecordBatch(batch)
    assert.equal(result.ok, false)
    if (!result.ok) {
      assert.equal(result.error.batchReason, RecordBatchErrorReason.UnsupportedMagic)
      assert.match(result.error.message, new RegExp(`magic ${magic} \\(message format v${magic}`))
    }
    assert.throws(() => readRecordBatchHeader(batch), RecordBatchError)
    // A v0 message shorter than a v2 header still gets the magic named.
    assert.throws(() => readRecordBatchHeader(batch.subarray(0, 30)), /magic/)
  }
})

test('length problems are typed: truncated, too small, maxBatchBytes', () => {
  const batch = handBuiltBatch(30)
  const truncated = validateRecordBatch(batch.subarray(0, batch.length - 1))
  assert.equal(!truncated.ok && truncated.error.batchReason, RecordBatchErrorReason.Truncated)
  const tooSmall = batch.slice()
  new DataView(tooSmall.buffer).setInt32(RecordBatchField.batchLength, 48)
  const small = validateRecordBatch(tooSmall)
  assert.equal(!small.ok && small.error.batchReason, RecordBatchErrorReason.InvalidLength)
  const big = validateRecordBatch(batch, 0, { maxBatchBytes: batch.length - 1 })
  assert.equal(!big.ok && big.error.batchReason, RecordBatchErrorReason.InvalidLength)
  assert.equal(validateRecordBatch(batch, 0, { maxBatchBytes: batch.length }).ok, true)
})

test('splitRecordBatches yields each batch and stops at a trailing partial batch', () => {
  const first = handBuiltBatch(10)
  const second = handBuiltBatch(25)
  const blob = new Uint8Array(first.length + second.length + 30)
  blob.set(first)
  blob.set(second, first.length)
  blob.set(handBuiltBatch(50).subarray(0, 30), first.length + second.length)
  const slices = [...splitRecordBatches(blob)]
  assert.deepEqual(
    slices.map((slice) => [slice.position, slice.sizeInBytes]),
    [
      [0, first.length],
      [first.length, second.length],
    ],
  )
  assert.deepEqual(slices[1].bytes, second)
  assert.deepEqual([...splitRecordBatches(blob.subarray(0, 11))], [])
})

test('random bytes never escape as anything but a typed error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(80), (bytes, position) => {
      for (const operation of [
        () => readRecordBatchHeader(bytes, position),
        () => computeRecordBatchCrc(bytes, position),
        () => [...splitRecordBatches(bytes)],
        () => validateRecordBatch(bytes, position),
      ]) {
        try {
          operation()
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, String(error))
        }
      }
    }),
  )
})
