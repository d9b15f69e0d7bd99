// Opening a partition directory: find the segments, drop leftovers of interrupted deletions,
// and recover. After a clean shutdown the indexes are trusted (after a sanity check of their
// last entries); after a crash every segment from the recovery point on is re-validated batch
// by batch (framing, CRC-32C, offset order), its indexes rebuilt and a torn tail cut off.
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { recoverInterruptedSwaps } from './compaction/segment-swap.ts'
import { syncFileNow } from './durable-file.ts'
import { ioError } from './errors.ts'
import { LogSegment } from './log-segment.ts'
import type { SegmentLimits } from './log-segment.ts'
import { readPartitionCheckpoint, writePartitionCheckpoint } from './partition-checkpoint.ts'
import { PartitionLog } from './partition-log.ts'
import type { FlushPolicy } from './partition-log.ts'
import type { TopicConfig } from './topic-config.ts'

export interface OpenPartitionLogOptions {
  dir: string
  topic: string
  partition: number
  config: TopicConfig
  flushPolicy: FlushPolicy
  /** True when the data directory carries the clean-shutdown marker. */
  cleanShutdown: boolean
  nowMs: number
  /** Called whenever the highWatermark moves (after an append, or after its fsync under every-batch). */
  onHighWatermark?: (log: PartitionLog) => void
  /** Receives one line per recovered segment (for the broker's log). */
  onRecovery?: (message: string) => void
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/

/** Opens (creating when missing) the partition log in `options.dir`. */
export function openPartitionLog(options: OpenPartitionLogOptions): PartitionLog {
  try {
    mkdirSync(options.dir, { recursive: true })
  } catch (error) {
    throw ioError(`create ${options.dir}`, error)
  }
  const checkpoint = readPartitionCheckpoint(options.dir)
  const limits: SegmentLimits = { indexIntervalBytes: options.config.indexIntervalBytes, segmentIndexBytes: options.config.segmentIndexBytes }
  // A log-cleaner swap interrupted by a crash is completed (committed) or dropped (not committed) first.
  for (const message of recoverInterruptedSwaps(options.dir, limits, options.nowMs)) options.onRecovery?.(`${options.topic}-${options.partition}: ${message}`)
  const baseOffsets = listSegmentBaseOffsets(options.dir)
  const segments: LogSegment[] = []
  let recovered = false
  for (let i = 0; i < baseOffsets.length; i++) {
    const baseOffset = baseOffsets[i]
    const nextBaseOffset = baseOffsets[i + 1]
    const isLast = nextBaseOffset === undefined
    // Wholly below logStartOffset: a deletion the crash interrupted.
    if (!isLast && nextBaseOffset <= checkpoint.logStartOffset) {
      new LogSegment(options.dir, baseOffset, limits, { create: false, active: false, nowMs: options.nowMs }).delete()
      continue
    }
    const mayHoldUnsyncedData = isLast || nextBaseOffset > checkpoint.recoveryPoint
    const needsScan = !options.cleanShutdown && mayHoldUnsyncedData
    let segment = new LogSegment(options.dir, baseOffset, limits, { create: false, active: isLast || needsScan, nowMs: options.nowMs })
    if (!needsScan && !segment.loadFromIndexes()) {
      segment.close()
      segment = new LogSegment(options.dir, baseOffset, limits, { create: false, active: true, nowMs: options.nowMs })
      options.onRecovery?.(`${options.topic}-${options.partition}: indexes of segment ${baseOffset} failed their check; rebuilding`)
      segment.recover()
      recovered = true
    } else if (needsScan) {
      const result = segment.recover(isLast ? checkpoint.anchor : undefined)
      recovered = true
      options.onRecovery?.(`${options.topic}-${options.partition}: segment ${baseOffset} re-validated ${result.scannedBytes} of ${result.validBytes + result.truncatedBytes} bytes`)
      if (result.truncatedBytes > 0) {
        options.onRecovery?.(`${options.topic}-${options.partition}: cut ${result.truncatedBytes} bytes (${result.problem}) from segment ${baseOffset} at byte ${result.validBytes}`)
        // Nothing after a torn batch can be trusted: later segments go too.
        for (const later of baseOffsets.slice(i + 1)) new LogSegment(options.dir, later, limits, { create: false, active: false, nowMs: options.nowMs }).delete()
        segments.push(segment)
        break
      }
    }
    segments.push(segment)
  }
  for (let i = 0; i < segments.length - 1; i++) if (!segments[i].isSealed) segments[i].seal()
  if (segments.length === 0) {
    segments.push(new LogSegment(options.dir, checkpoint.logStartOffset, limits, { create: true, active: true, nowMs: options.nowMs }))
  }
  const logEndOffset = segments[segments.length - 1].nextOffset
  let logStartOffset = checkpoint.logStartOffset > segments[0].baseOffset ? checkpoint.logStartOffset : segments[0].baseOffset
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset
  if (recovered) {
    // Make what recovery kept durable before serving it, and move the recovery point past it.
    syncFileNow(segments[segments.length - 1].logPath)
    writePartitionCheckpoint(options.dir, { logStartOffset, recoveryPoint: logEndOffset })
  }
  return new PartitionLog({
    dir: options.dir,
    topic: options.topic,
    partition: options.partition,
    config: options.config,
    flushPolicy: options.flushPolicy,
    segments,
    logStartOffset,
    recoveryPoint: recovered ? logEndOffset : checkpoint.recoveryPoint,
    onHighWatermark: options.onHighWatermark,
  })
}

/** Base offsets of the `.log` files, sorted; removes index files without a log and temporary files. */
function listSegmentBaseOffsets(dir: string): bigint[] {
  const names = readdirSync(dir)
  const logs = new Set<string>()
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name)
    if (match !== null && match[2] === 'log') logs.add(match[1])
  }
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name)
    const orphanIndex = match !== null && match[2] !== 'log' && !logs.has(match[1])
    if (orphanIndex || name.endsWith('.tmp')) unlinkSync(join(dir, name))
  }
  return [...logs].map((digits) => BigInt(digits)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
