// A sorted file of fixed-size entries: the storage under the offset index and the time index.
// The active segment keeps its entries in memory (appends are O(1), flushed to the file on
// persist); a sealed segment keeps none and binary-searches the file with positional reads, so
// memory does not grow with the number of segments.
import { closeSync, openSync, readSync, writeSync, ftruncateSync, fstatSync, existsSync, unlinkSync, constants } from 'node:fs'
import { assert } from '@tributary/protocol'
import { ioError } from './errors.ts'

/** In-memory entries start this small and double up to `maxEntries`. */
const INITIAL_CAPACITY_ENTRIES = 64

export class IndexFile {
  readonly path: string
  readonly entryBytes: number
  readonly maxEntries: number
  #buffer: Buffer | undefined
  /** A view over all of #buffer, so entries are read and written without a DataView each. */
  #view: DataView | undefined
  #count: number
  #persistedCount: number

  /** `inMemory` loads the entries (for the active segment); otherwise lookups read the file. */
  constructor(path: string, entryBytes: number, maxEntries: number, inMemory: boolean) {
    this.path = path
    this.entryBytes = entryBytes
    this.maxEntries = maxEntries
    const existing = existsSync(path) ? readWhole(path, inMemory, entryBytes, maxEntries) : { count: 0, bytes: undefined }
    this.#count = existing.count
    this.#persistedCount = existing.count
    this.#setBuffer(inMemory ? grow(existing.bytes, existing.count * entryBytes, Math.max(INITIAL_CAPACITY_ENTRIES, existing.count) * entryBytes) : undefined)
  }

