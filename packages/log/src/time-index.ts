// Time index of one segment: (newest timestamp so far, offset − baseOffset of the record that has
// it), appended when the segment's newest timestamp grows at an offset-index point and when the
// segment is sealed. Entries are 12 bytes: int64 timestamp then int32 relative offset. Both
// fields only grow, so "the first offset with timestamp ≥ T" starts after the last entry < T.
import { IndexFile } from './index-file.ts'

export const TIME_INDEX_ENTRY_BYTES = 12

export interface TimestampOffset {
  timestampMs: number
  relativeOffset: number
}

export class TimeIndex {
  readonly file: IndexFile

  constructor(path: string, maxIndexBytes: number, inMemory: boolean) {
    this.file = new IndexFile(path, TIME_INDEX_ENTRY_BYTES, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES), inMemory)
  }

  /** Appends when `timestampMs` is newer than the last entry (the index only grows). */
  maybeAppend(timestampMs: number, relativeOffset: number): void {
    const last = this.last()
    if (last !== undefined && (timestampMs <= last.timestampMs || relativeOffset < last.relativeOffset)) return
    if (this.file.isFull) return
    this.file.append((view, offset) => {
      view.setBigInt64(offset, BigInt(timestampMs))
      view.setInt32(offset + 8, relativeOffset)
    })
  }

  /** The last entry with a timestamp < `timestampMs`; undefined when none. */
  lastBefore(timestampMs: number): TimestampOffset | undefined {
    return this.file.searchLast((view, offset) => Number(view.getBigInt64(offset)) < timestampMs, readEntry)
  }

  last(): TimestampOffset | undefined {
    const count = this.file.entryCount
    return count === 0 ? undefined : this.file.entry(count - 1, readEntry)
  }
}

function readEntry(view: DataView, offset: number): TimestampOffset {
  return { timestampMs: Number(view.getBigInt64(offset)), relativeOffset: view.getInt32(offset + 8) }
}
