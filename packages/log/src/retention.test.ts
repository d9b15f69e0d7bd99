import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { countBelowLogStartOffset, decideRetention } from './retention.ts'
import type { RetentionSegment } from './retention.ts'
import { resolveTopicConfig } from './topic-config.ts'

/** Segments of 100 bytes and 10 offsets each; segment i's newest record is at time 1000 i. */
function segments(count: number): RetentionSegment[] {
  return Array.from({ length: count }, (_, i) => ({ baseOffset: BigInt(10 * i), sizeBytes: 100, maxTimestampMs: 1_000 * i }))
}

describe('decideRetention', () => {
  test('retention.ms deletes the oldest segments whose newest record is too old', () => {
    const config = resolveTopicConfig({ 'retention.ms': '2500' })
    assert.deepEqual(decideRetention(segments(6), config, 0n, 5_000), { count: 3, reason: 'retention.ms' })
    assert.deepEqual(decideRetention(segments(6), config, 0n, 0), { count: 0, reason: undefined })
  })

  test('retention.bytes deletes until the rest fits', () => {
    const config = resolveTopicConfig({ 'retention.bytes': '250' })
    assert.deepEqual(decideRetention(segments(6), config, 0n, 0), { count: 3, reason: 'retention.bytes' })
    assert.equal(decideRetention(segments(6), resolveTopicConfig({ 'retention.bytes': '600' }), 0n, 0).count, 0)
  })

  test('segments wholly below logStartOffset go under any cleanup policy', () => {
    const config = resolveTopicConfig({ 'cleanup.policy': 'compact', 'retention.ms': '1', 'retention.bytes': '0' })
    assert.deepEqual(decideRetention(segments(6), config, 25n, 1e9), { count: 2, reason: 'log-start-offset' })
    assert.equal(countBelowLogStartOffset(segments(6), 20n), 2)
    assert.equal(countBelowLogStartOffset(segments(6), 19n), 1)
  })

  test('never the active segment, whatever the limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: -1, max: 3000 }), fc.integer({ min: -1, max: 3000 }), fc.bigInt({ min: 0n, max: 500n }), (count, retentionMs, retentionBytes, logStartOffset) => {
        const config = resolveTopicConfig({ 'retention.ms': String(retentionMs), 'retention.bytes': String(retentionBytes) })
        const decision = decideRetention(segments(count), config, logStartOffset, 1e6)
        assert.ok(decision.count <= count - 1)
        assert.equal(decision.count === 0, decision.reason === undefined)
      }),
    )
  })
})
