// Walks the batches of a list of segments through descriptors of the cleaner's own (not the
// shared LRU, which may close a descriptor while the cleaner yields to the event loop). A file
// unlinked meanwhile (retention) stays readable through its open descriptor.
import { closeSync, openSync } from 'node:fs'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { BatchScanner, readExactly } from '../batch-scanner.ts'
import type { BatchFrame } from '../batch-frame.ts'
import { LogError, LogErrorCode, ioError } from '../errors.ts'
import type { LogSegment } from '../log-segment.ts'

/** The cleaner reads this much before letting other work run. */
export const CLEANER_YIELD_BYTES = 4 * 1024 * 1024
/** Read-ahead of the cleaner's scans. */
const CLEANER_WINDOW_BYTES = 1024 * 1024
/** Bytes of the record batch v2 header. */
const HEADER_BYTES = 61

/** One batch met by a walk: its frame and a way to get its bytes (valid until the next batch). */
export interface WalkedBatch {
  frame: BatchFrame
  /** The first 61 bytes (the header). */
  header(): Uint8Array
  /** The whole batch. */
  bytes(): Uint8Array
}

/** Counts bytes read and yields to the event loop every CLEANER_YIELD_BYTES. */
export class CleanerPacer {
  bytesRead = 0
  #sinceYield = 0
  readonly #shouldStop: () => boolean

  constructor(shouldStop: () => boolean) {
    this.#shouldStop = shouldStop
  }

  async account(bytes: number): Promise<void> {
    this.bytesRead += bytes
    this.#sinceYield += bytes
    if (this.#sinceYield < CLEANER_YIELD_BYTES) return
    this.#sinceYield = 0
    await yieldToEventLoop()
    this.checkNotStopped()
  }

  checkNotStopped(): void {
    if (this.#shouldStop()) throw new LogError(LogErrorCode.Closed, 'log cleaning stopped: the partition was closed')
  }
}

/** Calls `visit` for every batch of `segment` (up to its size when the walk starts), in order. */
export async function walkSegment(segment: LogSegment, pacer: CleanerPacer, visit: (batch: WalkedBatch) => void): Promise<void> {
  const endPosition = segment.sizeBytes
  let fd: number
  try {
    fd = openSync(segment.logPath, 'r')
  } catch (error) {
    throw ioError(`open segment ${segment.logPath} for cleaning`, error)
  }
  try {
    const scanner = new BatchScanner(fd, endPosition, Number.MAX_SAFE_INTEGER, CLEANER_WINDOW_BYTES)
    let position = 0
    while (position < endPosition) {
      const frame = scanner.frameAt(position)
      if (typeof frame === 'string') throw new LogError(LogErrorCode.Corrupt, `${segment.logPath}: ${frame} at byte ${position} while cleaning`)
      visit({
        frame,
        header: () => (frame.sizeBytes <= CLEANER_WINDOW_BYTES ? scanner.bytesOf(frame) : readExactly(fd, frame.position, HEADER_BYTES)),
        bytes: () => scanner.bytesOf(frame),
      })
      position += frame.sizeBytes
      await pacer.account(frame.sizeBytes)
    }
  } finally {
    closeSync(fd)
  }
}
