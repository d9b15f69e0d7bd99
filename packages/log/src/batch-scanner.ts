// Walks the batches of a segment file through one bounded read-ahead buffer: each frame header
// costs no syscall while it falls inside the buffered window. Used by reads (to find where a
// fetch starts), recovery (with CRC checks) and timestamp lookups.
import { readSync } from 'node:fs'
import { crc32c } from '@tributary/protocol'
import { BATCH_FRAME_PREFIX_BYTES, CRC_COVERED_FROM, readBatchFrame } from './batch-frame.ts'
import type { BatchFrame, FrameProblem } from './batch-frame.ts'

/** Read-ahead window for header scans; large enough to cover one index interval (4 KiB) of small batches. */
export const SCAN_WINDOW_BYTES = 64 * 1024

/** Why a scan stopped before the end of the file. */
export type ScanProblem = FrameProblem | 'crc mismatch' | 'offset went backwards'

export class BatchScanner {
  readonly fd: number
  readonly endPosition: number
  readonly maxBatchBytes: number
  #window: Buffer
  #windowStart = 0
  #windowLength = 0

  /** Scans [0, endPosition) of `fd`; batches larger than `maxBatchBytes` count as corrupt. */
  constructor(fd: number, endPosition: number, maxBatchBytes: number, windowBytes = SCAN_WINDOW_BYTES) {
    this.fd = fd
    this.endPosition = endPosition
    this.maxBatchBytes = maxBatchBytes
    this.#window = Buffer.allocUnsafe(windowBytes)
  }

  /** The frame at `position`; 'truncated' when the file ends inside the header or the batch. */
  frameAt(position: number): BatchFrame | FrameProblem {
    if (position + BATCH_FRAME_PREFIX_BYTES > this.endPosition) return 'truncated'
    this.#ensure(position, BATCH_FRAME_PREFIX_BYTES)
    const frame = readBatchFrame(this.#window.subarray(0, this.#windowLength), position - this.#windowStart, this.maxBatchBytes)
    if (typeof frame === 'string') return frame
    frame.position = position
    if (position + frame.sizeBytes > this.endPosition) return 'truncated'
    return frame
  }

  /** True when the stored CRC-32C of `frame` matches its bytes. Reads the whole batch. */
  crcMatches(frame: BatchFrame): boolean {
    const bytes = this.bytesOf(frame)
    return crc32c(bytes, 0, CRC_COVERED_FROM, bytes.length) === frame.crc
  }

  /**
   * The whole batch bytes of `frame`: a view of the window (valid until the next call) when the
   * batch fits in it, else a fresh buffer.
   */
  bytesOf(frame: BatchFrame): Uint8Array {
    if (frame.sizeBytes > this.#window.length) return readExactly(this.fd, frame.position, frame.sizeBytes)
    this.#ensure(frame.position, frame.sizeBytes)
    const start = frame.position - this.#windowStart
    return this.#window.subarray(start, start + frame.sizeBytes)
  }

  #ensure(position: number, length: number): void {
    if (position >= this.#windowStart && position + length <= this.#windowStart + this.#windowLength) return
    const wanted = Math.min(this.#window.length, this.endPosition - position)
    this.#windowStart = position
    this.#windowLength = readInto(this.fd, this.#window, wanted, position)
  }
}

/** Reads `length` bytes at `position` into a new buffer (short only at end of file). */
export function readExactly(fd: number, position: number, length: number, buffer: Buffer = Buffer.allocUnsafe(length)): Buffer {
  const done = readInto(fd, buffer, length, position)
  return done === length ? buffer : buffer.subarray(0, done)
}

function readInto(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done)
    if (read === 0) break
    done += read
  }
  return done
}
