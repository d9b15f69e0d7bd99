// ListOffsets by timestamp: the time index narrows the search to one index interval, batch
// headers narrow it to one batch, and decoding that one batch finds the record.
import { decodeRecordBatch, recordOffset, recordTimestamp } from '@tributary/protocol'
import { lastOffsetOf } from './batch-frame.ts'
import type { BatchFrame } from './batch-frame.ts'
import { LogError, LogErrorCode } from './errors.ts'
import type { LogSegment } from './log-segment.ts'

export interface TimestampAndOffset {
  timestampMs: number
  offset: bigint
}

/** Decompressed bytes one lookup may decode (a batch is at most max.message.bytes compressed). */
const LOOKUP_DECOMPRESSED_BYTES_MAX = 64 * 1024 * 1024

/**
 * The first record (offset ≥ logStartOffset, batch below `highWatermark`) whose timestamp is ≥
 * `timestampMs`: Kafka's ListOffsets semantics for a timestamp query.
 */
export function findOffsetForTimestamp(segments: readonly LogSegment[], timestampMs: number, logStartOffset: bigint, highWatermark: bigint): TimestampAndOffset | undefined {
  for (const segment of segments) {
    if (segment.maxTimestampMs < timestampMs || segment.nextOffset <= logStartOffset) continue
    const entry = segment.timeIndex.lastBefore(timestampMs)
    // Every record up to the entry's offset is older than the target: start after it.
    let position = entry === undefined ? 0 : segment.positionFor(segment.baseOffset + BigInt(entry.relativeOffset) + 1n)
    const scanner = segment.scanner()
    while (position < segment.sizeBytes) {
      const frame = scanner.frameAt(position)
      if (typeof frame === 'string') throw new LogError(LogErrorCode.Corrupt, `${segment.logPath}: ${frame} at byte ${position}`)
      if (frame.baseOffset >= highWatermark) return undefined
      if (frame.maxTimestampMs >= timestampMs && lastOffsetOf(frame) >= logStartOffset) {
        const found = firstRecordAtOrAfter(scanner.bytesOf(frame), frame, timestampMs, logStartOffset)
        if (found !== undefined) return found
      }
      position += frame.sizeBytes
    }
  }
  return undefined
}

/** The record with the largest timestamp (earliest on ties) at or after logStartOffset. */
export function findMaxTimestamp(segments: readonly LogSegment[], logStartOffset: bigint): TimestampAndOffset | undefined {
  let best: LogSegment | undefined
  for (const segment of segments) {
    if (segment.nextOffset <= logStartOffset || segment.maxTimestampMs < 0) continue
    if (best === undefined || segment.maxTimestampMs > best.maxTimestampMs) best = segment
  }
  if (best === undefined) return undefined
  // The segment knows the batch holding its newest timestamp; the record is inside it.
  const found = findOffsetForTimestamp([best], best.maxTimestampMs, logStartOffset, best.nextOffset)
  return found ?? { timestampMs: best.maxTimestampMs, offset: best.offsetOfMaxTimestamp }
}

function firstRecordAtOrAfter(bytes: Uint8Array, frame: BatchFrame, timestampMs: number, logStartOffset: bigint): TimestampAndOffset | undefined {
  if (frame.isLogAppendTime) {
    // Every record carries the batch's append time.
    const offset = frame.baseOffset > logStartOffset ? frame.baseOffset : logStartOffset
    return { timestampMs: frame.maxTimestampMs, offset }
  }
  let batch
  try {
    batch = decodeRecordBatch(bytes, 0, { maxDecompressedBytes: LOOKUP_DECOMPRESSED_BYTES_MAX, verifyCrc: false })
  } catch {
    // Undecodable (e.g. a codec we lack): answer with the batch, which a consumer reads whole anyway.
    return { timestampMs: frame.maxTimestampMs, offset: frame.baseOffset > logStartOffset ? frame.baseOffset : logStartOffset }
  }
  for (const record of batch.records) {
    const offset = recordOffset(batch, record)
    const recordTimestampMs = recordTimestamp(batch, record)
    if (offset >= logStartOffset && recordTimestampMs >= timestampMs) return { timestampMs: recordTimestampMs, offset }
  }
  return undefined
}
