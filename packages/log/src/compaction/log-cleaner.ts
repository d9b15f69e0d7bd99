// The log cleaner: compaction passes over partitions with cleanup.policy containing `compact`.
// A pass over one partition (Kafka's Cleaner.clean):
//   1. plan: is the dirty ratio (or max.compaction.lag.ms, or an expired delete horizon) reason to clean?
//   2. scan the whole log's batch headers for open/aborted transactions and producers' last batches;
//      re-plan with the first unstable offset as a limit;
//   3. build the offset map (latest offset per key) over the dirty segments, as far as it holds;
//   4. rewrite the segments from the log start to the end of what the map covers, in groups of at
//      most segment.bytes, each swapped in crash-safely (segment-swap.ts) as soon as it is written;
//   5. remember where the clean section ends and the earliest pending delete horizon.
// The pass is asynchronous: it yields to the event loop every few MiB read, and re-checks that
// the partition is open and still holds the segments it rewrote before swapping them in.
import { closeSync, fsyncSync, openSync, unlinkSync, existsSync } from 'node:fs'
import { decodeRecordBatch, parseAttributes, readRecordBatchHeader } from '@tributary/protocol'
import { writeAll } from '../index-file.ts'
import { ioError, LogError } from '../errors.ts'
import type { LogSegment } from '../log-segment.ts'
import type { PartitionLog } from '../partition-log.ts'
import { cleanBatch } from './batch-cleaner.ts'
import type { BatchCleaningContext } from './batch-cleaner.ts'
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint.ts'
import type { CleanerCheckpoint } from './cleaner-checkpoint.ts'
import { groupSegments, planCleaning } from './cleaning-plan.ts'
import type { CleaningPlan, CleaningReason } from './cleaning-plan.ts'
import type { CompactionConfig } from './compaction-config.ts'
import { OffsetMap } from './offset-map.ts'
import { cleanedPath, swapInCleanedSegment } from './segment-swap.ts'
import type { SwapStep } from './segment-swap.ts'
import { CleanerPacer, walkSegment } from './segment-walk.ts'
import { isAbortedBatch, scanTransactions } from './transaction-scan.ts'
import type { TransactionFacts } from './transaction-scan.ts'

/** Keys the offset map holds by default (Kafka sizes it in bytes: log.cleaner.dedupe.buffer.size). */
export const OFFSET_MAP_MAX_ENTRIES = 1_000_000
/** Cleaned output is written in chunks of this size. */
const WRITE_CHUNK_BYTES = 1024 * 1024

export interface LogCleanerOptions {
  /** Bound of the offset map; a pass cleans only as many dirty segments as their keys fit. */
  maxOffsetMapEntries?: number
  /** Fault injection for tests: called after each swap step; throwing there simulates a crash. */
  onSwapStep?: (step: SwapStep) => void
}

/** What one partition's pass did. */
export interface CompactionResult {
  topic: string
  partition: number
  /** Why it was cleaned; undefined when it was left alone. */
  reason: CleaningReason | undefined
  dirtyRatio: number
  /** Segments replaced by cleaned ones. */
  replacedSegments: number
  removedRecords: number
  bytesRead: number
  bytesBefore: number
  bytesAfter: number
  /** Offsets below this are clean after the pass. */
  cleanedOffset: bigint
  /** Why the pass stopped early (I/O error, partition closed, offset map full…). */
  error?: string
}

export class LogCleaner {
  readonly #maxOffsetMapEntries: number
  readonly #onSwapStep: ((step: SwapStep) => void) | undefined
  readonly #checkpoints = new WeakMap<PartitionLog, CleanerCheckpoint>()

  constructor(options: LogCleanerOptions = {}) {
    this.#maxOffsetMapEntries = options.maxOffsetMapEntries ?? OFFSET_MAP_MAX_ENTRIES
    this.#onSwapStep = options.onSwapStep
  }

  /** The plan for `log` now, without the transaction scan (cheap: for choosing the filthiest partition). */
  roughPlan(log: PartitionLog, nowMs: number, config: CompactionConfig): CleaningPlan {
    return this.#plan(log, log.segmentsForCleaning(), nowMs, config, undefined)
  }

