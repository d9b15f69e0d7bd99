// The per-partition checkpoint file: logStartOffset (moved by DeleteRecords and retention) and
// the recovery point (every offset below it is known to be fsynced, so a restart after a crash
// re-validates only the segments from there on). Written atomically (durable-file.ts).
import { join } from 'node:path'
import { LogError, LogErrorCode } from './errors.ts'
import { readJsonFile, writeFileDurably } from './durable-file.ts'
import type { SegmentAnchor } from './log-segment.ts'

export const CHECKPOINT_FILE_NAME = 'partition.checkpoint'
const CHECKPOINT_VERSION = 1

export interface PartitionCheckpoint {
  logStartOffset: bigint
  recoveryPoint: bigint
  /** Where crash recovery of the active segment may resume (its data and indexes are fsynced up to it). */
  anchor?: SegmentAnchor
}

const BIGINT_ANCHOR_FIELDS = ['baseOffset', 'nextOffset', 'offsetOfMaxTimestamp'] as const
const NUMBER_ANCHOR_FIELDS = ['position', 'maxTimestampMs', 'firstBatchTimestampMs', 'bytesSinceIndexEntry', 'offsetIndexEntries', 'timeIndexEntries'] as const

export function readPartitionCheckpoint(dir: string): PartitionCheckpoint {
  const path = join(dir, CHECKPOINT_FILE_NAME)
  const json = readJsonFile(path) as { version?: unknown; logStartOffset?: unknown; recoveryPoint?: unknown; anchor?: Record<string, unknown> } | undefined
  if (json === undefined) return { logStartOffset: 0n, recoveryPoint: 0n }
  if (json.version !== CHECKPOINT_VERSION || typeof json.logStartOffset !== 'string' || typeof json.recoveryPoint !== 'string') {
    throw new LogError(LogErrorCode.Corrupt, `unreadable checkpoint ${path}`)
  }
  return { logStartOffset: BigInt(json.logStartOffset), recoveryPoint: BigInt(json.recoveryPoint), anchor: parseAnchor(json.anchor) }
}

/** An anchor that does not parse is ignored: recovery then scans the whole segment. */
function parseAnchor(json: Record<string, unknown> | undefined): SegmentAnchor | undefined {
  if (json === undefined || json === null || typeof json !== 'object') return undefined
  const anchor: Record<string, unknown> = {}
  for (const field of BIGINT_ANCHOR_FIELDS) {
    if (typeof json[field] !== 'string' || !/^-?\d+$/.test(json[field] as string)) return undefined
    anchor[field] = BigInt(json[field] as string)
  }
  for (const field of NUMBER_ANCHOR_FIELDS) {
    if (typeof json[field] !== 'number' || !Number.isSafeInteger(json[field])) return undefined
    anchor[field] = json[field]
  }
  return anchor as unknown as SegmentAnchor
}

export function writePartitionCheckpoint(dir: string, checkpoint: PartitionCheckpoint): void {
  const content = JSON.stringify({
    version: CHECKPOINT_VERSION,
    logStartOffset: checkpoint.logStartOffset.toString(),
    recoveryPoint: checkpoint.recoveryPoint.toString(),
    anchor: checkpoint.anchor === undefined ? undefined : { ...checkpoint.anchor, baseOffset: checkpoint.anchor.baseOffset.toString(), nextOffset: checkpoint.anchor.nextOffset.toString(), offsetOfMaxTimestamp: checkpoint.anchor.offsetOfMaxTimestamp.toString() },
  })
  writeFileDurably(join(dir, CHECKPOINT_FILE_NAME), content)
}
