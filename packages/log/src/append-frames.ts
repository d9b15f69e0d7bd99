// The checks append makes on the bytes it is handed: whole v2 batches back to back, none above
// max.message.bytes, the lot within one segment. CRCs and records were validated by the caller.
import { readBatchFrame } from './batch-frame.ts'
import type { BatchFrame } from './batch-frame.ts'
import { LogError, LogErrorCode } from './errors.ts'
import type { TopicConfig } from './topic-config.ts'

/** Frames of the batches in `batchBytes`; throws LOG_CORRUPT or LOG_RECORD_TOO_LARGE. */
export function frameAppendedBatches(batchBytes: Uint8Array, config: Pick<TopicConfig, 'segmentBytes' | 'maxMessageBytes'>): BatchFrame[] {
  if (batchBytes.length > config.segmentBytes) {
    throw new LogError(LogErrorCode.RecordTooLarge, `${batchBytes.length} bytes of batches exceed segment.bytes ${config.segmentBytes}`)
  }
  const frames: BatchFrame[] = []
  let position = 0
  while (position < batchBytes.length) {
    const frame = readBatchFrame(batchBytes, position, batchBytes.length - position)
    if (typeof frame === 'string') throw new LogError(LogErrorCode.Corrupt, `append: ${frame} at byte ${position} of ${batchBytes.length}`)
    if (frame.sizeBytes > config.maxMessageBytes) {
      throw new LogError(LogErrorCode.RecordTooLarge, `record batch of ${frame.sizeBytes} bytes exceeds max.message.bytes ${config.maxMessageBytes}`)
    }
    frames.push(frame)
    position += frame.sizeBytes
  }
  if (frames.length === 0) throw new LogError(LogErrorCode.Corrupt, 'append: no record batch')
  return frames
}
