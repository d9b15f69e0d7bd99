import { describe, test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { LogError, LogOffsetOutOfRangeError } from './errors.ts'
import { openPartitionLog } from './partition-open.ts'
import type { FlushPolicy, PartitionLog } from './partition-log.ts'
import { resolveTopicConfig } from './topic-config.ts'
import { concatBytes, makeBatch, recordsOf, temporaryDirectory } from './testing/fixtures.ts'

const directories: Array<{ remove: () => void }> = []
const logs: PartitionLog[] = []
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => {})
  for (const directory of directories.splice(0)) directory.remove()
})

function openLog(configs: Record<string, string> = {}, options: { dir?: string; flushPolicy?: FlushPolicy; cleanShutdown?: boolean } = {}): PartitionLog {
  let dir = options.dir
  if (dir === undefined) {
    const directory = temporaryDirectory()
    directories.push(directory)
    dir = `${directory.path}/t-0`
  }
  const log = openPartitionLog({
    dir,
    topic: 't',
    partition: 0,
    config: resolveTopicConfig(configs),
    flushPolicy: options.flushPolicy ?? 'os',
    cleanShutdown: options.cleanShutdown ?? false,
    nowMs: 1_000,
  })
  logs.push(log)
  return log
}

const createTime = { timestampType: 'CreateTime', nowMs: 5_000 } as const

