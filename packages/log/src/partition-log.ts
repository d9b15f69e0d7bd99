// One partition's log: a sorted list of segments, the last one active. Appends assign offsets by
// rewriting batch headers in place and write the bytes as they are; reads return stored batch
// bytes as they are. Durability follows the flush policy (README.md, "Durability").
import { setLogAppendTime, writeBaseOffset, writePartitionLeaderEpoch } from '@tributary/protocol'
import { frameAppendedBatches } from './append-frames.ts'
import { LogError, LogErrorCode, LogOffsetOutOfRangeError } from './errors.ts'
import { GroupCommit } from './group-commit.ts'
import { LogSegment } from './log-segment.ts'
import type { SegmentAnchor } from './log-segment.ts'
import { writePartitionCheckpoint } from './partition-checkpoint.ts'
import { countBelowLogStartOffset, decideRetention } from './retention.ts'
import type { RetentionReason } from './retention.ts'
import { readFromSegment } from './segment-read.ts'
import { findMaxTimestamp, findOffsetForTimestamp } from './timestamp-lookup.ts'
import type { TimestampAndOffset } from './timestamp-lookup.ts'
import type { MessageTimestampType, TopicConfig } from './topic-config.ts'

/** When appended bytes reach the disk: see README.md, "Durability". */
export type FlushPolicy = 'every-batch' | 'interval' | 'os'

export interface AppendOptions {
  /** CreateTime keeps producer timestamps; LogAppendTime stamps every batch with `nowMs`. Default: the topic's message.timestamp.type. */
  timestampType?: MessageTimestampType
  nowMs: number
  /** Written into each batch's partitionLeaderEpoch field when given. */
  partitionLeaderEpoch?: number
}

export interface AppendResult {
  baseOffset: bigint
  lastOffset: bigint
  /** The stamped time under LogAppendTime, -1 under CreateTime. */
  logAppendTimeMs: number
  logStartOffset: bigint
}

export interface ReadOptions {
  /** Exclusive upper bound on the base offsets of returned batches; defaults to the highWatermark. */
  maxOffset?: bigint
}

export interface ReadResult {
  /** Whole stored batches, back to back (empty when nothing is readable at fetchOffset). */
  records: Uint8Array
  highWatermark: bigint
  logStartOffset: bigint
  logEndOffset: bigint
}

/** A read-only view of one segment (for DescribeLogDirs, tests and, later, the log cleaner). */
export interface SegmentInfo {
  baseOffset: bigint
  nextOffset: bigint
  sizeBytes: number
  maxTimestampMs: number
  isActive: boolean
}

export interface RetentionResult {
  deletedSegments: number
  deletedBytes: number
  reason: RetentionReason | undefined
  logStartOffset: bigint
}

/** Internal: what openPartitionLog hands the constructor. */
export interface PartitionLogState {
  dir: string
  topic: string
  partition: number
  config: TopicConfig
  flushPolicy: FlushPolicy
  segments: LogSegment[]
  logStartOffset: bigint
  recoveryPoint: bigint
  onHighWatermark: ((log: PartitionLog) => void) | undefined
}

const EMPTY = new Uint8Array(0)
/** Upper bound on one read's allocation besides its first batch (Kafka's fetch.max.bytes default is 50 MiB). */
export const READ_BYTES_MAX = 64 * 1024 * 1024
/** Offsets inside a segment are int32 deltas from its base. */
const MAX_RELATIVE_OFFSET = 0x7fffffffn

export class PartitionLog {
  readonly dir: string
  readonly topic: string
  readonly partition: number
  readonly flushPolicy: FlushPolicy
  #config: TopicConfig
  #segments: LogSegment[]
  #logStartOffset: bigint
  #logEndOffset: bigint
  /** Every offset below this is fsynced. */
  #durableOffset: bigint
  #checkpointedRecoveryPoint: bigint
  /** The active segment's state as of the last completed fsync round (see LogSegment.anchor). */
  #durableAnchor: SegmentAnchor | undefined
  #dirty = new Set<LogSegment>()
  readonly #groupCommit = new GroupCommit(() => this.#syncRound())
  #failure: LogError | undefined
  #closed = false
  #closing = false
  #syncCount = 0
  #onHighWatermark: ((log: PartitionLog) => void) | undefined

  constructor(state: PartitionLogState) {
    this.dir = state.dir
    this.topic = state.topic
    this.partition = state.partition
    this.flushPolicy = state.flushPolicy
    this.#config = state.config
    this.#segments = state.segments
    this.#logStartOffset = state.logStartOffset
    this.#logEndOffset = this.#active.nextOffset
    this.#durableOffset = this.#logEndOffset
    this.#checkpointedRecoveryPoint = state.recoveryPoint
    this.#onHighWatermark = state.onHighWatermark
  }