  #setBuffer(buffer: Buffer | undefined): void {
    this.#buffer = buffer
    this.#view = buffer === undefined ? undefined : new DataView(buffer.buffer, buffer.byteOffset, buffer.length)
  }

  get entryCount(): number {
    return this.#count
  }

  get isFull(): boolean {
    return this.#count >= this.maxEntries
  }

  get isInMemory(): boolean {
    return this.#buffer !== undefined
  }

  /** Appends one entry; `write` fills the `entryBytes` bytes at `offset` of the view. Only in memory. */
  append(write: (view: DataView, offset: number) => void): void {
    assert(this.#buffer !== undefined, `append to sealed index ${this.path}`)
    assert(this.#count < this.maxEntries, `index ${this.path} is full`)
    const end = (this.#count + 1) * this.entryBytes
    if (end > this.#buffer.length) this.#setBuffer(grow(this.#buffer, this.#count * this.entryBytes, Math.min(this.#buffer.length * 2, this.maxEntries * this.entryBytes)))
    write(this.#view!, this.#count * this.entryBytes)
    this.#count++
  }

  /** Drops entries from `count` on (in memory and, at the next persist, in the file). */
  truncate(count: number): void {
    if (count >= this.#count) return
    this.#count = count
    if (this.#persistedCount > count) {
      this.#persistedCount = count
      this.#rewriteFileLength(count)
    }
  }

  /**
   * The last entry `i` for which `isAtOrBefore(entry i)` holds, -1 when none: entries must be
   * sorted so that the predicate is true for a prefix. Reads the file when sealed.
   */
  searchLast<T>(isAtOrBefore: (view: DataView, offset: number) => boolean, result: (view: DataView, offset: number) => T): T | undefined {
    if (this.#count === 0) return undefined
    const view = this.#view
    if (view !== undefined) {
      // In memory: no reader, no view per probe.
      const found = this.#search((i) => isAtOrBefore(view, i * this.entryBytes))
      return found < 0 ? undefined : result(view, found * this.entryBytes)
    }
    const reader = this.#openReader()
    try {
      const found = this.#search((i) => isAtOrBefore(reader.entry(i), 0))
      return found < 0 ? undefined : result(reader.entry(found), 0)
    } finally {
      reader.close()
    }
  }

  /** Entry `i` through `read`, which finds it at `offset` of the view (reads the file when sealed). */
  entry<T>(i: number, read: (view: DataView, offset: number) => T): T {
    assert(i >= 0 && i < this.#count, `index entry ${i} outside 0..${this.#count}`)
    if (this.#view !== undefined) return read(this.#view, i * this.entryBytes)
    const reader = this.#openReader()
    try {
      return read(reader.entry(i), 0)
    } finally {
      reader.close()
    }
  }

  /** Binary search: the last i for which `test(i)` holds, -1 when none. */
  #search(test: (i: number) => boolean): number {
    let low = 0
    let high = this.#count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (test(middle)) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /** Writes entries not yet in the file. Cheap when nothing changed. */
  persist(): void {
    if (this.#buffer === undefined || this.#persistedCount === this.#count) return
    const fd = openFile(this.path, constants.O_WRONLY | constants.O_CREAT)
    try {
      const from = this.#persistedCount * this.entryBytes
      writeAll(fd, this.#buffer.subarray(from, this.#count * this.entryBytes), from)
      ftruncateSync(fd, this.#count * this.entryBytes)
      this.#persistedCount = this.#count
    } catch (error) {
      throw ioError(`write index ${this.path}`, error)
    } finally {
      closeSync(fd)
    }
  }

  /** Persists, then drops the in-memory copy: lookups read the file from now on. */
  seal(): void {
    this.persist()
    this.#setBuffer(undefined)
  }

  delete(): void {
    this.#setBuffer(undefined)
    this.#count = 0
    this.#persistedCount = 0
    if (existsSync(this.path)) unlinkSync(this.path)
  }

  #rewriteFileLength(count: number): void {
    const fd = openFile(this.path, constants.O_WRONLY | constants.O_CREAT)
    try {
      ftruncateSync(fd, count * this.entryBytes)
    } finally {
      closeSync(fd)
    }
  }

  #openReader(): { entry: (i: number) => DataView; close: () => void } {
    const buffer = this.#buffer
    const entryBytes = this.entryBytes
    if (buffer !== undefined) {
      return { entry: (i) => new DataView(buffer.buffer, buffer.byteOffset + i * entryBytes, entryBytes), close: () => {} }
    }
    const fd = openFile(this.path, constants.O_RDONLY)
    const scratch = Buffer.alloc(entryBytes)
    const view = new DataView(scratch.buffer, scratch.byteOffset, entryBytes)
    return {
      entry: (i) => {
        const read = readSync(fd, scratch, 0, entryBytes, i * entryBytes)
        assert(read === entryBytes, `short read of index ${this.path} entry ${i}`)
        return view
      },
      close: () => closeSync(fd),
    }
  }
}

function readWhole(path: string, inMemory: boolean, entryBytes: number, maxEntries: number): { count: number; bytes: Buffer | undefined } {
  const fd = openFile(path, constants.O_RDWR)
  try {
    const sizeBytes = fstatSync(fd).size
    // A torn last entry (crash mid-write) is cut; entries beyond the maximum are ignored.
    const count = Math.min(Math.floor(sizeBytes / entryBytes), maxEntries)
    if (count * entryBytes !== sizeBytes) ftruncateSync(fd, count * entryBytes)
    if (!inMemory) return { count, bytes: undefined }
    const bytes = Buffer.alloc(count * entryBytes)
    let done = 0
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, done)
      if (read === 0) break
      done += read
    }
    return { count: Math.floor(done / entryBytes), bytes }
  } finally {
    closeSync(fd)
  }
}

function grow(bytes: Buffer | undefined, usedBytes: number, capacityBytes: number): Buffer {
  const grown = Buffer.alloc(Math.max(capacityBytes, usedBytes))
  if (bytes !== undefined) bytes.copy(grown, 0, 0, usedBytes)
  return grown
}

function openFile(path: string, flags: number): number {
  try {
    return openSync(path, flags, 0o644)
  } catch (error) {
    throw ioError(`open ${path}`, error)
  }
}

/** Positional write of all of `bytes` (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done)
}
