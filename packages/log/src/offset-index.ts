// Sparse offset index of one segment: (offset − baseOffset) → byte position of the batch that
// starts there, one entry every index.interval.bytes of log. File entries are 8 bytes, big-endian
// int32 relative offset then int32 position. Sorted by both fields.
import { IndexFile } from './index-file.ts'

export const OFFSET_INDEX_ENTRY_BYTES = 8

/** An index hit: the batch starting at `relativeOffset` sits at `position`. */
export interface OffsetPosition {
  relativeOffset: number
  position: number
}

export class OffsetIndex {
  readonly file: IndexFile

  constructor(path: string, maxIndexBytes: number, inMemory: boolean) {
    this.file = new IndexFile(path, OFFSET_INDEX_ENTRY_BYTES, Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES), inMemory)
  }

  append(relativeOffset: number, position: number): void {
    this.file.append((view, offset) => {
      view.setInt32(offset, relativeOffset)
      view.setInt32(offset + 4, position)
    })
  }

  /** The last entry whose relative offset is ≤ `relativeOffset`; undefined when none. */
  lookup(relativeOffset: number): OffsetPosition | undefined {
    return this.file.searchLast((view, offset) => view.getInt32(offset) <= relativeOffset, readEntry)
  }

  last(): OffsetPosition | undefined {
    const count = this.file.entryCount
    return count === 0 ? undefined : this.file.entry(count - 1, readEntry)
  }
}

function readEntry(view: DataView, offset: number): OffsetPosition {
  return { relativeOffset: view.getInt32(offset), position: view.getInt32(offset + 4) }
}
