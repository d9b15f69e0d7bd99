// One pass over a partition's batch headers (control batches decoded) collecting what the cleaner
// must know beyond the records themselves: which transactions are still open (nothing at or
// after the first of them is cleaned), which were aborted (their records are removed), and each
// producer's last data batch (kept, even emptied, so the producer's sequence state survives).
// Memory grows with the producers and aborted transactions in the log (Kafka keeps the latter
// in per-segment .txnindex files instead).
import { ControlRecordType, decodeControlRecord, decodeRecordBatch, parseAttributes, readRecordBatchHeader } from '@tributary/protocol'
import type { LogSegment } from '../log-segment.ts'
import { walkSegment } from './segment-walk.ts'
import type { CleanerPacer } from './segment-walk.ts'

export interface TransactionFacts {
  /** First offset of the earliest transaction without a marker; undefined when none is open. */
  firstUnstableOffset: bigint | undefined
  /** Per producer, the [firstOffset, markerOffset] ranges of its aborted transactions. */
  abortedTransactions: Map<bigint, Array<{ firstOffset: bigint; lastOffset: bigint }>>
  /** Per producer, the baseOffset of its last data batch. */
  lastBatchOffsets: Map<bigint, bigint>
}

/** Scans every batch of `segments` (the whole log, active segment included). */
export async function scanTransactions(segments: readonly LogSegment[], pacer: CleanerPacer): Promise<TransactionFacts> {
  const ongoing = new Map<bigint, bigint>()
  const facts: TransactionFacts = { firstUnstableOffset: undefined, abortedTransactions: new Map(), lastBatchOffsets: new Map() }
  for (const segment of segments) {
    await walkSegment(segment, pacer, (batch) => {
      const header = readRecordBatchHeader(batch.header())
      if (header.producerId < 0n) return
      const attributes = parseAttributes(header.attributes)
      if (!attributes.isControl) {
        facts.lastBatchOffsets.set(header.producerId, header.baseOffset)
        if (attributes.isTransactional && !ongoing.has(header.producerId)) ongoing.set(header.producerId, header.baseOffset)
        return
      }
      const record = decodeRecordBatch(batch.bytes(), 0, { verifyCrc: false }).records[0]
      const type = record === undefined ? undefined : decodeControlRecord(record).type
      if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return
      const firstOffset = ongoing.get(header.producerId)
      ongoing.delete(header.producerId)
      if (type === ControlRecordType.Abort && firstOffset !== undefined) {
        const ranges = facts.abortedTransactions.get(header.producerId) ?? []
        ranges.push({ firstOffset, lastOffset: header.baseOffset })
        facts.abortedTransactions.set(header.producerId, ranges)
      }
    })
  }
  for (const firstOffset of ongoing.values()) {
    if (facts.firstUnstableOffset === undefined || firstOffset < facts.firstUnstableOffset) facts.firstUnstableOffset = firstOffset
  }
  return facts
}

/** True when the batch of `producerId` at `offset` lies inside one of its aborted transactions. */
export function isAbortedBatch(facts: TransactionFacts, producerId: bigint, offset: bigint): boolean {
  const ranges = facts.abortedTransactions.get(producerId)
  if (ranges === undefined) return false
  return ranges.some((range) => offset >= range.firstOffset && offset <= range.lastOffset)
}