describe('PartitionLog append and read', () => {
  test('assigns consecutive offsets and reads back the stored bytes', () => {
    const log = openLog()
    const first = log.append(makeBatch({ count: 3 }), createTime)
    const second = log.append(makeBatch({ count: 2 }), createTime)
    assert.deepEqual([first.baseOffset, first.lastOffset, second.baseOffset, second.lastOffset], [0n, 2n, 3n, 4n])
    assert.equal(log.logEndOffset, 5n)
    const read = log.read(0n, 1 << 20)
    assert.deepEqual(recordsOf(read.records).map((record) => record.offset), [0n, 1n, 2n, 3n, 4n])
    assert.equal(read.highWatermark, 5n)
    assert.equal(read.logStartOffset, 0n)
  })

  test('stores the appended bytes verbatim apart from the baseOffset field', () => {
    const log = openLog()
    log.append(makeBatch({ count: 1 }), createTime)
    const batch = makeBatch({ count: 4, fill: 0x7a })
    const original = batch.slice()
    log.append(batch, createTime)
    const read = log.read(1n, 1 << 20).records
    assert.equal(read.length, original.length)
    assert.ok(Buffer.from(read.subarray(8)).equals(Buffer.from(original.subarray(8))))
    assert.equal(new DataView(read.buffer, read.byteOffset).getBigInt64(0), 1n)
  })

  test('accepts several concatenated batches in one append', () => {
    const log = openLog()
    const result = log.append(concatBytes([makeBatch({ count: 2 }), makeBatch({ count: 3 })]), createTime)
    assert.deepEqual([result.baseOffset, result.lastOffset], [0n, 4n])
    assert.deepEqual(recordsOf(log.read(0n, 1 << 20).records).map((record) => record.offset), [0n, 1n, 2n, 3n, 4n])
  })

  test('a fetch from the middle starts at the batch holding the offset (index lookup)', () => {
    const log = openLog({ 'index.interval.bytes': '256' })
    for (let i = 0; i < 200; i++) log.append(makeBatch({ count: 5 }), createTime)
    for (const fetchOffset of [0n, 1n, 4n, 5n, 503n, 999n]) {
      const records = recordsOf(log.read(fetchOffset, 1).records)
      const expectedBase = (fetchOffset / 5n) * 5n
      assert.deepEqual(records.map((record) => record.offset), [0n, 1n, 2n, 3n, 4n].map((delta) => expectedBase + delta))
    }
  })

  test('maxBytes bounds the result, but the first batch comes whole', () => {
    const log = openLog()
    for (let i = 0; i < 10; i++) log.append(makeBatch({ count: 10, valueBytes: 100 }), createTime)
    const batchBytes = makeBatch({ count: 10, valueBytes: 100 }).length
    assert.equal(log.read(0n, 10).records.length, batchBytes)
    assert.equal(log.read(0n, batchBytes * 3 + 5).records.length, batchBytes * 3)
    assert.equal(log.read(0n, 1 << 20).records.length, batchBytes * 10)
  })

  test('maxOffset excludes batches at or above it', () => {
    const log = openLog()
    for (let i = 0; i < 5; i++) log.append(makeBatch({ count: 2 }), createTime)
    assert.deepEqual(recordsOf(log.read(0n, 1 << 20, { maxOffset: 4n }).records).map((record) => record.offset), [0n, 1n, 2n, 3n])
    assert.equal(log.read(4n, 1 << 20, { maxOffset: 4n }).records.length, 0)
  })

  test('reading at logEndOffset is empty; beyond it or below logStartOffset is out of range', () => {
    const log = openLog()
    log.append(makeBatch({ count: 2 }), createTime)
    assert.equal(log.read(2n, 100).records.length, 0)
    assert.throws(() => log.read(3n, 100), (error: unknown) => error instanceof LogOffsetOutOfRangeError && error.code === 'LOG_OFFSET_OUT_OF_RANGE' && error.logEndOffset === 2n)
    assert.throws(() => log.read(-1n, 100), LogOffsetOutOfRangeError)
  })

  test('rejects a batch above max.message.bytes and bytes that are not batches', () => {
    const log = openLog({ 'max.message.bytes': '500' })
    assert.throws(() => log.append(makeBatch({ count: 10 }), createTime), (error: unknown) => error instanceof LogError && error.code === 'LOG_RECORD_TOO_LARGE')
    assert.throws(() => log.append(new Uint8Array(30), createTime), (error: unknown) => error instanceof LogError && error.code === 'LOG_CORRUPT')
    const torn = makeBatch({ count: 1 }).subarray(0, 70)
    assert.throws(() => log.append(torn, createTime), (error: unknown) => error instanceof LogError && error.code === 'LOG_CORRUPT')
    assert.equal(log.logEndOffset, 0n)
  })

  test('LogAppendTime stamps the batch and keeps its CRC valid', () => {
    const log = openLog()
    const result = log.append(makeBatch({ count: 3, timestamp: 10 }), { timestampType: 'LogAppendTime', nowMs: 77_000 })
    assert.equal(result.logAppendTimeMs, 77_000)
    // recordsOf decodes with CRC verification: a stale CRC would throw.
    assert.deepEqual(recordsOf(log.read(0n, 1 << 20).records).map((record) => record.timestampMs), [77_000, 77_000, 77_000])
    assert.equal(log.append(makeBatch(), createTime).logAppendTimeMs, -1)
  })

  test('writes the partition leader epoch when asked', () => {
    const log = openLog()
    log.append(makeBatch(), { ...createTime, partitionLeaderEpoch: 7 })
    const stored = log.read(0n, 1000).records
    assert.equal(new DataView(stored.buffer, stored.byteOffset).getInt32(12), 7)
  })
})