  /**
   * One compaction pass over `log` (nothing when no reason to clean). Never throws for I/O or
   * corrupt data: see `error`. `shouldStop` (e.g. the log manager closing) ends the pass at its next yield.
   */
  async clean(log: PartitionLog, nowMs: number, config: CompactionConfig, shouldStop: () => boolean = () => false): Promise<CompactionResult> {
    const segments = log.segmentsForCleaning()
    const pacer = new CleanerPacer(() => !log.isWritable || shouldStop())
    const bytesBefore = sumBytes(segments)
    const result: CompactionResult = {
      topic: log.topic, partition: log.partition, reason: undefined, dirtyRatio: 0, replacedSegments: 0, removedRecords: 0,
      bytesRead: 0, bytesBefore, bytesAfter: bytesBefore, cleanedOffset: this.#checkpoint(log).cleanedOffset,
    }
    try {
      let plan = this.#plan(log, segments, nowMs, config, undefined)
      result.dirtyRatio = plan.dirtyRatio
      if (plan.reason === undefined || !config.compact) return result
      const facts = await scanTransactions(segments, pacer)
      plan = this.#plan(log, segments, nowMs, config, facts.firstUnstableOffset)
      result.reason = plan.reason
      if (plan.reason === undefined) return result
      await this.#runPass(log, segments, plan, facts, nowMs, config, pacer, result)
    } catch (error) {
      // A corrupt batch, an I/O error or the partition closing stops this pass only.
      result.error = error instanceof Error ? error.message : String(error)
    } finally {
      result.bytesRead = pacer.bytesRead
      result.bytesAfter = sumBytes(log.segmentsForCleaning())
    }
    return result
  }

  async #runPass(log: PartitionLog, segments: readonly LogSegment[], plan: CleaningPlan, facts: TransactionFacts, nowMs: number, config: CompactionConfig, pacer: CleanerPacer, result: CompactionResult): Promise<void> {
    const offsetMap = new OffsetMap(this.#maxOffsetMapEntries)
    const mappedEnd = await buildOffsetMap(segments, plan, facts, offsetMap, pacer)
    if (mappedEnd === plan.firstDirtyIndex && plan.firstDirtyIndex < plan.cleanableCount) {
      result.error = `the offset map (${this.#maxOffsetMapEntries} keys) cannot hold the keys of one dirty segment`
    }
    const context: BatchCleaningContext = {
      nowMs,
      deleteRetentionMs: config.deleteRetentionMs,
      latestOffset: (key) => offsetMap.latestOffset(key),
      isAborted: (producerId, baseOffset) => isAbortedBatch(facts, producerId, baseOffset),
      isLastBatchOfProducer: (producerId, baseOffset) => facts.lastBatchOffsets.get(producerId) === baseOffset,
    }
    let pendingDeleteHorizonMs: number | undefined
    for (const group of groupSegments(segments.map(statsOf), mappedEnd, { maxBytes: config.segmentBytes })) {
      const replaced = segments.slice(group.start, group.end)
      const written = await writeCleanedGroup(log.dir, replaced, context, pacer)
      if (written.horizonMs !== undefined && (pendingDeleteHorizonMs === undefined || written.horizonMs < pendingDeleteHorizonMs)) pendingDeleteHorizonMs = written.horizonMs
      result.removedRecords += written.removedRecords
      if (!written.changed && replaced.length === 1) {
        unlinkSync(cleanedPath(log.dir, replaced[0].baseOffset))
        continue
      }
      const swapOptions = { dir: log.dir, limits: replaced[0].limits, nowMs, replaced, endOffset: segments[group.end].baseOffset, onStep: this.#onSwapStep }
      let swapped: boolean
      try {
        this.#onSwapStep?.('cleaned-written')
        pacer.checkNotStopped()
        swapped = log.replaceSegments(replaced, () => swapInCleanedSegment(swapOptions))
      } finally {
        // Not committed (stopped, or the commit rename failed): the old segments stay, the copy goes.
        const uncommitted = cleanedPath(log.dir, replaced[0].baseOffset)
        if (existsSync(uncommitted)) unlinkSync(uncommitted)
      }
      if (!swapped) {
        result.error = 'the partition changed under the pass (retention or DeleteRecords removed segments); the rest waits for the next pass'
        return
      }
      result.replacedSegments += replaced.length
    }
    const checkpoint: CleanerCheckpoint = { cleanedOffset: segments[mappedEnd].baseOffset, pendingDeleteHorizonMs }
    writeCleanerCheckpoint(log.dir, checkpoint)
    this.#checkpoints.set(log, checkpoint)
    result.cleanedOffset = checkpoint.cleanedOffset
  }

  #plan(log: PartitionLog, segments: readonly LogSegment[], nowMs: number, config: CompactionConfig, firstUnstableOffset: bigint | undefined): CleaningPlan {
    const checkpoint = this.#checkpoint(log)
    return planCleaning({
      segments: segments.map(statsOf), logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, cleanedOffset: checkpoint.cleanedOffset,
      firstUnstableOffset, pendingDeleteHorizonMs: checkpoint.pendingDeleteHorizonMs, nowMs, config,
    })
  }

