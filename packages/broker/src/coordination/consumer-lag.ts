// Consumer lag of a group: per committed partition, the committed offset, the partition's high
// watermark and their distance (what monitoring plots). Partitions of deleted topics are skipped.
import type { LogManager } from '@tributary/log'
import type { CommittedOffset } from '../coordinator/index.ts'

export interface PartitionLag {
  readonly topic: string
  readonly partition: number
  readonly committedOffset: bigint
  readonly highWatermark: bigint
  /** highWatermark - committedOffset, never negative. */
  readonly lag: bigint
}

export function consumerLag(committed: readonly CommittedOffset[], logs: LogManager): PartitionLag[] {
  const lags: PartitionLag[] = []
  for (const offset of committed) {
    const topic = logs.topic(offset.topic)
    if (topic === undefined || offset.partition >= topic.partitionCount) continue
    const highWatermark = logs.partition(offset.topic, offset.partition).highWatermark
    const committedOffset = BigInt(offset.offset)
    const lag = highWatermark > committedOffset ? highWatermark - committedOffset : 0n
    lags.push({ topic: offset.topic, partition: offset.partition, committedOffset, highWatermark, lag })
  }
  return lags.sort((left, right) => (left.topic === right.topic ? left.partition - right.partition : left.topic < right.topic ? -1 : 1))
}
