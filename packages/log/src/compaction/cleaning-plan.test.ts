import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecordBatch, decodeRecordBatch, encodeRecordBatch, recordTimestamp } from '@tributary/protocol'
import { cleanBatch } from './batch-cleaner.ts'
import { groupSegments, planCleaning } from './cleaning-plan.ts'
import type { CleaningPlanInput } from './cleaning-plan.ts'

const config = { minCleanableDirtyRatio: 0.5, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER }
const segments = [0n, 10n, 20n, 30n, 40n].map((baseOffset) => ({ baseOffset, sizeBytes: 100, maxTimestampMs: 1000 }))
const input = (overrides: Partial<CleaningPlanInput>): CleaningPlanInput => ({
  segments, logStartOffset: 0n, highWatermark: 45n, cleanedOffset: 0n, firstUnstableOffset: undefined, pendingDeleteHorizonMs: undefined, nowMs: 5000, config, ...overrides,
})

describe('planCleaning', () => {
  test('never includes the active segment; everything is dirty at first', () => {
    const plan = planCleaning(input({}))
    assert.deepEqual([plan.cleanableCount, plan.firstDirtyIndex, plan.firstUncleanableOffset, plan.dirtyRatio, plan.reason], [4, 0, 40n, 1, 'dirty-ratio'])
  })
  test('dirty ratio threshold, open transactions, highWatermark and min.compaction.lag.ms bound the range', () => {
    assert.equal(planCleaning(input({ cleanedOffset: 30n })).reason, undefined, '1 dirty of 4: below 0.5')
    assert.equal(planCleaning(input({ cleanedOffset: 20n })).reason, 'dirty-ratio', '2 of 4')
    assert.equal(planCleaning(input({ firstUnstableOffset: 25n })).cleanableCount, 2)
    assert.equal(planCleaning(input({ highWatermark: 15n })).cleanableCount, 1)
    assert.equal(planCleaning(input({ config: { ...config, minCompactionLagMs: 4500 } })).cleanableCount, 0)
    assert.equal(planCleaning(input({ cleanedOffset: 30n, config: { ...config, maxCompactionLagMs: 1000 } })).reason, 'max-compaction-lag')
    assert.equal(planCleaning(input({ cleanedOffset: 40n, pendingDeleteHorizonMs: 4000 })).reason, 'delete-horizon')
    assert.equal(planCleaning(input({ cleanedOffset: 40n, pendingDeleteHorizonMs: 6000 })).reason, undefined)
  })
  test('groups segments up to segment.bytes', () => {
    assert.deepEqual(groupSegments(segments, 4, { maxBytes: 250 }), [{ start: 0, end: 2 }, { start: 2, end: 4 }])
    assert.deepEqual(groupSegments(segments, 3, { maxBytes: 50 }), [{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 3 }])
  })
})

describe('cleanBatch', () => {
  const encoder = new TextEncoder()
  const batch = (baseOffset: bigint) => {
    const bytes = encodeRecordBatch(createRecordBatch({
      records: [{ key: encoder.encode('a'), value: encoder.encode('1'), timestamp: 100 }, { key: encoder.encode('b'), value: null, timestamp: 150 }, { key: encoder.encode('a'), value: encoder.encode('2'), timestamp: 200 }],
      baseOffset,
    }))
    return bytes
  }
  const context = (latest: Record<string, bigint>, nowMs = 1000) => ({
    nowMs, deleteRetentionMs: 500, latestOffset: (key: Uint8Array) => latest[new TextDecoder().decode(key)],
    isAborted: () => false, isLastBatchOfProducer: () => false,
  })
  test('removes superseded records, keeps offsets and sets a delete horizon for a kept tombstone', () => {
    const result = cleanBatch(batch(10n), context({ a: 12n, b: 11n }))
    assert.equal(result.kind, 'rewrite')
    if (result.kind !== 'rewrite') return
    assert.equal(result.deleteHorizonMs, 1500)
    const cleaned = decodeRecordBatch(result.bytes)
    assert.equal(cleaned.baseOffset, 10n)
    assert.equal(cleaned.lastOffsetDelta, 2)
    assert.deepEqual(cleaned.records.map((record) => [record.offsetDelta, recordTimestamp(cleaned, record)]), [[1, 150], [2, 200]])
    assert.equal(cleaned.attributes & 0x40, 0x40)
    // Past the horizon the tombstone goes; the record with the latest key stays.
    const later = cleanBatch(result.bytes, context({ a: 12n, b: 11n }, 1500))
    assert.equal(later.kind, 'rewrite')
    if (later.kind === 'rewrite') assert.deepEqual(decodeRecordBatch(later.bytes).records.map((record) => record.offsetDelta), [2])
  })
  test('drops a batch whose records are all superseded', () => {
    assert.deepEqual(cleanBatch(batch(10n), context({ a: 99n, b: 99n })), { kind: 'drop', removedRecords: 3 })
  })
})
