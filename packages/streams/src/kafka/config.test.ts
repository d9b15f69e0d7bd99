// KafkaStreams configuration defaults and validation (Kafka Streams' defaults where it has one).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from './config.ts'
import { DEFAULT_CACHE_MAX_BYTES } from '../state/caching/thread-cache.ts'

const base = { applicationId: 'app', bootstrapServers: 'localhost:9092' }

test('cacheMaxBytes defaults to 10 MiB (statestore.cache.max.bytes); 0 disables the cache; negatives and fractions are refused', () => {
  assert.equal(resolveConfig(base).cacheMaxBytes, DEFAULT_CACHE_MAX_BYTES)
  assert.equal(DEFAULT_CACHE_MAX_BYTES, 10 * 1024 * 1024)
  assert.equal(resolveConfig({ ...base, cacheMaxBytes: 0 }).cacheMaxBytes, 0)
  for (const cacheMaxBytes of [-1, 1.5, Number.NaN]) {
    assert.throws(() => resolveConfig({ ...base, cacheMaxBytes }), (error: Error & { code?: string }) => /cacheMaxBytes/.test(error.message))
  }
})

test('commitIntervalMs defaults follow the processing guarantee', () => {
  assert.equal(resolveConfig(base).commitIntervalMs, 30_000)
  assert.equal(resolveConfig({ ...base, processingGuarantee: 'exactly_once_v2' }).commitIntervalMs, 100)
})

test('repartitionPurgeIntervalMs (30 s) and windowStoreChangelogAdditionalRetentionMs (1 day) take Kafka defaults; negatives and fractions are refused', () => {
  assert.equal(resolveConfig(base).repartitionPurgeIntervalMs, 30_000)
  assert.equal(resolveConfig(base).windowStoreChangelogAdditionalRetentionMs, 86_400_000)
  assert.equal(resolveConfig({ ...base, repartitionPurgeIntervalMs: 0 }).repartitionPurgeIntervalMs, 0)
  for (const name of ['repartitionPurgeIntervalMs', 'windowStoreChangelogAdditionalRetentionMs'] as const) {
    for (const value of [-1, 1.5, Number.NaN]) {
      assert.throws(() => resolveConfig({ ...base, [name]: value }), (error: Error & { code?: string }) => error.code === 'KAFKA_STREAMS_INVALID_CONFIG' && new RegExp(`${name} ${value} is not an integer >= 0`).test(error.message))
    }
  }
})
