// A bounded write buffer in front of one LMDB named database. LMDB makes a synchronous commit
// per put slow (one transaction each), so puts and deletes land in this buffer (read-your-writes:
// gets and range scans merge it with the database) and are committed in one `transactionSync`
// when the buffer reaches `maxBufferedRecords`/`maxBufferedBytes`, or on `commit()` (a store
// flush). Commits use LMDB's default synchronous, durable flags, so after `commit()` returns the
// data survives a crash.
import type { Database } from 'lmdb'
import { assert } from '../../errors.ts'

export interface WriteBufferLimits {
  /** Pending writes that trigger a commit. */
  readonly maxBufferedRecords: number
  /** Pending key + value bytes that trigger a commit. */
  readonly maxBufferedBytes: number
}

export const defaultWriteBufferLimits: WriteBufferLimits = { maxBufferedRecords: 10_000, maxBufferedBytes: 16 * 1024 * 1024 }

/** One stored entry: raw key and value bytes. */
export interface BytesEntry {
  readonly key: Buffer
  readonly value: Buffer
}

interface Pending {
  readonly key: Buffer
  /** null = delete. */
  readonly value: Buffer | null
}

export type BytesDatabase = Database<Buffer, Buffer>

export class WriteBufferedDatabase {
  private readonly database: BytesDatabase
  private readonly limits: WriteBufferLimits
  private readonly pending = new Map<string, Pending>()
  /** Pending keys (latin1 strings, so string order = byte order): a sorted part and new keys not merged in yet. */
  private sortedKeys: string[] = []
  private unsortedKeys: string[] = []
  private pendingBytes = 0
  private closed = false

  constructor(database: BytesDatabase, limits: WriteBufferLimits) {
    this.database = database
    this.limits = limits
  }

  get(key: Buffer): Buffer | null {
    if (this.pending.size > 0) {
      const entry = this.pending.get(key.toString('latin1'))
      if (entry !== undefined) return entry.value
    }
    return this.database.getBinary(key) ?? null
  }

  put(key: Buffer, value: Buffer | null): void {
    const id = key.toString('latin1')
    const had = this.pending.has(id)
    this.pending.set(id, { key, value })
    if (!had) this.unsortedKeys.push(id)
    this.pendingBytes += key.length + (value === null ? 0 : value.length)
    if (this.pending.size >= this.limits.maxBufferedRecords || this.pendingBytes >= this.limits.maxBufferedBytes) this.commit()
  }

  /** Entries with start ≤ key ≤ endInclusive, ascending (or descending), pending writes applied. */
  *range(start: Buffer, endInclusive: Buffer, reverse = false): Generator<BytesEntry> {
    if (Buffer.compare(start, endInclusive) > 0) return
    const overlay = this.pendingIn(start.toString('latin1'), endInclusive.toString('latin1'))
    if (reverse) overlay.reverse()
    const options = reverse
      ? { start: endInclusive, end: start, reverse: true, inclusiveEnd: true, snapshot: true }
      : { start, end: endInclusive, inclusiveEnd: true, snapshot: true }
    let next = 0
    const direction = reverse ? -1 : 1
    for (const stored of this.database.getRange(options)) {
      const storedId = stored.key.toString('latin1')
      for (; next < overlay.length && direction * compareStrings(overlay[next].id, storedId) < 0; next++) {
        const value = overlay[next].entry.value
        if (value !== null) yield { key: overlay[next].entry.key, value }
      }
      if (next < overlay.length && overlay[next].id === storedId) {
        const value = overlay[next++].entry.value
        if (value !== null) yield { key: overlay[next - 1].entry.key, value }
        continue
      }
      yield { key: stored.key, value: stored.value }
    }
    for (; next < overlay.length; next++) {
      const value = overlay[next].entry.value
      if (value !== null) yield { key: overlay[next].entry.key, value }
    }
  }

  /** Number of live entries: LMDB's count adjusted by the pending writes. */
  count(): number {
    let count = this.database.getCount()
    for (const entry of this.pending.values()) {
      const stored = this.database.doesExist(entry.key)
      if (stored && entry.value === null) count--
      else if (!stored && entry.value !== null) count++
    }
    return count
  }

  /** Deletes every entry with start ≤ key < endExclusive, in transactions of at most `maxBufferedRecords` keys. */
  deleteRange(start: Buffer, endExclusive: Buffer): void {
    this.commit()
    for (;;) {
      const keys = [...this.database.getKeys({ start, end: endExclusive, limit: this.limits.maxBufferedRecords })]
      if (keys.length === 0) return
      this.database.transactionSync(() => {
        for (const key of keys) this.database.removeSync(key)
      })
    }
  }

  /** True once the task directory closed the LMDB environment under this database. */
  isClosed(): boolean {
    return this.closed
  }

  /** Called by the task directory when it closes the environment. */
  markClosed(): void {
    this.closed = true
  }

  /** Writes pending entries in one durable LMDB transaction. */
  commit(): void {
    if (this.pending.size === 0) return
    // Writing in key order keeps LMDB's B-tree page accesses local.
    const entries = this.sortedPending()
    this.database.transactionSync(() => {
      for (const entry of entries) {
        if (entry.value === null) this.database.removeSync(entry.key)
        else this.database.putSync(entry.key, entry.value)
      }
    })
    this.pending.clear()
    this.sortedKeys = []
    this.unsortedKeys = []
    this.pendingBytes = 0
  }

  /** Drops pending writes and every stored entry. */
  clear(): void {
    this.pending.clear()
    this.sortedKeys = []
    this.unsortedKeys = []
    this.pendingBytes = 0
    this.database.clearSync()
  }

  private sortedPending(): Pending[] {
    this.mergeUnsorted()
    return this.sortedKeys.map((id) => this.pending.get(id)!)
  }

  private mergeUnsorted(): void {
    if (this.unsortedKeys.length === 0) return
    this.sortedKeys = mergeSorted(this.sortedKeys, this.unsortedKeys.sort(compareStrings))
    this.unsortedKeys = []
  }

  private pendingIn(startId: string, endId: string): { id: string; entry: Pending }[] {
    if (this.pending.size === 0) return []
    this.mergeUnsorted()
    const keys = this.sortedKeys
    const out: { id: string; entry: Pending }[] = []
    for (let index = lowerBound(keys, startId); index < keys.length && keys[index] <= endId; index++) {
      const entry = this.pending.get(keys[index])
      assert(entry !== undefined, 'sorted pending keys match the pending map')
      out.push({ id: keys[index], entry })
    }
    return out
  }
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}

function lowerBound(sorted: string[], id: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle] < id) low = middle + 1
    else high = middle
  }
  return low
}

function mergeSorted(left: string[], right: string[]): string[] {
  if (left.length === 0) return right
  const out: string[] = new Array(left.length + right.length)
  let leftIndex = 0
  let rightIndex = 0
  for (let index = 0; index < out.length; index++) {
    out[index] = rightIndex >= right.length || (leftIndex < left.length && left[leftIndex] < right[rightIndex]) ? left[leftIndex++] : right[rightIndex++]
  }
  return out
}
