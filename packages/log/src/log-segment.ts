// One segment of a partition log: `<baseOffset>.log` holds record batches back to back exactly as
// appended; `.index` and `.timeindex` are sparse lookups rebuilt from the log when in doubt.
// A segment is active (appends, indexes in memory) until sealed by a roll.
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, openSync, truncateSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { assert } from '@tributary/protocol'
import { lastOffsetOf } from './batch-frame.ts'
import type { BatchFrame } from './batch-frame.ts'
import { BatchScanner, readExactly, SCAN_WINDOW_BYTES } from './batch-scanner.ts'
import type { ReadBufferPool } from './read-buffer-pool.ts'
import type { ScanProblem } from './batch-scanner.ts'
import { syncFile, syncFileNow } from './durable-file.ts'
import { ioError } from './errors.ts'
import { writeAll } from './index-file.ts'
import { OffsetIndex } from './offset-index.ts'
import { TimeIndex } from './time-index.ts'
import { acquireSegmentFile, releaseSegmentFile } from './segment-files.ts'

/** Recovery reads the log in large sequential chunks. */
const RECOVERY_WINDOW_BYTES = 1024 * 1024

/** Segment-wide limits from the topic config. */
export interface SegmentLimits {
  indexIntervalBytes: number
  segmentIndexBytes: number
}

/** What a recovery scan found. */
export interface SegmentRecovery {
  validBytes: number
  truncatedBytes: number
  /** Bytes read and checked (less than the file when resumed from an anchor). */
  scannedBytes: number
  problem: ScanProblem | undefined
}

/** A segment state known to be on disk, from which recovery may resume (stored in the checkpoint). */
export interface SegmentAnchor {
  baseOffset: bigint
  position: number
  nextOffset: bigint
  maxTimestampMs: number
  offsetOfMaxTimestamp: bigint
  firstBatchTimestampMs: number
  bytesSinceIndexEntry: number
  offsetIndexEntries: number
  timeIndexEntries: number
}

/** `00000000000000000042.log`: 20 digits so that names sort like offsets. */
export function segmentFileName(baseOffset: bigint, suffix: '.log' | '.index' | '.timeindex'): string {
  return baseOffset.toString().padStart(20, '0') + suffix
}

export class LogSegment {
  readonly baseOffset: bigint
  readonly logPath: string
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  readonly limits: SegmentLimits
  /** When the segment was created; segment.ms counts from it. */
  #createdMs: number
  /** The append descriptor, held only while the segment is active. */
  #fd: number | undefined
  #sizeBytes = 0
  #nextOffset: bigint
  #maxTimestampMs = -1
  #offsetOfMaxTimestamp = -1n
  #firstBatchTimestampMs = -1
  #bytesSinceIndexEntry = 0
  #sealed: boolean
  #indexesSynced = true
  #closed = false

  /** Opens (creating when `create`) the files of the segment at `baseOffset` in `dir`. */
  constructor(dir: string, baseOffset: bigint, limits: SegmentLimits, options: { create: boolean; active: boolean; nowMs: number }) {
    this.baseOffset = baseOffset
    this.limits = limits
    this.#createdMs = options.nowMs
    this.logPath = join(dir, segmentFileName(baseOffset, '.log'))
    const flags = constants.O_RDWR | (options.create ? constants.O_CREAT | constants.O_TRUNC : 0)
    try {
      this.#fd = openSync(this.logPath, flags, 0o644)
    } catch (error) {
      throw ioError(`open segment ${this.logPath}`, error)
    }
    const indexPath = join(dir, segmentFileName(baseOffset, '.index'))
    const timeIndexPath = join(dir, segmentFileName(baseOffset, '.timeindex'))
    if (options.create) for (const path of [indexPath, timeIndexPath]) if (existsSync(path)) unlinkSync(path)
    this.offsetIndex = new OffsetIndex(indexPath, limits.segmentIndexBytes, options.active)
    this.timeIndex = new TimeIndex(timeIndexPath, limits.segmentIndexBytes, options.active)
    this.#sealed = !options.active
    this.#nextOffset = baseOffset
    this.#sizeBytes = fstatSync(this.#fd).size
    if (!options.active) this.#closeAppendFile()
  }

