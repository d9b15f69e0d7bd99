// The topic configs the log cleaner acts on, typed. `min.compaction.lag.ms` and
// `max.compaction.lag.ms` are validated by resolveTopicConfig but not part of TopicConfig, so
// they are read here from the same Kafka-named strings (topic overrides over broker defaults).
import { TOPIC_CONFIG_DEFAULTS } from '../topic-config.ts'
import type { TopicConfig } from '../topic-config.ts'

export interface CompactionConfig {
  /** True under cleanup.policy=compact or compact,delete. */
  readonly compact: boolean
  /** How long a tombstone stays readable after the cleaner first keeps it (its delete horizon). */
  readonly deleteRetentionMs: number
  /** Clean when dirty bytes / (clean + dirty bytes) reaches this. */
  readonly minCleanableDirtyRatio: number
  /** A segment whose newest record is younger than this is not cleaned yet. */
  readonly minCompactionLagMs: number
  /** Clean regardless of the dirty ratio once the oldest dirty segment's newest record is older than this. */
  readonly maxCompactionLagMs: number
  /** Cleaned segments are merged while their original sizes sum to at most this. */
  readonly segmentBytes: number
}

/** The cleaner's view of a topic: `config` (typed) plus the two lag configs looked up in `overrides` / `defaults`. */
export function compactionConfigOf(config: TopicConfig, overrides: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): CompactionConfig {
  const lookup = (name: string): number => {
    const text = overrides[name] ?? defaults[name] ?? TOPIC_CONFIG_DEFAULTS[name]
    const parsed = Number(text)
    return Number.isFinite(parsed) ? Math.min(parsed, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER
  }
  return {
    compact: config.cleanupPolicy.includes('compact'),
    deleteRetentionMs: config.deleteRetentionMs,
    minCleanableDirtyRatio: config.minCleanableDirtyRatio,
    minCompactionLagMs: lookup('min.compaction.lag.ms'),
    maxCompactionLagMs: lookup('max.compaction.lag.ms'),
    segmentBytes: config.segmentBytes,
  }
}
