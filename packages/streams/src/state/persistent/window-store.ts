// PersistentWindowStore: a WindowStore in one LMDB named database. Stored key:
// [segment of start][escaped key][start][seqnum], so one key's windows in a time range are one
// ordered range scan per live segment. Retention follows InMemoryWindowStore exactly: a put
// whose start is at or before `observedStreamTime - retentionMs` is dropped, fetches never
// return expired windows, and segments wholly before the live time range are deleted.
// Observed stream time is recovered on init from the highest stored window start.
import type { TimestampedValue, WindowStore } from '../window-store.ts'
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import { requireArgument } from '../../errors.ts'
import type { BytesEntry, WriteBufferedDatabase } from './write-buffer.ts'
import { readEscapedKey, readOrderedLong, readUint32 } from './key-encoding.ts'
import { maxTimeMs, minTimeMs } from './segments.ts'
import { SegmentedPersistentStore, type SegmentedPersistentStoreOptions } from './persistent-store.ts'

export interface PersistentWindowStoreOptions<K, V> extends SegmentedPersistentStoreOptions<K, V> {
  readonly windowSizeMs: number
  /** Keep every put (stream-stream join buffers) instead of overwriting. */
  readonly retainDuplicates?: boolean
}

interface Decoded {
  readonly key: Uint8Array
  readonly escapedKey: Buffer
  readonly startMs: number
  readonly seqnum: number
}

export class PersistentWindowStore<K, V> extends SegmentedPersistentStore<K, V> implements WindowStore<K, V> {
  readonly windowSizeMs: number
  private readonly retainDuplicates: boolean
  private seqnum = 0

  constructor(options: PersistentWindowStoreOptions<K, V>) {
    requireArgument(options.retentionMs >= options.windowSizeMs, `window store '${options.name}': retention ${options.retentionMs} ms is shorter than the window size ${options.windowSizeMs} ms`)
    super(options)
    this.windowSizeMs = options.windowSizeMs
    this.retainDuplicates = options.retainDuplicates ?? false
  }

  protected storedTimeMs(storedKey: Buffer): number {
    return decode(storedKey).startMs
  }

  protected override opened(database: WriteBufferedDatabase): void {
    super.opened(database)
    if (this.retainDuplicates) {
      for (const entry of database.range(Buffer.alloc(1, 0), Buffer.alloc(1978, 0xff))) this.seqnum = Math.max(this.seqnum, decode(entry.key).seqnum)
    }
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    const database = this.open()
    this.observe(database, windowStartMs)
    if (this.expired(windowStartMs)) return
    const keyBytes = this.serializeKey(key)
    if (value === null || value === undefined) {
      if (!this.retainDuplicates) database.put(this.layout.key(windowStartMs, keyBytes, [windowStartMs], 0), null)
      return
    }
    const stored = this.serializeValue(value)
    const seqnum = this.retainDuplicates ? (this.seqnum = (this.seqnum + 1) >>> 0) : 0
    database.put(this.layout.key(windowStartMs, keyBytes, [windowStartMs], seqnum), stored)
  }

  fetch(key: K, windowStartMs: number): V | null
  fetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>>
  fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | Iterable<TimestampedValue<V>> {
    const database = this.open()
    if (timeToMs !== undefined) return this.fetchRange(key, timeFromMs, timeToMs)
    if (this.expired(timeFromMs)) return null
    if (this.retainDuplicates) {
      for (const entry of this.fetchRange(key, timeFromMs, timeFromMs)) return entry.value
      return null
    }
    const stored = database.get(this.layout.key(timeFromMs, this.serializeKey(key), [timeFromMs], 0))
    return stored === null ? null : this.valueSerde.deserialize(this.name, stored)
  }

  backwardFetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>> {
    return this.fetchRange(key, timeFromMs, timeToMs).reverse()
  }

  fetchKeyRange(keyFrom: K, keyTo: K, timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>> {
    const from = this.serializeKey(keyFrom)
    const to = this.serializeKey(keyTo)
    if (Buffer.compare(from, to) > 0) return []
    return this.collect(timeFromMs, timeToMs, (segment) => [this.layout.keyBounds(segment, from, [minTimeMs], [], true)[0], this.layout.keyBounds(segment, to, [], [maxTimeMs], true)[1]])
  }

  fetchAll(timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.collect(timeFromMs, timeToMs, (segment) => this.layout.segmentBounds(segment))
  }

  all(): Iterable<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(minTimeMs, maxTimeMs)
  }

  /** Live window starts in [from, to], as a list of segments to scan. */
  private liveSegments(timeFromMs: number, timeToMs: number): { low: number; high: number; segments: number[] } {
    const low = Math.max(timeFromMs, this.observedStreamTimeMs - this.retentionMs + 1)
    const high = Math.min(timeToMs, this.observedStreamTimeMs)
    const segments: number[] = []
    for (let segment = this.layout.segmentOf(low); low <= high && segment <= this.layout.segmentOf(high); segment++) segments.push(segment)
    return { low, high, segments }
  }

  private fetchRange(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[] {
    const database = this.open()
    const keyBytes = this.serializeKey(key)
    const { low, high, segments } = this.liveSegments(timeFromMs, timeToMs)
    const out: TimestampedValue<V>[] = []
    for (const segment of segments) {
      const [start, end] = this.layout.keyBounds(segment, keyBytes, [low], [high], true)
      for (const entry of database.range(start, end)) {
        out.push({ timestamp: readOrderedLong(entry.key, entry.key.length - 12), value: this.valueSerde.deserialize(this.name, entry.value) as V })
      }
    }
    return out
  }

  private collect(timeFromMs: number, timeToMs: number, bounds: (segment: number) => [Buffer, Buffer]): KeyValue<Windowed<K>, V>[] {
    const database = this.open()
    const { low, high, segments } = this.liveSegments(timeFromMs, timeToMs)
    const out: KeyValue<Windowed<K>, V>[] = []
    for (const segment of segments) {
      const found: { decoded: Decoded; entry: BytesEntry }[] = []
      const [start, end] = bounds(segment)
      for (const entry of database.range(start, end)) {
        const decoded = decode(entry.key)
        if (decoded.startMs >= low && decoded.startMs <= high) found.push({ decoded, entry })
      }
      found.sort((left, right) => left.decoded.startMs - right.decoded.startMs || Buffer.compare(left.decoded.escapedKey, right.decoded.escapedKey) || left.decoded.seqnum - right.decoded.seqnum)
      for (const { decoded, entry } of found) {
        const window = new Window(decoded.startMs, Math.min(decoded.startMs + this.windowSizeMs, Number.MAX_SAFE_INTEGER))
        out.push({ key: new Windowed(this.keySerde.deserialize(this.name, decoded.key) as K, window), value: this.valueSerde.deserialize(this.name, entry.value) as V })
      }
    }
    return out
  }
}

function decode(stored: Buffer): Decoded {
  const { key, next } = readEscapedKey(stored, 8)
  return { key, escapedKey: stored.subarray(8, next), startMs: readOrderedLong(stored, next), seqnum: readUint32(stored, next + 8) }
}