  get sizeBytes(): number {
    return this.#sizeBytes
  }
  /** The offset after the last batch (baseOffset when empty). */
  get nextOffset(): bigint {
    return this.#nextOffset
  }
  /** The newest record timestamp in the segment, -1 when empty. */
  get maxTimestampMs(): number {
    return this.#maxTimestampMs
  }
  /** Base offset of the batch holding `maxTimestampMs`, -1 when empty. */
  get offsetOfMaxTimestamp(): bigint {
    return this.#offsetOfMaxTimestamp
  }
  /**
   * segment.ms counts from here: the creation time for a segment this process created; for a
   * segment found on disk, its first batch's timestamp when older than the open time. (Kafka
   * always uses the first batch's timestamp; a producer with a wrong clock then rolls a segment
   * per batch, which we avoid.)
   */
  get rollTimestampMs(): number {
    return this.#createdMs
  }
  get isSealed(): boolean {
    return this.#sealed
  }
  get isIndexFull(): boolean {
    return this.offsetIndex.file.isFull || this.timeIndex.file.isFull
  }

  /** Writes `chunk` (whole batches, offsets already assigned) at the end; `frames` are positions inside `chunk`. */
  append(chunk: Uint8Array, frames: readonly BatchFrame[]): void {
    assert(!this.#sealed && !this.#closed, `append to sealed segment ${this.logPath}`)
    const position = this.#sizeBytes
    const fd = this.#fd as number
    try {
      writeAll(fd, chunk, position)
    } catch (error) {
      // A partial write may have landed: cut the file back so the log stays a sequence of batches.
      try {
        ftruncateSync(fd, position)
      } catch {
        // The caller marks the partition failed either way.
      }
      throw ioError(`append to ${this.logPath}`, error)
    }
    this.#sizeBytes = position + chunk.length
    for (const frame of frames) this.#track(frame, position + frame.position)
  }

  /** Reads `length` bytes at `position` (fewer at the end of the file), into a buffer from `pool` when given. */
  read(position: number, length: number, pool?: ReadBufferPool): Buffer {
    const wanted = Math.min(length, this.#sizeBytes - position)
    return readExactly(this.#readFile(), position, wanted, pool === undefined ? Buffer.allocUnsafe(wanted) : pool.take(wanted))
  }

  /** A scanner over the segment's batches, reading `windowBytes` at a time. */
  scanner(windowBytes = SCAN_WINDOW_BYTES): BatchScanner {
    return new BatchScanner(this.#readFile(), this.#sizeBytes, Number.MAX_SAFE_INTEGER, windowBytes)
  }

  /** Byte position to start scanning for `offset`: the last indexed batch at or before it. */
  positionFor(offset: bigint): number {
    if (offset <= this.baseOffset) return 0
    const relative = offset - this.baseOffset
    const hit = this.offsetIndex.lookup(relative > 0x7fffffffn ? 0x7fffffff : Number(relative))
    return hit === undefined ? 0 : hit.position
  }

  /**
   * Rebuilds the indexes and the in-memory state by scanning the batches, checking framing,
   * CRC-32C and offset order; cuts the file at the first bad batch. Scans from `anchor` (a state
   * known to be on disk, see `anchor()`) when it checks out, else from the start.
   */
  recover(anchor?: SegmentAnchor): SegmentRecovery {
    let position = 0
    if (anchor !== undefined && this.#canResumeFrom(anchor)) {
      this.offsetIndex.file.truncate(anchor.offsetIndexEntries)
      this.timeIndex.file.truncate(anchor.timeIndexEntries)
      this.#nextOffset = anchor.nextOffset
      this.#maxTimestampMs = anchor.maxTimestampMs
      this.#offsetOfMaxTimestamp = anchor.offsetOfMaxTimestamp
      this.#firstBatchTimestampMs = anchor.firstBatchTimestampMs
      this.#bytesSinceIndexEntry = anchor.bytesSinceIndexEntry
      position = anchor.position
    } else {
      this.offsetIndex.file.truncate(0)
      this.timeIndex.file.truncate(0)
      this.#resetState()
    }
    const scanner = this.scanner(RECOVERY_WINDOW_BYTES)
    const scannedFrom = position
    let problem: ScanProblem | undefined
    while (position < this.#sizeBytes) {
      const frame = scanner.frameAt(position)
      if (typeof frame === 'string') problem = frame
      else if (frame.baseOffset < this.#nextOffset) problem = 'offset went backwards'
      else if (!scanner.crcMatches(frame)) problem = 'crc mismatch'
      if (problem !== undefined || typeof frame === 'string') break
      this.#track(frame, position)
      position += frame.sizeBytes
    }
    const truncatedBytes = this.#sizeBytes - position
    if (truncatedBytes > 0) this.#truncateFile(position)
    this.#adoptFirstBatchTime()
    return { validBytes: position, truncatedBytes, problem, scannedBytes: position - scannedFrom + truncatedBytes }
  }

  /**
   * The state after the last appended batch: with the log fsynced up to `position` and the
   * index files fsynced up to the entry counts (`syncIndexes`), recovery can resume from it.
   */
  anchor(): SegmentAnchor {
    return {
      baseOffset: this.baseOffset,
      position: this.#sizeBytes,
      nextOffset: this.#nextOffset,
      maxTimestampMs: this.#maxTimestampMs,
      offsetOfMaxTimestamp: this.#offsetOfMaxTimestamp,
      firstBatchTimestampMs: this.#firstBatchTimestampMs,
      bytesSinceIndexEntry: this.#bytesSinceIndexEntry,
      offsetIndexEntries: this.offsetIndex.file.entryCount,
      timeIndexEntries: this.timeIndex.file.entryCount,
    }
  }

  /** Writes and fsyncs the index files (blocking; used before a checkpoint names an anchor). */
  syncIndexes(): void {
    this.persistIndexes()
    for (const path of [this.offsetIndex.file.path, this.timeIndex.file.path]) if (existsSync(path)) syncFileNow(path)
  }

  /**
   * After a clean shutdown: trusts the indexes once their last entries check out, and scans only
   * the batches after the last offset-index entry. Returns false when the indexes look wrong
   * (the caller then runs `recover()`).
   */
  loadFromIndexes(): boolean {
    const lastEntry = this.offsetIndex.last()
    const start = lastEntry?.position ?? 0
    const scanner = this.scanner()
    if (lastEntry !== undefined) {
      const frame = scanner.frameAt(start)
      if (typeof frame === 'string' || frame.baseOffset !== this.baseOffset + BigInt(lastEntry.relativeOffset)) return false
    }
    const lastTime = this.timeIndex.last()
    this.#resetState()
    if (lastTime !== undefined) {
      this.#maxTimestampMs = lastTime.timestampMs
      this.#offsetOfMaxTimestamp = this.baseOffset + BigInt(lastTime.relativeOffset)
    }
    const first = this.#sizeBytes > 0 ? scanner.frameAt(0) : undefined
    if (typeof first === 'string') return false
    if (first !== undefined) this.#firstBatchTimestampMs = first.maxTimestampMs
    let position = start
    while (position < this.#sizeBytes) {
      const frame = scanner.frameAt(position)
      if (typeof frame === 'string') return false
      this.#observe(frame)
      this.#bytesSinceIndexEntry += frame.sizeBytes
      position += frame.sizeBytes
    }
    // The time index must not name an offset past the end of the log.
    if (this.#offsetOfMaxTimestamp >= this.#nextOffset) return false
    this.#adoptFirstBatchTime()
    return true
  }

  /** Seals the segment: final time-index entry, indexes written and dropped from memory. */
  seal(): void {
    if (this.#sealed) return
    if (this.#maxTimestampMs >= 0) this.timeIndex.maybeAppend(this.#maxTimestampMs, this.#relative(this.#offsetOfMaxTimestamp))
    this.offsetIndex.file.seal()
    this.timeIndex.file.seal()
    this.#sealed = true
    this.#indexesSynced = false
    this.#closeAppendFile()
  }

  /** Writes in-memory index entries to their files (no fsync). */
  persistIndexes(): void {
    this.offsetIndex.file.persist()
    this.timeIndex.file.persist()
  }

  /**
   * fdatasync of the log file (through its own descriptor: fsync flushes the file, whichever
   * descriptor wrote it), plus the index files once after sealing.
   */
  async sync(): Promise<void> {
    if (this.#closed) return
    try {
      await syncFile(this.logPath)
      if (this.#sealed && !this.#indexesSynced) {
        await syncFile(this.offsetIndex.file.path)
        await syncFile(this.timeIndex.file.path)
        this.#indexesSynced = true
      }
    } catch (error) {
      // A segment deleted by retention meanwhile needs no fsync.
      if (this.#closed) return
      throw ioError(`fsync ${this.logPath}`, error)
    }
  }

  /** Writes pending index entries and closes the files. */
  close(): void {
    if (this.#closed) return
    if (!this.#sealed) this.persistIndexes()
    this.#closed = true
    this.#closeAppendFile()
    releaseSegmentFile(this.logPath)
  }

  /** Closes and removes the segment's files: the log first, so a crash leaves only index orphans. */
  delete(): void {
    this.#closed = true
    this.#closeAppendFile()
    releaseSegmentFile(this.logPath)
    if (existsSync(this.logPath)) unlinkSync(this.logPath)
    this.offsetIndex.file.delete()
    this.timeIndex.file.delete()
  }

  #readFile(): number {
    return this.#fd ?? acquireSegmentFile(this.logPath)
  }

  #closeAppendFile(): void {
    if (this.#fd === undefined) return
    closeSync(this.#fd)
    this.#fd = undefined
  }

  #track(frame: BatchFrame, position: number): void {
    if (position === 0) this.#firstBatchTimestampMs = frame.maxTimestampMs
    this.#observe(frame)
    if (this.#bytesSinceIndexEntry > this.limits.indexIntervalBytes && !this.isIndexFull) {
      this.offsetIndex.append(this.#relative(frame.baseOffset), position)
      this.timeIndex.maybeAppend(this.#maxTimestampMs, this.#relative(this.#offsetOfMaxTimestamp))
      this.#bytesSinceIndexEntry = 0
    }
    this.#bytesSinceIndexEntry += frame.sizeBytes
  }

  #observe(frame: BatchFrame): void {
    if (frame.maxTimestampMs > this.#maxTimestampMs) {
      this.#maxTimestampMs = frame.maxTimestampMs
      this.#offsetOfMaxTimestamp = frame.baseOffset
    }
    this.#nextOffset = lastOffsetOf(frame) + 1n
  }

  /** A segment found on disk is as old as its first batch, unless that time is in the future. */
  #adoptFirstBatchTime(): void {
    if (this.#firstBatchTimestampMs >= 0 && this.#firstBatchTimestampMs < this.#createdMs) this.#createdMs = this.#firstBatchTimestampMs
  }

  #canResumeFrom(anchor: SegmentAnchor): boolean {
    if (anchor.baseOffset !== this.baseOffset || anchor.position > this.#sizeBytes || anchor.position < 0) return false
    if (anchor.offsetIndexEntries > this.offsetIndex.file.entryCount || anchor.timeIndexEntries > this.timeIndex.file.entryCount) return false
    if (anchor.offsetIndexEntries === 0) return true
    // The last index entry kept must point at the batch it names.
    const entry = this.offsetIndex.file.entry(anchor.offsetIndexEntries - 1, (view, offset) => ({ relativeOffset: view.getInt32(offset), position: view.getInt32(offset + 4) }))
    const frame = entry.position < anchor.position ? this.scanner().frameAt(entry.position) : 'truncated'
    return typeof frame !== 'string' && frame.baseOffset === this.baseOffset + BigInt(entry.relativeOffset)
  }

  #relative(offset: bigint): number {
    return Number(offset - this.baseOffset)
  }

  #resetState(): void {
    this.#nextOffset = this.baseOffset
    this.#maxTimestampMs = -1
    this.#offsetOfMaxTimestamp = -1n
    this.#firstBatchTimestampMs = -1
    this.#bytesSinceIndexEntry = 0
  }

  #truncateFile(position: number): void {
    try {
      if (this.#fd !== undefined) ftruncateSync(this.#fd, position)
      else truncateSync(this.logPath, position)
    } catch (error) {
      throw ioError(`truncate ${this.logPath}`, error)
    }
    releaseSegmentFile(this.logPath)
    this.#sizeBytes = position
  }
}