  #checkpoint(log: PartitionLog): CleanerCheckpoint {
    let checkpoint = this.#checkpoints.get(log)
    if (checkpoint === undefined) {
      checkpoint = readCleanerCheckpoint(log.dir)
      this.#checkpoints.set(log, checkpoint)
    }
    return checkpoint
  }
}

/** Maps the keys of the dirty segments; returns the index after the last segment wholly mapped. */
async function buildOffsetMap(segments: readonly LogSegment[], plan: CleaningPlan, facts: TransactionFacts, offsetMap: OffsetMap, pacer: CleanerPacer): Promise<number> {
  let mappedEnd = plan.firstDirtyIndex
  for (let i = plan.firstDirtyIndex; i < plan.cleanableCount; i++) {
    let full = false
    await walkSegment(segments[i], pacer, (batch) => {
      if (full) return
      const header = readRecordBatchHeader(batch.header())
      const attributes = parseAttributes(header.attributes)
      if (attributes.isControl || (attributes.isTransactional && isAbortedBatch(facts, header.producerId, header.baseOffset))) return
      for (const record of decodeRecordBatch(batch.bytes(), 0, { verifyCrc: false }).records) {
        if (record.key !== null && !offsetMap.put(record.key, header.baseOffset + BigInt(record.offsetDelta))) {
          full = true
          return
        }
      }
    })
    if (full) break
    mappedEnd = i + 1
  }
  // Without dirty segments (a delete-horizon pass) the whole cleanable range is rewritten.
  return plan.firstDirtyIndex === plan.cleanableCount ? plan.cleanableCount : mappedEnd
}

/** Writes the cleaned batches of `replaced` to the `.cleaned` file of their first base offset, fsynced. */
async function writeCleanedGroup(dir: string, replaced: readonly LogSegment[], context: BatchCleaningContext, pacer: CleanerPacer): Promise<{ changed: boolean; removedRecords: number; horizonMs: number | undefined }> {
  const path = cleanedPath(dir, replaced[0].baseOffset)
  let fd: number
  try {
    fd = openSync(path, 'w', 0o644)
  } catch (error) {
    throw ioError(`create ${path}`, error)
  }
  const chunk = Buffer.allocUnsafe(WRITE_CHUNK_BYTES)
  let chunkLength = 0
  let position = 0
  const flush = (): void => {
    writeAll(fd, chunk.subarray(0, chunkLength), position)
    position += chunkLength
    chunkLength = 0
  }
  const append = (bytes: Uint8Array): void => {
    if (chunkLength + bytes.length > chunk.length) flush()
    if (bytes.length > chunk.length) {
      writeAll(fd, bytes, position)
      position += bytes.length
    } else {
      chunk.set(bytes, chunkLength)
      chunkLength += bytes.length
    }
  }
  const outcome = { changed: false, removedRecords: 0, horizonMs: undefined as number | undefined }
  let failed = true
  try {
    for (const segment of replaced) {
      await walkSegment(segment, pacer, (batch) => {
        const bytes = batch.bytes()
        const cleaning = cleanBatch(bytes, context)
        outcome.removedRecords += cleaning.removedRecords
        if (cleaning.kind !== 'keep') outcome.changed = true
        if (cleaning.kind === 'drop') return
        append(cleaning.kind === 'keep' ? bytes : cleaning.bytes)
        const horizon = cleaning.deleteHorizonMs
        if (horizon !== undefined && (outcome.horizonMs === undefined || horizon < outcome.horizonMs)) outcome.horizonMs = horizon
      })
    }
    flush()
    fsyncSync(fd)
    failed = false
  } catch (error) {
    if (error instanceof LogError) throw error
    throw ioError(`write ${path}`, error)
  } finally {
    closeSync(fd)
    if (failed && existsSync(path)) unlinkSync(path)
  }
  return outcome
}

function statsOf(segment: LogSegment): { baseOffset: bigint; sizeBytes: number; maxTimestampMs: number } {
  return { baseOffset: segment.baseOffset, sizeBytes: segment.sizeBytes, maxTimestampMs: segment.maxTimestampMs }
}

function sumBytes(segments: readonly LogSegment[]): number {
  return segments.reduce((sum, segment) => sum + segment.sizeBytes, 0)
}
