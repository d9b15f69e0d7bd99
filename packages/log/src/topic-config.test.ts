import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { LogError } from './errors.ts'
import { isTopicConfigName, resolveTopicConfig, TOPIC_CONFIG_DEFAULTS } from './topic-config.ts'

const invalidConfig = (error: unknown) => error instanceof LogError && error.code === 'LOG_INVALID_CONFIG' && !error.retriable

describe('resolveTopicConfig', () => {
  test("Kafka's defaults", () => {
    const config = resolveTopicConfig({})
    assert.equal(config.retentionMs, 604_800_000)
    assert.equal(config.retentionBytes, -1)
    assert.equal(config.segmentBytes, 1_073_741_824)
    assert.equal(config.segmentMs, 604_800_000)
    assert.deepEqual(config.cleanupPolicy, ['delete'])
    assert.equal(config.maxMessageBytes, 1_048_588)
    assert.equal(config.messageTimestampType, 'CreateTime')
    assert.equal(config.minInsyncReplicas, 1)
    assert.equal(config.indexIntervalBytes, 4096)
    assert.equal(config.deleteRetentionMs, 86_400_000)
    assert.equal(config.minCleanableDirtyRatio, 0.5)
  })

  test('topic overrides win over broker defaults, which win over Kafka defaults', () => {
    const config = resolveTopicConfig({ 'retention.ms': '-1', 'cleanup.policy': 'compact, delete' }, { 'retention.ms': '5', 'segment.ms': '77' })
    assert.equal(config.retentionMs, -1)
    assert.equal(config.segmentMs, 77)
    assert.deepEqual(config.cleanupPolicy, ['compact', 'delete'])
  })

  test("Long.MAX_VALUE ('never') is accepted for time limits", () => {
    assert.equal(resolveTopicConfig({ 'segment.ms': '9223372036854775807' }).segmentMs, Number.MAX_SAFE_INTEGER)
  })

  test('rejects unknown names and malformed or out-of-range values', () => {
    const invalid: Array<Record<string, string>> = [
      { 'retention.msx': '1' },
      { 'retention.ms': '1.5' },
      { 'retention.ms': '-2' },
      { 'segment.bytes': '10' },
      { 'segment.bytes': '4294967296' },
      { 'cleanup.policy': '' },
      { 'cleanup.policy': 'delete,forever' },
      { 'message.timestamp.type': 'WallTime' },
      { 'min.cleanable.dirty.ratio': '1.5' },
      { 'min.insync.replicas': '0' },
      { 'flush.ms': 'x' },
    ]
    for (const configs of invalid) {
      assert.throws(() => resolveTopicConfig(configs), invalidConfig, JSON.stringify(configs))
    }
  })

  test('every default is itself valid and every name is known', () => {
    assert.doesNotThrow(() => resolveTopicConfig({ ...TOPIC_CONFIG_DEFAULTS }))
    assert.ok(isTopicConfigName('min.cleanable.dirty.ratio'))
    assert.ok(!isTopicConfigName('constructor'))
  })
})