describe('PartitionLog segments', () => {
  test('rolls by segment.bytes and reads across segments', () => {
    const log = openLog({ 'segment.bytes': '2000' })
    for (let i = 0; i < 30; i++) log.append(makeBatch({ count: 3 }), createTime)
    const segments = log.segments
    assert.ok(segments.length > 5, `expected many segments, got ${segments.length}`)
    for (const segment of segments) assert.ok(segment.sizeBytes <= 2000)
    assert.deepEqual(segments.map((segment) => segment.isActive), segments.map((_, i) => i === segments.length - 1))
    const offsets: bigint[] = []
    let next = 0n
    while (next < log.logEndOffset) {
      const batchOffsets = recordsOf(log.read(next, 1 << 20).records).map((record) => record.offset)
      offsets.push(...batchOffsets.filter((offset) => offset >= next))
      next = batchOffsets[batchOffsets.length - 1] + 1n
    }
    assert.deepEqual(offsets, Array.from({ length: 90 }, (_, i) => BigInt(i)))
    const names = readdirSync(log.dir).filter((name) => name.endsWith('.log'))
    assert.ok(names.includes('00000000000000000000.log'))
    assert.equal(names.length, segments.length)
  })

  test('one read never spans two segments', () => {
    const log = openLog({ 'segment.bytes': '1000' })
    for (let i = 0; i < 10; i++) log.append(makeBatch({ count: 2 }), createTime)
    const firstSegmentEnd = log.segments[1].baseOffset
    const offsets = recordsOf(log.read(0n, 1 << 20).records).map((record) => record.offset)
    assert.equal(offsets[offsets.length - 1], firstSegmentEnd - 1n)
  })

  test('rolls by segment.ms, counted from the segment creation, whatever the record timestamps', () => {
    const log = openLog({ 'segment.ms': '1000' }) // created at nowMs 1_000
    const at = (nowMs: number) => log.append(makeBatch({ timestamp: 5 }), { timestampType: 'CreateTime', nowMs })
    at(1_500)
    at(2_000)
    assert.equal(log.segments.length, 1)
    at(2_001)
    assert.deepEqual(log.segments.map((segment) => segment.baseOffset), [0n, 2n])
    at(3_001)
    assert.equal(log.segments.length, 2)
    at(3_002)
    assert.deepEqual(log.segments.map((segment) => segment.baseOffset), [0n, 2n, 4n])
  })

  test('a full index (segment.index.bytes) rolls the segment', () => {
    const log = openLog({ 'index.interval.bytes': '0', 'segment.index.bytes': '96' })
    for (let i = 0; i < 40; i++) log.append(makeBatch({ timestamp: i }), createTime)
    assert.ok(log.segments.length >= 4, `${log.segments.length} segments`)
    for (let offset = 0n; offset < 40n; offset++) assert.equal(recordsOf(log.read(offset, 1).records)[0].offset, offset)
    assert.deepEqual(log.offsetForTimestamp(33), { offset: 33n, timestampMs: 33 })
  })

  test('rejects a single append larger than a segment', () => {
    const log = openLog({ 'segment.bytes': '1000' })
    assert.throws(() => log.append(makeBatch({ count: 20 }), createTime), (error: unknown) => error instanceof LogError && error.code === 'LOG_RECORD_TOO_LARGE')
  })
})

describe('PartitionLog timestamps', () => {
  test('offsetForTimestamp finds the earliest record at or after the time, across segments', () => {
    const log = openLog({ 'segment.bytes': '3000', 'index.interval.bytes': '200' })
    // Record i has timestamp 1000 + 10 i; batches of 4 records.
    for (let batch = 0; batch < 50; batch++) {
      log.append(makeBatch({ timestamps: [0, 1, 2, 3].map((j) => 1_000 + 10 * (batch * 4 + j)) }), createTime)
    }
    assert.ok(log.segments.length > 3)
    for (const target of [0, 1_000, 1_005, 1_010, 1_555, 2_990, 2_991]) {
      const expectedIndex = Math.max(0, Math.ceil((target - 1_000) / 10))
      const found = log.offsetForTimestamp(target)
      if (expectedIndex >= 200) assert.equal(found, undefined)
      else assert.deepEqual(found, { offset: BigInt(expectedIndex), timestampMs: 1_000 + 10 * expectedIndex })
    }
  })

  test('offsetForTimestamp sees out-of-order timestamps inside a batch', () => {
    const log = openLog()
    log.append(makeBatch({ timestamps: [100, 500, 200, 300] }), createTime)
    log.append(makeBatch({ timestamps: [400, 450] }), createTime)
    assert.deepEqual(log.offsetForTimestamp(250), { offset: 1n, timestampMs: 500 })
    assert.deepEqual(log.offsetForTimestamp(501), undefined)
    assert.deepEqual(log.maxTimestamp(), { offset: 1n, timestampMs: 500 })
  })

  test('maxTimestamp names the record with the largest timestamp across segments', () => {
    const log = openLog({ 'segment.bytes': '1000' })
    const timestamps = [5, 9, 3, 42, 7, 42, 1, 8, 6, 2]
    for (const timestamp of timestamps) log.append(makeBatch({ timestamps: [timestamp, timestamp - 1] }), createTime)
    assert.ok(log.segments.length > 2)
    assert.deepEqual(log.maxTimestamp(), { offset: 6n, timestampMs: 42 })
  })

  test('an empty log has no timestamps', () => {
    const log = openLog()
    assert.equal(log.offsetForTimestamp(0), undefined)
    assert.equal(log.maxTimestamp(), undefined)
  })
})

