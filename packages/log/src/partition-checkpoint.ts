// The per-partition checkpoint file: logStartOffset (moved by DeleteRecords and retention) and
// the recovery point (every offset below it is known to be fsynced, so a restart after a crash
// re-validates only the segments from there on). Written atomically (durable-file.ts).
import { join } from 'node:path'
import { LogError, LogErrorCode } from './errors.ts'
import { readJsonFile, writeFileDurably } from './durable-file.ts'

export const CHECKPOINT_FILE_NAME = 'partition.checkpoint'
const CHECKPOINT_VERSION = 1

export interface PartitionCheckpoint {
  logStartOffset: bigint
  recoveryPoint: bigint
}

export function readPartitionCheckpoint(dir: string): PartitionCheckpoint {
  const path = join(dir, CHECKPOINT_FILE_NAME)
  const json = readJsonFile(path) as { version?: unknown; logStartOffset?: unknown; recoveryPoint?: unknown } | undefined
  if (json === undefined) return { logStartOffset: 0n, recoveryPoint: 0n }
  if (json.version !== CHECKPOINT_VERSION || typeof json.logStartOffset !== 'string' || typeof json.recoveryPoint !== 'string') {
    throw new LogError(LogErrorCode.Corrupt, `unreadable checkpoint ${path}`)
  }
  return { logStartOffset: BigInt(json.logStartOffset), recoveryPoint: BigInt(json.recoveryPoint) }
}

export function writePartitionCheckpoint(dir: string, checkpoint: PartitionCheckpoint): void {
  const content = JSON.stringify({
    version: CHECKPOINT_VERSION,
    logStartOffset: checkpoint.logStartOffset.toString(),
    recoveryPoint: checkpoint.recoveryPoint.toString(),
  })
  writeFileDurably(join(dir, CHECKPOINT_FILE_NAME), content)
}
