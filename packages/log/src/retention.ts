// Which old segments retention deletes: a pure decision over segment statistics, so the rules
// are testable without files. Only whole segments go, oldest first, never the active one.
import type { TopicConfig } from './topic-config.ts'

export interface RetentionSegment {
  baseOffset: bigint
  sizeBytes: number
  /** Newest record timestamp in the segment, -1 when none. */
  maxTimestampMs: number
}

export type RetentionReason = 'log-start-offset' | 'retention.ms' | 'retention.bytes'

export interface RetentionDecision {
  /** Delete segments [0, count). */
  count: number
  reason: RetentionReason | undefined
}

/**
 * How many of the oldest `segments` (sorted, the last one active) retention deletes at `nowMs`:
 * those wholly below `logStartOffset`; under cleanup.policy=delete also those whose newest
 * record is more than retention.ms old and those that keep the partition above retention.bytes.
 */
export function decideRetention(segments: readonly RetentionSegment[], config: TopicConfig, logStartOffset: bigint, nowMs: number): RetentionDecision {
  const deletable = segments.length - 1
  let decision: RetentionDecision = { count: 0, reason: undefined }
  const consider = (count: number, reason: RetentionReason): void => {
    if (count > decision.count) decision = { count, reason }
  }
  consider(countBelowLogStartOffset(segments, logStartOffset), 'log-start-offset')
  if (!config.cleanupPolicy.includes('delete')) return decision
  if (config.retentionMs >= 0) {
    let expired = 0
    while (expired < deletable && nowMs - segments[expired].maxTimestampMs > config.retentionMs) expired++
    consider(expired, 'retention.ms')
  }
  if (config.retentionBytes >= 0) {
    let excessBytes = segments.reduce((sum, segment) => sum + segment.sizeBytes, 0) - config.retentionBytes
    let oversize = 0
    while (oversize < deletable && excessBytes - segments[oversize].sizeBytes >= 0) {
      excessBytes -= segments[oversize].sizeBytes
      oversize++
    }
    consider(oversize, 'retention.bytes')
  }
  return decision
}

/** How many of the oldest segments hold only offsets below `logStartOffset` (never the active one). */
export function countBelowLogStartOffset(segments: readonly RetentionSegment[], logStartOffset: bigint): number {
  let count = 0
  while (count < segments.length - 1 && segments[count + 1].baseOffset <= logStartOffset) count++
  return count
}