describe('PartitionLog deleteRecords and retention', () => {
  test('deleteRecordsBefore moves logStartOffset and deletes whole segments below it', () => {
    const log = openLog({ 'segment.bytes': '1000' })
    for (let i = 0; i < 20; i++) log.append(makeBatch({ count: 2 }), createTime)
    const segmentsBefore = log.segments.length
    const target = log.segments[2].baseOffset + 1n
    assert.equal(log.deleteRecordsBefore(target), target)
    assert.equal(log.logStartOffset, target)
    assert.equal(log.segments.length, segmentsBefore - 2)
    assert.throws(() => log.read(target - 1n, 100), LogOffsetOutOfRangeError)
    assert.ok(recordsOf(log.read(target, 100).records).some((record) => record.offset === target))
    assert.equal(log.deleteRecordsBefore(0n), target, 'moving backwards is a no-op')
    assert.throws(() => log.deleteRecordsBefore(log.logEndOffset + 1n), LogOffsetOutOfRangeError)
    const end = log.logEndOffset
    assert.equal(log.deleteRecordsBefore(end), end)
    assert.equal(log.read(end, 100).records.length, 0)
    assert.equal(log.append(makeBatch(), createTime).baseOffset, end)
    assert.equal(recordsOf(log.read(end, 100).records)[0].offset, end)
  })

  test('retention.ms deletes segments whose newest record is too old, never the active one', () => {
    const log = openLog({ 'segment.bytes': '1000', 'retention.ms': '10000' })
    for (let i = 0; i < 20; i++) log.append(makeBatch({ count: 2, timestamp: 1_000 * i }), createTime)
    const segments = log.segments
    const result = log.runRetention(25_000)
    const expected = segments.slice(0, -1).findIndex((segment) => 25_000 - segment.maxTimestampMs <= 10_000)
    assert.equal(result.deletedSegments, expected === -1 ? segments.length - 1 : expected)
    assert.ok(result.deletedSegments > 0)
    assert.equal(result.reason, 'retention.ms')
    assert.equal(log.logStartOffset, log.segments[0].baseOffset)
    assert.equal(result.logStartOffset, log.logStartOffset)
    // Far in the future everything but the active segment goes.
    log.runRetention(1e12)
    assert.equal(log.segments.length, 1)
  })

  test('retention.bytes keeps the partition under the limit by whole segments', () => {
    const log = openLog({ 'segment.bytes': '1000', 'retention.bytes': '2500' })
    for (let i = 0; i < 30; i++) log.append(makeBatch({ count: 2 }), createTime)
    const result = log.runRetention(0)
    assert.equal(result.reason, 'retention.bytes')
    assert.ok(log.sizeBytes <= 2500 + 1000, `size ${log.sizeBytes}`)
    assert.ok(log.sizeBytes > 2500 - 1000)
    assert.equal(log.logStartOffset, log.segments[0].baseOffset)
  })

  test('cleanup.policy=compact disables time and size retention', () => {
    const log = openLog({ 'segment.bytes': '1000', 'retention.ms': '1', 'cleanup.policy': 'compact' })
    for (let i = 0; i < 10; i++) log.append(makeBatch({ count: 2, timestamp: 0 }), createTime)
    assert.equal(log.runRetention(1e12).deletedSegments, 0)
  })
})
