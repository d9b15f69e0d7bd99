// Whether a partition needs cleaning now and which segments a pass may touch: a pure decision
// over segment statistics (Kafka's LogCleanerManager rules), testable without files.
//
// The log splits into a clean head (cleaned by earlier passes, below firstDirtyOffset), a dirty
// middle (written since), and an uncleanable tail: the active segment, anything at or above the
// highWatermark or the first offset of a still-open transaction, and segments holding records
// younger than min.compaction.lag.ms. Only whole segments are cleaned.
import type { CompactionConfig } from './compaction-config.ts'

export interface PlanSegment {
  baseOffset: bigint
  sizeBytes: number
  /** Newest record timestamp, -1 when none. */
  maxTimestampMs: number
}

export interface CleaningPlanInput {
  /** Sorted; the last one is the active segment. */
  segments: readonly PlanSegment[]
  logStartOffset: bigint
  highWatermark: bigint
  /** Offsets below this were cleaned by an earlier pass (from the cleaner checkpoint; 0 when never). */
  cleanedOffset: bigint
  /** First offset of the earliest transaction without a marker; undefined when none is open. */
  firstUnstableOffset: bigint | undefined
  /** The earliest delete horizon a previous pass set and left pending; undefined when none. */
  pendingDeleteHorizonMs: number | undefined
  nowMs: number
  config: Pick<CompactionConfig, 'minCleanableDirtyRatio' | 'minCompactionLagMs' | 'maxCompactionLagMs'>
}

export type CleaningReason = 'dirty-ratio' | 'max-compaction-lag' | 'delete-horizon'

export interface CleaningPlan {
  /** Segments [0, cleanableCount) may be cleaned; [firstDirtyIndex, cleanableCount) are dirty. */
  cleanableCount: number
  firstDirtyIndex: number
  /** Base offset of the first segment not cleanable (where the next pass starts its dirty section). */
  firstUncleanableOffset: bigint
  cleanBytes: number
  dirtyBytes: number
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 for an empty cleanable range. */
  dirtyRatio: number
  /** Why to clean now; undefined: leave the partition alone. */
  reason: CleaningReason | undefined
}

/** Decides whether to clean the partition now, and over which segments. */
export function planCleaning(input: CleaningPlanInput): CleaningPlan {
  const { segments, config, nowMs } = input
  let limit = segments[segments.length - 1].baseOffset
  if (input.highWatermark < limit) limit = input.highWatermark
  if (input.firstUnstableOffset !== undefined && input.firstUnstableOffset < limit) limit = input.firstUnstableOffset
  // A segment is cleanable when it ends (the next segment starts) at or below the limit and all its records are old enough.
  let cleanableCount = 0
  while (cleanableCount < segments.length - 1) {
    const segment = segments[cleanableCount]
    if (segments[cleanableCount + 1].baseOffset > limit) break
    if (segment.maxTimestampMs >= 0 && nowMs - segment.maxTimestampMs < config.minCompactionLagMs) break
    cleanableCount++
  }
  const firstDirtyOffset = input.cleanedOffset > input.logStartOffset ? input.cleanedOffset : input.logStartOffset
  let firstDirtyIndex = 0
  while (firstDirtyIndex < cleanableCount && segments[firstDirtyIndex + 1].baseOffset <= firstDirtyOffset) firstDirtyIndex++
  let cleanBytes = 0
  let dirtyBytes = 0
  for (let i = 0; i < cleanableCount; i++) {
    if (i < firstDirtyIndex) cleanBytes += segments[i].sizeBytes
    else dirtyBytes += segments[i].sizeBytes
  }
  const dirtyRatio = cleanBytes + dirtyBytes === 0 ? 0 : dirtyBytes / (cleanBytes + dirtyBytes)
  let reason: CleaningReason | undefined
  const hasDirty = firstDirtyIndex < cleanableCount
  if (hasDirty && dirtyBytes > 0 && dirtyRatio >= config.minCleanableDirtyRatio) reason = 'dirty-ratio'
  else if (hasDirty && isPastMaxLag(segments[firstDirtyIndex], nowMs, config.maxCompactionLagMs)) reason = 'max-compaction-lag'
  else if (cleanableCount > 0 && input.pendingDeleteHorizonMs !== undefined && input.pendingDeleteHorizonMs <= nowMs) reason = 'delete-horizon'
  return { cleanableCount, firstDirtyIndex, firstUncleanableOffset: segments[cleanableCount].baseOffset, cleanBytes, dirtyBytes, dirtyRatio, reason }
}

/** The oldest dirty segment's newest record is older than max.compaction.lag.ms (so all its records are). */
function isPastMaxLag(segment: PlanSegment, nowMs: number, maxCompactionLagMs: number): boolean {
  return segment.sizeBytes > 0 && segment.maxTimestampMs >= 0 && nowMs - segment.maxTimestampMs > maxCompactionLagMs
}

export interface SegmentGroupLimits {
  /** Original bytes per group (segment.bytes). */
  maxBytes: number
}

/**
 * Splits segments [0, count) into runs that are rewritten into one segment each: consecutive,
 * original sizes summing to at most `maxBytes` (at least one segment per group), and offsets
 * within int32 of the group's base (the next segment's base bounds a segment's offsets).
 */
export function groupSegments(segments: readonly PlanSegment[], count: number, limits: SegmentGroupLimits): Array<{ start: number; end: number }> {
  const groups: Array<{ start: number; end: number }> = []
  let start = 0
  while (start < count) {
    let end = start + 1
    let bytes = segments[start].sizeBytes
    while (end < count) {
      const nextBytes = bytes + segments[end].sizeBytes
      const offsetSpan = segments[end + 1].baseOffset - 1n - segments[start].baseOffset
      if (nextBytes > limits.maxBytes || offsetSpan > 0x7fffffffn) break
      bytes = nextBytes
      end++
    }
    groups.push({ start, end })
    start = end
  }
  return groups
}
