// Per-partition cleaner state kept across restarts (Kafka's cleaner-offset-checkpoint): the offset
// below which the log was cleaned (the start of the dirty section, for the dirty ratio), and the
// earliest delete horizon a pass left pending (when it passes, tombstones can go even with no
// new dirty data). Written atomically; a missing file means "never cleaned".
import { join } from 'node:path'
import { readJsonFile, writeFileDurably } from '../durable-file.ts'
import { LogError, LogErrorCode } from '../errors.ts'

export const CLEANER_CHECKPOINT_FILE = 'cleaner.checkpoint'
const VERSION = 1

export interface CleanerCheckpoint {
  cleanedOffset: bigint
  pendingDeleteHorizonMs: number | undefined
}

export function readCleanerCheckpoint(dir: string): CleanerCheckpoint {
  const path = join(dir, CLEANER_CHECKPOINT_FILE)
  const json = readJsonFile(path) as { version?: unknown; cleanedOffset?: unknown; pendingDeleteHorizonMs?: unknown } | undefined
  if (json === undefined) return { cleanedOffset: 0n, pendingDeleteHorizonMs: undefined }
  if (json.version !== VERSION || typeof json.cleanedOffset !== 'string') throw new LogError(LogErrorCode.Corrupt, `unreadable cleaner checkpoint ${path}`)
  const horizon = typeof json.pendingDeleteHorizonMs === 'number' ? json.pendingDeleteHorizonMs : undefined
  return { cleanedOffset: BigInt(json.cleanedOffset), pendingDeleteHorizonMs: horizon }
}

export function writeCleanerCheckpoint(dir: string, checkpoint: CleanerCheckpoint): void {
  const json = { version: VERSION, cleanedOffset: checkpoint.cleanedOffset.toString(), pendingDeleteHorizonMs: checkpoint.pendingDeleteHorizonMs ?? null }
  writeFileDurably(join(dir, CLEANER_CHECKPOINT_FILE), JSON.stringify(json))
}
