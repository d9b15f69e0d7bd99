// The read path of one segment: from the batch holding `fetchOffset`, whole batches up to
// `maxBytes` (the first one whole regardless) and below `maxOffset`. The bytes come in a buffer
// of readBufferPool (see read-buffer-pool.ts): whoever consumes them last may give it back.
import { BATCH_FRAME_PREFIX_BYTES, lastOffsetOf, readBatchFrame } from './batch-frame.ts'
import type { BatchFrame } from './batch-frame.ts'
import { LogError, LogErrorCode } from './errors.ts'
import type { LogSegment } from './log-segment.ts'
import { readBufferPool } from './read-buffer-pool.ts'

const EMPTY = new Uint8Array(0)
/** The walk from an index entry to the fetch offset spans about index.interval.bytes (4 KiB). */
const READ_SCAN_WINDOW_BYTES = 8 * 1024

/**
 * Stored batches of `segment` from the one holding `fetchOffset`; undefined when the segment
 * holds no offset at or after it (the caller moves on to the next segment).
 */
export function readFromSegment(segment: LogSegment, fetchOffset: bigint, maxBytes: number, maxOffset: bigint): Uint8Array | undefined {
  const scanner = segment.scanner(READ_SCAN_WINDOW_BYTES)
  let position = segment.positionFor(fetchOffset)
  let first: BatchFrame | undefined
  while (position < segment.sizeBytes) {
    const frame = scanner.frameAt(position)
    if (typeof frame === 'string') throw new LogError(LogErrorCode.Corrupt, `${segment.logPath}: ${frame} at byte ${position}`)
    if (lastOffsetOf(frame) >= fetchOffset) {
      first = frame
      break
    }
    position += frame.sizeBytes
  }
  if (first === undefined) return undefined
  if (first.baseOffset >= maxOffset) return EMPTY
  // One positional read for everything that may be returned, then cut at the last whole batch.
  const chunk = segment.read(position, Math.max(first.sizeBytes, Math.min(maxBytes, segment.sizeBytes - position)), readBufferPool)
  let end = first.sizeBytes
  while (end + BATCH_FRAME_PREFIX_BYTES <= chunk.length) {
    const frame = readBatchFrame(chunk, end, chunk.length - end)
    if (typeof frame === 'string' || frame.baseOffset >= maxOffset) break
    end += frame.sizeBytes
  }
  return end === chunk.length ? chunk : chunk.subarray(0, end)
}
