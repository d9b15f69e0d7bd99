// Per-topic configuration: Kafka's topic config names and defaults, parsed into typed values.
// Configs are stored as Kafka spells them (strings keyed by `retention.ms`…), so DescribeConfigs
// and IncrementalAlterConfigs round-trip them verbatim; `resolveTopicConfig` gives the typed view.
import { LogError, LogErrorCode } from './errors.ts'

/** The typed view of a topic's configuration the log acts on. */
export interface TopicConfig {
  /** Delete segments whose newest record is older than this; -1 keeps forever. */
  readonly retentionMs: number
  /** Delete oldest segments while the partition is larger than this; -1 keeps everything. */
  readonly retentionBytes: number
  /** Roll to a new segment before the active one would exceed this. */
  readonly segmentBytes: number
  /** Roll when the active segment's first batch is older than this. */
  readonly segmentMs: number
  /** `delete`, `compact` or both; retention deletes only under `delete`. */
  readonly cleanupPolicy: readonly CleanupPolicy[]
  /** The largest record batch (whole v2 batch bytes) a producer may append. */
  readonly maxMessageBytes: number
  readonly messageTimestampType: MessageTimestampType
  /** Accepted and stored; a single-node broker has one in-sync replica. */
  readonly minInsyncReplicas: number
  /** Bytes of log between two offset-index entries. */
  readonly indexIntervalBytes: number
  /** The largest offset (and time) index of a segment; a full index rolls the segment. */
  readonly segmentIndexBytes: number
  /** Kept for the log cleaner (compaction, a later issue). */
  readonly deleteRetentionMs: number
  readonly minCleanableDirtyRatio: number
}

export type CleanupPolicy = 'delete' | 'compact'
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime'

/** Kafka's defaults for every topic config this broker accepts (strings, as DescribeConfigs shows them). */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'delete.retention.ms': '86400000',
  'file.delete.delay.ms': '60000',
  'flush.messages': '9223372036854775807',
  'flush.ms': '9223372036854775807',
  'index.interval.bytes': '4096',
  'max.compaction.lag.ms': '9223372036854775807',
  'max.message.bytes': '1048588',
  'message.timestamp.after.max.ms': '9223372036854775807',
  'message.timestamp.before.max.ms': '9223372036854775807',
  'message.timestamp.difference.max.ms': '9223372036854775807',
  'message.timestamp.type': 'CreateTime',
  'min.cleanable.dirty.ratio': '0.5',
  'min.compaction.lag.ms': '0',
  'min.insync.replicas': '1',
  'preallocate': 'false',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.index.bytes': '10485760',
  'segment.jitter.ms': '0',
  'segment.ms': '604800000',
  'unclean.leader.election.enable': 'false',
}

/** Lower bounds Kafka enforces (segment.bytes ≥ 14 bytes there; we require room for one batch header). */
const SEGMENT_BYTES_MIN = 64
const SEGMENT_INDEX_BYTES_MIN = 96

/** True for a config name this broker accepts on a topic. */
export function isTopicConfigName(name: string): boolean {
  return Object.hasOwn(TOPIC_CONFIG_DEFAULTS, name)
}

/**
 * Validates `overrides` (topic-level configs) over `defaults` (broker-level configs, already
 * valid) and returns the typed view. Unknown names and malformed values throw LOG_INVALID_CONFIG.
 */
export function resolveTopicConfig(overrides: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>> = {}): TopicConfig {
  for (const name of Object.keys(overrides)) {
    if (!isTopicConfigName(name)) throw invalid(name, overrides[name], 'unknown topic config')
  }
  const value = (name: string): string => overrides[name] ?? defaults[name] ?? TOPIC_CONFIG_DEFAULTS[name]
  const config: TopicConfig = {
    retentionMs: integer('retention.ms', value('retention.ms'), -1),
    retentionBytes: integer('retention.bytes', value('retention.bytes'), -1),
    segmentBytes: integer('segment.bytes', value('segment.bytes'), SEGMENT_BYTES_MIN, 2 ** 31 - 1),
    segmentMs: integer('segment.ms', value('segment.ms'), 1),
    cleanupPolicy: cleanupPolicy(value('cleanup.policy')),
    maxMessageBytes: integer('max.message.bytes', value('max.message.bytes'), 0, 2 ** 31 - 1),
    messageTimestampType: timestampType(value('message.timestamp.type')),
    minInsyncReplicas: integer('min.insync.replicas', value('min.insync.replicas'), 1),
    indexIntervalBytes: integer('index.interval.bytes', value('index.interval.bytes'), 0, 2 ** 31 - 1),
    segmentIndexBytes: integer('segment.index.bytes', value('segment.index.bytes'), SEGMENT_INDEX_BYTES_MIN, 2 ** 31 - 1),
    deleteRetentionMs: integer('delete.retention.ms', value('delete.retention.ms'), 0),
    minCleanableDirtyRatio: ratio('min.cleanable.dirty.ratio', value('min.cleanable.dirty.ratio')),
  }
  // Validate the pass-through numeric configs too, so a bad value fails at CreateTopics, not later.
  for (const name of ['flush.messages', 'flush.ms', 'max.compaction.lag.ms', 'min.compaction.lag.ms', 'segment.jitter.ms', 'file.delete.delay.ms']) {
    integer(name, value(name), 0)
  }
  return config
}

function integer(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text.trim())) throw invalid(name, text, 'not an integer')
  const parsed = BigInt(text.trim())
  if (parsed < BigInt(min)) throw invalid(name, text, `below the minimum ${min}`)
  // Kafka's "Long.MAX_VALUE means never": clamp huge values to our largest safe integer.
  return parsed > BigInt(max) ? (max === Number.MAX_SAFE_INTEGER ? max : failHigh(name, text, max)) : Number(parsed)
}

function failHigh(name: string, text: string, max: number): never {
  throw invalid(name, text, `above the maximum ${max}`)
}

function ratio(name: string, text: string): number {
  const parsed = Number(text)
  if (text.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw invalid(name, text, 'not a number in [0, 1]')
  return parsed
}

function cleanupPolicy(text: string): CleanupPolicy[] {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '')
  if (parts.length === 0) throw invalid('cleanup.policy', text, 'empty')
  for (const part of parts) {
    if (part !== 'delete' && part !== 'compact') throw invalid('cleanup.policy', text, `unknown policy '${part}'`)
  }
  return [...new Set(parts)] as CleanupPolicy[]
}

function timestampType(text: string): MessageTimestampType {
  if (text !== 'CreateTime' && text !== 'LogAppendTime') throw invalid('message.timestamp.type', text, 'expected CreateTime or LogAppendTime')
  return text
}

function invalid(name: string, value: string | undefined, why: string): LogError {
  return new LogError(LogErrorCode.InvalidConfig, `invalid topic config ${name}=${value ?? ''}: ${why}`)
}
