// WindowStore: values per (key, window start), with retention driven by observed stream time,
// as Kafka's InMemoryWindowStore: a put whose window start is at or before
// `observedStreamTime - retentionMs` is dropped, and fetches never return expired windows.
import type { KeyValue } from './windowed.ts'
import { Window, Windowed } from './windowed.ts'
import type { StateStore } from './state-store.ts'
import { InMemoryStore } from './in-memory-store.ts'
import type { Serde } from '../serde/serde.ts'

/** One value of a key's window, identified by the window start. */
export interface TimestampedValue<V> {
  /** The window start. */
  readonly timestamp: number
  readonly value: V
}

/** A windowed state store (Kafka's WindowStore). */
export interface WindowStore<K, V> extends StateStore {
  readonly windowSizeMs: number
  readonly retentionMs: number
  /** Stores a value for the window starting at `windowStartMs`; null deletes (unless duplicates are retained). */
  put(key: K, value: V | null, windowStartMs: number): void
  /** The value of one window, or null. */
  fetch(key: K, windowStartMs: number): V | null
  /** The key's windows whose start lies in [timeFromMs, timeToMs], ascending by start. */
  fetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>>
  backwardFetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>>
  /** Windows of keys in [keyFrom, keyTo] with start in [timeFromMs, timeToMs], by start then key. */
  fetchKeyRange(keyFrom: K, keyTo: K, timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>>
  fetchAll(timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>>
  all(): Iterable<KeyValue<Windowed<K>, V>>
}

interface Entry<K, V> {
  key: K
  value: V
}

export interface InMemoryWindowStoreOptions<K> {
  name: string
  keySerde: Serde<K>
  retentionMs: number
  windowSizeMs: number
  /** Keep every put (stream-stream join buffers) instead of overwriting. */
  retainDuplicates?: boolean
}

/** In-memory WindowStore: window start → key → entries. */
export class InMemoryWindowStore<K, V> extends InMemoryStore<K> implements WindowStore<K, V> {
  readonly windowSizeMs: number
  readonly retentionMs: number
  private readonly retainDuplicates: boolean
  private readonly segments = new Map<number, Map<string | number, Entry<K, V>[]>>()
  private starts: number[] = []
  private observedStreamTimeMs = -1

  constructor(options: InMemoryWindowStoreOptions<K>) {
    super(options.name, options.keySerde)
    this.windowSizeMs = options.windowSizeMs
    this.retentionMs = options.retentionMs
    this.retainDuplicates = options.retainDuplicates ?? false
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    this.checkOpen()
    this.removeExpired()
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, windowStartMs)
    if (windowStartMs <= this.observedStreamTimeMs - this.retentionMs) return
    const id = this.identity.id(key)
    let segment = this.segments.get(windowStartMs)
    if (value === null || value === undefined) {
      if (this.retainDuplicates || segment === undefined) return
      segment.delete(id)
      if (segment.size === 0) this.dropSegment(windowStartMs)
      return
    }
    if (segment === undefined) {
      segment = new Map()
      this.segments.set(windowStartMs, segment)
      this.insertStart(windowStartMs)
    }
    const existing = segment.get(id)
    if (existing === undefined) segment.set(id, [{ key, value }])
    else if (this.retainDuplicates) existing.push({ key, value })
    else existing[0].value = value
  }

  fetch(key: K, windowStartMs: number): V | null
  fetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[]
  fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | TimestampedValue<V>[] {
    this.checkOpen()
    if (timeToMs === undefined) {
      if (timeFromMs <= this.observedStreamTimeMs - this.retentionMs) return null
      const entries = this.segments.get(timeFromMs)?.get(this.identity.id(key))
      return entries === undefined ? null : entries[0].value
    }
    const id = this.identity.id(key)
    const out: TimestampedValue<V>[] = []
    for (const start of this.liveStarts(timeFromMs, timeToMs)) {
      const entries = this.segments.get(start)!.get(id)
      if (entries !== undefined) for (const entry of entries) out.push({ timestamp: start, value: entry.value })
    }
    return out
  }

  backwardFetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[] {
    return this.fetch(key, timeFromMs, timeToMs).reverse()
  }

  fetchKeyRange(keyFrom: K, keyTo: K, timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[] {
    return this.collect(timeFromMs, timeToMs, (key) => this.identity.compare(key, keyFrom) >= 0 && this.identity.compare(key, keyTo) <= 0)
  }

  fetchAll(timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[] {
    return this.collect(timeFromMs, timeToMs, () => true)
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.collect(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, () => true)
  }

  private collect(timeFromMs: number, timeToMs: number, accept: (key: K) => boolean): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    const out: KeyValue<Windowed<K>, V>[] = []
    for (const start of this.liveStarts(timeFromMs, timeToMs)) {
      const groups = [...this.segments.get(start)!.values()].sort((left, right) => this.identity.compare(left[0].key, right[0].key))
      const window = new Window(start, Math.min(start + this.windowSizeMs, Number.MAX_SAFE_INTEGER))
      for (const entries of groups) {
        if (!accept(entries[0].key)) continue
        for (const entry of entries) out.push({ key: new Windowed(entry.key, window), value: entry.value })
      }
    }
    return out
  }

  private liveStarts(timeFromMs: number, timeToMs: number): number[] {
    this.removeExpired()
    // Records expire exactly retentionMs after their window start.
    const minimum = Math.max(timeFromMs, this.observedStreamTimeMs - this.retentionMs + 1)
    if (timeToMs < minimum) return []
    const out: number[] = []
    for (let index = this.firstIndexAtOrAfter(minimum); index < this.starts.length && this.starts[index] <= timeToMs; index++) out.push(this.starts[index])
    return out
  }

  private removeExpired(): void {
    const minLiveMs = Math.max(0, this.observedStreamTimeMs - this.retentionMs + 1)
    if (this.starts.length === 0 || this.starts[0] >= minLiveMs) return
    const expired = this.firstIndexAtOrAfter(minLiveMs)
    for (let index = 0; index < expired; index++) this.segments.delete(this.starts[index])
    this.starts.splice(0, expired)
  }

  private insertStart(start: number): void {
    this.starts.splice(this.firstIndexAtOrAfter(start), 0, start)
  }

  /** Binary search in the sorted window starts. */
  private firstIndexAtOrAfter(start: number): number {
    let low = 0
    let high = this.starts.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.starts[middle] < start) low = middle + 1
      else high = middle
    }
    return low
  }

  private dropSegment(start: number): void {
    this.segments.delete(start)
    this.starts = this.starts.filter((value) => value !== start)
  }
}
