// Crash-safe replacement of a run of sealed segments by their cleaned copy (Kafka's
// .cleaned / .swap protocol). Steps, each leaving a directory that `recoverInterruptedSwaps` turns
// back into a valid log:
//   1. the cleaned batches are written to `<base>.log.cleaned` and fsynced;
//   2. commit: renamed to `<base>.<end>.swap` (end = first offset after the replaced run), directory fsynced;
//   3. the replaced segments' files are deleted (log first, then indexes);
//   4. the swap file is renamed to `<base>.log`, directory fsynced;
//   5. its indexes are rebuilt by a scan (CRC-checked) and fsynced.
// At open: a `.cleaned` file means the pass never committed: it is deleted and the old segments
// stay. A `.swap` file means it committed: what is left of the segments with a base offset in
// [base, end) is deleted and the swap file becomes `<base>.log` (steps 3-5 again).
import { existsSync, readdirSync, renameSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { syncDirectory, syncFileNow } from '../durable-file.ts'
import { ioError } from '../errors.ts'
import { LogSegment, segmentFileName } from '../log-segment.ts'
import type { SegmentLimits } from '../log-segment.ts'

export const CLEANED_SUFFIX = '.cleaned'
const SWAP_FILE = /^(\d{20})\.(\d{20})\.swap$/
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/

/** The steps of a swap, for fault-injection tests (a hook throwing after a step simulates a crash there). */
export type SwapStep = 'cleaned-written' | 'swap-committed' | 'old-segments-deleted' | 'swap-renamed' | 'indexes-built'

/** Where the cleaned copy of the run starting at `baseOffset` is written. */
export function cleanedPath(dir: string, baseOffset: bigint): string {
  return join(dir, segmentFileName(baseOffset, '.log') + CLEANED_SUFFIX)
}

function swapPath(dir: string, baseOffset: bigint, endOffset: bigint): string {
  return join(dir, `${baseOffset.toString().padStart(20, '0')}.${endOffset.toString().padStart(20, '0')}.swap`)
}

export interface SwapOptions {
  dir: string
  limits: SegmentLimits
  nowMs: number
  /** The segments being replaced, in order; the new segment takes the first one's base offset. */
  replaced: readonly LogSegment[]
  /** First offset after the replaced run (the next segment's base offset). */
  endOffset: bigint
  onStep?: (step: SwapStep) => void
}

/**
 * Steps 2-5 for a fsynced cleaned file: commits the swap, deletes the replaced segments and
 * returns the new sealed segment (indexes rebuilt and fsynced).
 */
export function swapInCleanedSegment(options: SwapOptions): LogSegment {
  const { dir, replaced, endOffset } = options
  const baseOffset = replaced[0].baseOffset
  const swap = swapPath(dir, baseOffset, endOffset)
  try {
    renameSync(cleanedPath(dir, baseOffset), swap)
    syncDirectory(dir)
  } catch (error) {
    throw ioError(`commit cleaned segment ${swap}`, error)
  }
  options.onStep?.('swap-committed')
  for (const segment of replaced) segment.delete()
  options.onStep?.('old-segments-deleted')
  return installSwapFile(dir, swap, baseOffset, options.limits, options.nowMs, options.onStep)
}

/** Steps 4-5: the swap file becomes `<base>.log` with fresh, fsynced indexes. */
function installSwapFile(dir: string, swap: string, baseOffset: bigint, limits: SegmentLimits, nowMs: number, onStep?: (step: SwapStep) => void): LogSegment {
  const logPath = join(dir, segmentFileName(baseOffset, '.log'))
  try {
    for (const suffix of ['.index', '.timeindex'] as const) {
      const indexPath = join(dir, segmentFileName(baseOffset, suffix))
      if (existsSync(indexPath)) unlinkSync(indexPath)
    }
    renameSync(swap, logPath)
    syncDirectory(dir)
  } catch (error) {
    throw ioError(`install cleaned segment ${logPath}`, error)
  }
  onStep?.('swap-renamed')
  const segment = new LogSegment(dir, baseOffset, limits, { create: false, active: true, nowMs })
  const recovery = segment.recover()
  if (recovery.truncatedBytes > 0) throw ioError(`cleaned segment ${logPath}`, new Error(`${recovery.problem} at byte ${recovery.validBytes}`))
  segment.seal()
  segment.syncIndexes()
  onStep?.('indexes-built')
  return segment
}

/**
 * At partition open, before segments are listed: deletes uncommitted `.cleaned` files and
 * completes committed swaps. Returns one line per action (for the broker's log).
 */
export function recoverInterruptedSwaps(dir: string, limits: SegmentLimits, nowMs: number): string[] {
  const messages: string[] = []
  const names = readdirSync(dir)
  for (const name of names) {
    if (!name.endsWith(CLEANED_SUFFIX)) continue
    unlinkSync(join(dir, name))
    messages.push(`removed ${name}, the output of a cleaning pass that did not commit`)
  }
  for (const name of names) {
    const match = SWAP_FILE.exec(name)
    if (match === null) continue
    const baseOffset = BigInt(match[1])
    const endOffset = BigInt(match[2])
    for (const other of names) {
      const segmentMatch = SEGMENT_FILE.exec(other)
      if (segmentMatch === null) continue
      const otherBase = BigInt(segmentMatch[1])
      if (otherBase >= baseOffset && otherBase < endOffset && existsSync(join(dir, other))) unlinkSync(join(dir, other))
    }
    syncDirectory(dir)
    installSwapFile(dir, join(dir, name), baseOffset, limits, nowMs).close()
    syncFileNow(join(dir, segmentFileName(baseOffset, '.log')))
    messages.push(`completed the swap of cleaned segment ${baseOffset} (replacing offsets ${baseOffset}..${endOffset - 1n})`)
  }
  return messages
}