  get config(): TopicConfig {
    return this.#config
  }
  /** New limits apply to the next roll, the next append and the next retention run. */
  set config(config: TopicConfig) {
    this.#config = config
  }
  get logStartOffset(): bigint {
    return this.#logStartOffset
  }
  /** The offset the next appended record gets. */
  get logEndOffset(): bigint {
    return this.#logEndOffset
  }
  /**
   * Offsets below this are visible to consumers. Under every-batch only fsynced data is visible,
   * so a machine crash never takes back a record a consumer saw; otherwise it is logEndOffset.
   */
  get highWatermark(): bigint {
    return this.flushPolicy === 'every-batch' ? this.#durableOffset : this.#logEndOffset
  }
  /** ListOffsets LATEST (−1) for read_uncommitted: the highWatermark. */
  get latestOffset(): bigint {
    return this.highWatermark
  }
  /** Bytes on disk over all segments. */
  get sizeBytes(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.sizeBytes, 0)
  }
  get segments(): SegmentInfo[] {
    return this.#segments.map((segment, i) => ({
      baseOffset: segment.baseOffset,
      nextOffset: segment.nextOffset,
      sizeBytes: segment.sizeBytes,
      maxTimestampMs: segment.maxTimestampMs,
      isActive: i === this.#segments.length - 1,
    }))
  }

  /** False once the partition is closed, closing or failed (the log cleaner stops then). */
  get isWritable(): boolean {
    return !this.#closed && !this.#closing && this.#failure === undefined
  }

  /** Internal, for the log cleaner: the live segments, oldest first, the last one active (a copy of the list). */
  segmentsForCleaning(): readonly LogSegment[] {
    return [...this.#segments]
  }

  /**
   * Internal, for the log cleaner: replaces `replaced` (consecutive sealed segments) by the
   * segment `install` returns; `install` deletes their files (segment-swap.ts). Returns false,
   * doing nothing, when the segments are no longer all in the log (retention removed some).
   * A failing `install` leaves the partition failed (LOG_IO): recovery at the next open completes the swap.
   */
  replaceSegments(replaced: readonly LogSegment[], install: () => LogSegment): boolean {
    this.#checkWritable()
    const start = this.#segments.indexOf(replaced[0])
    if (start < 0 || start + replaced.length >= this.#segments.length) return false
    if (replaced.some((segment, i) => this.#segments[start + i] !== segment || !segment.isSealed)) return false
    let replacement: LogSegment
    try {
      replacement = install()
    } catch (error) {
      throw this.#fail(error)
    }
    for (const segment of replaced) this.#dirty.delete(segment)
    this.#segments.splice(start, replaced.length, replacement)
    return true
  }

  /**
   * Appends one validated record batch v2, or several back to back. Takes ownership of
   * `batchBytes`: offsets (and LogAppendTime, leader epoch) are written into it in place.
   * @example const { baseOffset } = log.append(batch, { timestampType: 'CreateTime', nowMs: clock.nowMs() })
   */
  append(batchBytes: Uint8Array, options: AppendOptions): AppendResult {
    this.#checkWritable()
    const frames = frameAppendedBatches(batchBytes, this.#config)
    const baseOffset = this.#logEndOffset
    let nextOffset = baseOffset
    const logAppendTime = (options.timestampType ?? this.#config.messageTimestampType) === 'LogAppendTime'
    for (const frame of frames) {
      writeBaseOffset(batchBytes, frame.position, nextOffset)
      if (options.partitionLeaderEpoch !== undefined) writePartitionLeaderEpoch(batchBytes, frame.position, options.partitionLeaderEpoch)
      if (logAppendTime) {
        setLogAppendTime(batchBytes, frame.position, BigInt(options.nowMs))
        frame.maxTimestampMs = options.nowMs
      }
      frame.baseOffset = nextOffset
      nextOffset += BigInt(frame.lastOffsetDelta) + 1n
    }
    this.#maybeRoll(batchBytes.length, nextOffset - 1n, options.nowMs)
    const active = this.#active
    try {
      active.append(batchBytes, frames)
    } catch (error) {
      this.#fail(error)
      throw error
    }
    this.#logEndOffset = nextOffset
    this.#dirty.add(active)
    if (this.flushPolicy === 'every-batch') this.#groupCommit.request().catch(() => {})
    else this.#onHighWatermark?.(this)
    return { baseOffset, lastOffset: nextOffset - 1n, logAppendTimeMs: logAppendTime ? options.nowMs : -1, logStartOffset: this.#logStartOffset }
  }

  /**
   * Stored batches from the one holding `fetchOffset` on, at most `maxBytes` unless the first batch
   * alone is larger (it is returned whole), never a batch at or above `maxOffset` (default: the
   * highWatermark). Throws LogOffsetOutOfRangeError outside [logStartOffset, logEndOffset].
   */
  read(fetchOffset: bigint, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.#checkOpen()
    const result: ReadResult = { records: EMPTY, highWatermark: this.highWatermark, logStartOffset: this.#logStartOffset, logEndOffset: this.#logEndOffset }
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#logEndOffset) {
      throw new LogOffsetOutOfRangeError(fetchOffset, this.#logStartOffset, this.#logEndOffset, `read ${this.topic}-${this.partition}`)
    }
    const limit = options.maxOffset ?? result.highWatermark
    if (fetchOffset >= limit) return result
    for (let i = this.#segmentIndexFor(fetchOffset); i < this.#segments.length; i++) {
      const records = readFromSegment(this.#segments[i], fetchOffset, Math.min(Math.max(1, maxBytes), READ_BYTES_MAX), limit)
      if (records !== undefined) return { ...result, records }
    }
    return result
  }

  /** The earliest record with timestamp ≥ `timestampMs` below the highWatermark, undefined when none. */
  offsetForTimestamp(timestampMs: number): TimestampAndOffset | undefined {
    this.#checkOpen()
    return findOffsetForTimestamp(this.#segments, timestampMs, this.#logStartOffset, this.highWatermark)
  }

  /** The record with the largest timestamp (the first one on ties), for ListOffsets −3; undefined when empty. */
  maxTimestamp(): TimestampAndOffset | undefined {
    this.#checkOpen()
    return findMaxTimestamp(this.#segments, this.#logStartOffset)
  }

  /**
   * DeleteRecords: moves logStartOffset up to `offset` (≤ highWatermark), durably, then deletes
   * the segments wholly below it. Returns the new logStartOffset (the low watermark).
   */
  deleteRecordsBefore(offset: bigint): bigint {
    this.#checkWritable()
    if (offset < 0n || offset > this.highWatermark) {
      throw new LogOffsetOutOfRangeError(offset, this.#logStartOffset, this.highWatermark, `delete records ${this.topic}-${this.partition}`)
    }
    if (offset <= this.#logStartOffset) return this.#logStartOffset
    this.#logStartOffset = offset
    this.#writeCheckpoint()
    this.#removeOldSegments(countBelowLogStartOffset(this.#segments, offset))
    return this.#logStartOffset
  }

  /** Deletes old segments by logStartOffset, retention.ms and retention.bytes (see retention.ts). */
  runRetention(nowMs: number): RetentionResult {
    this.#checkWritable()
    const decision = decideRetention(this.#segments, this.#config, this.#logStartOffset, nowMs)
    const deletedBytes = this.#removeOldSegments(decision.count)
    if (this.#durableOffset > this.#checkpointedRecoveryPoint) this.#writeCheckpoint()
    return { deletedSegments: decision.count, deletedBytes, reason: decision.reason, logStartOffset: this.#logStartOffset }
  }

  /** Resolves once everything appended so far is fsynced (group commit: concurrent callers share one fsync). */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (this.#dirty.size === 0) return this.#groupCommit.pending ?? Promise.resolve()
    return this.#groupCommit.request()
  }

  /**
   * What a produce with acks=all awaits: under every-batch, the fsync covering every append so
   * far; under interval and os, nothing (resolves at once).
   */
  awaitDurable(): Promise<void> {
    if (this.isDurable) return Promise.resolve()
    return this.flush()
  }

  /** True when `awaitDurable()` would resolve at once (lets a caller skip the promise). */
  get isDurable(): boolean {
    return this.flushPolicy !== 'every-batch' || this.#durableOffset >= this.#logEndOffset
  }

  /** Group commits completed so far (each fsyncs every segment written since the previous one). */
  get syncCount(): number {
    return this.#syncCount
  }

  /** True when appends since the last fsync wait for one. */
  get hasUnflushedData(): boolean {
    return this.#dirty.size > 0
  }

  /** Flushes, writes indexes and the checkpoint, closes files. Further calls throw LOG_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed || this.#closing) return
    this.#closing = true
    try {
      if (this.#failure === undefined) {
        await this.flush()
        // Sealing writes the final time-index entry; the next open loads the indexes back in memory.
        this.#active.seal()
        await this.#active.sync()
        this.#durableOffset = this.#logEndOffset
        this.#writeCheckpoint()
      }
    } finally {
      this.#closed = true
      for (const segment of this.#segments) segment.close()
    }
  }

  /** Closes files without flushing: what a crash leaves behind (tests of recovery use it). */
  abandon(): void {
    this.#closed = true
    for (const segment of this.#segments) segment.close()
  }

  get #active(): LogSegment {
    return this.#segments[this.#segments.length - 1]
  }

  #maybeRoll(incomingBytes: number, lastOffset: bigint, nowMs: number): void {
    const active = this.#active
    if (active.sizeBytes === 0) return
    const full = active.sizeBytes + incomingBytes > this.#config.segmentBytes
    const old = nowMs - active.rollTimestampMs > this.#config.segmentMs
    const offsetsOverflow = lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET
    if (!full && !old && !offsetsOverflow && !active.isIndexFull) return
    active.seal()
    const limits = { indexIntervalBytes: this.#config.indexIntervalBytes, segmentIndexBytes: this.#config.segmentIndexBytes }
    this.#segments.push(new LogSegment(this.dir, this.#logEndOffset, limits, { create: true, active: true, nowMs }))
    // The sealed segment is fsynced once in the background under every policy, so that the
    // recovery point moves past it and a restart re-validates only the active segment.
    this.#dirty.add(active)
    this.#groupCommit.request().catch(() => {})
  }

  /** One group-commit round: fsync every segment written since the last round. */
  async #syncRound(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure
    const targetOffset = this.#logEndOffset
    const anchor = this.#active.anchor()
    const segments = [...this.#dirty]
    this.#dirty.clear()
    try {
      await Promise.all(segments.map((segment) => segment.sync()))
    } catch (error) {
      throw this.#fail(error)
    }
    this.#syncCount++
    const advanced = targetOffset > this.#durableOffset
    if (advanced) this.#durableOffset = targetOffset
    this.#durableAnchor = anchor
    if (segments.some((segment) => segment.isSealed) && !this.#closed) this.#writeCheckpoint()
    if (advanced && this.flushPolicy === 'every-batch') this.#onHighWatermark?.(this)
  }

  /** Deletes the `count` oldest segments and moves logStartOffset up to the first one left. Returns the bytes freed. */
  #removeOldSegments(count: number): number {
    let deletedBytes = 0
    for (const segment of this.#segments.splice(0, count)) {
      deletedBytes += segment.sizeBytes
      this.#dirty.delete(segment)
      segment.delete()
    }
    const firstBaseOffset = this.#segments[0].baseOffset
    if (firstBaseOffset > this.#logStartOffset) {
      this.#logStartOffset = firstBaseOffset < this.#logEndOffset ? firstBaseOffset : this.#logEndOffset
      this.#writeCheckpoint()
    }
    return deletedBytes
  }

  /** Writes logStartOffset and the recovery point, plus the active segment's anchor once its indexes are fsynced. */
  #writeCheckpoint(): void {
    const recoveryPoint = this.#durableOffset
    const active = this.#active
    let anchor = this.#durableAnchor
    if (anchor !== undefined && (anchor.baseOffset !== active.baseOffset || active.isSealed)) anchor = undefined
    if (anchor !== undefined) active.syncIndexes()
    writePartitionCheckpoint(this.dir, { logStartOffset: this.#logStartOffset, recoveryPoint, anchor })
    this.#checkpointedRecoveryPoint = recoveryPoint
  }

  #segmentIndexFor(offset: bigint): number {
    let low = 0
    let high = this.#segments.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (this.#segments[middle].baseOffset <= offset) low = middle
      else high = middle - 1
    }
    return low
  }

  #fail(error: unknown): LogError {
    this.#failure ??= error instanceof LogError ? error : new LogError(LogErrorCode.Io, String(error), { cause: error })
    return this.#failure
  }

  #checkOpen(): void {
    if (this.#closed) throw new LogError(LogErrorCode.Closed, `partition ${this.topic}-${this.partition} is closed`)
  }

  #checkWritable(): void {
    this.#checkOpen()
    if (this.#closing) throw new LogError(LogErrorCode.Closed, `partition ${this.topic}-${this.partition} is closing`)
    if (this.#failure !== undefined) {
      throw new LogError(LogErrorCode.Io, `partition ${this.topic}-${this.partition} refuses writes after an I/O failure: ${this.#failure.message}`, { cause: this.#failure })
    }
  }
}
