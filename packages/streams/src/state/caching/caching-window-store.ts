// A record cache in front of a window store (Kafka's CachingWindowStore): the latest value per
// (key, window start) stays in the thread cache until commit or eviction, then is written to the
// wrapped store once and forwarded to the flush listener with a Windowed key. Reads merge the
// dirty entries over the wrapped store's answers. Retention follows the same rule as the
// in-memory window store (a window starting at or before observed stream time − retention is
// neither stored nor returned), applied to cached entries here. Stores that retain duplicates
// (stream-stream join buffers) are never cached, as in Kafka.
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import type { TimestampedValue, WindowStore } from '../window-store.ts'
import type { CacheOwner } from './thread-cache.ts'
import { ENTRY_OVERHEAD_BYTES, estimateBytes } from './thread-cache.ts'
import type { CachedEntry, CachingStore } from './caching-store.ts'
import { CachingStoreBase } from './caching-store.ts'

interface Entry<K, V> extends CachedEntry<V> {
  readonly id: string | number
  readonly key: K
  readonly windowStartMs: number
}

export class CachingWindowStore<K, V> extends CachingStoreBase<WindowStore<K, V>, K, Windowed<K>, V, Entry<K, V>> implements WindowStore<K, V>, CachingStore, CacheOwner {
  /** window start → key id → entry. */
  private readonly windows = new Map<number, Map<string | number, Entry<K, V>>>()
  private observedStreamTimeMs = -1

  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs
  }

  get retentionMs(): number {
    return this.wrapped.retentionMs
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    this.checkOpen()
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, windowStartMs)
    if (this.expired(windowStartMs)) return
    this.insert(key, value === undefined ? null : value, windowStartMs, true)
  }

  fetch(key: K, windowStartMs: number): V | null
  fetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[]
  fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | TimestampedValue<V>[] {
    this.checkOpen()
    if (timeToMs === undefined) {
      if (this.expired(timeFromMs)) return null
      const entry = this.windows.get(timeFromMs)?.get(this.identity.id(key))
      if (entry !== undefined) {
        this.cache.touch(entry)
        return entry.value
      }
      const value = this.wrapped.fetch(key, timeFromMs)
      if (value !== null && this.wrapped.persistent) this.insert(key, value, timeFromMs, false)
      return value
    }
    const inner = [...this.wrapped.fetch(key, timeFromMs, timeToMs)].filter((entry) => !this.expired(entry.timestamp))
    if (this.dirty.size === 0) return inner
    const id = this.identity.id(key)
    const byStart = new Map<number, TimestampedValue<V>>()
    for (const entry of inner) byStart.set(entry.timestamp, entry)
    for (const entry of this.dirty) {
      if (entry.id !== id || entry.windowStartMs < timeFromMs || entry.windowStartMs > timeToMs || this.expired(entry.windowStartMs)) continue
      if (entry.value === null) byStart.delete(entry.windowStartMs)
      else byStart.set(entry.windowStartMs, { timestamp: entry.windowStartMs, value: entry.value })
    }
    return [...byStart.values()].sort((left, right) => left.timestamp - right.timestamp)
  }

  backwardFetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[] {
    return this.fetch(key, timeFromMs, timeToMs).reverse()
  }

  fetchKeyRange(keyFrom: K, keyTo: K, timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    const accept = (key: K): boolean => this.identity.compare(key, keyFrom) >= 0 && this.identity.compare(key, keyTo) <= 0
    return this.merge([...this.wrapped.fetchKeyRange(keyFrom, keyTo, timeFromMs, timeToMs)], timeFromMs, timeToMs, accept)
  }

  fetchAll(timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    return this.merge([...this.wrapped.fetchAll(timeFromMs, timeToMs)], timeFromMs, timeToMs, () => true)
  }

  all(): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    return this.merge([...this.wrapped.all()], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, () => true)
  }

  protected cachedEntries(): Iterable<Entry<K, V>> {
    return [...this.windows.values()].flatMap((window) => [...window.values()])
  }

  protected forgetAll(): void {
    this.windows.clear()
  }

  protected override afterFlush(): void {
    this.dropExpired()
  }

  private expired(windowStartMs: number): boolean {
    return windowStartMs <= this.observedStreamTimeMs - this.wrapped.retentionMs
  }

  private insert(key: K, value: V | null, windowStartMs: number, dirty: boolean): void {
    const id = this.identity.id(key)
    const sizeBytes = ENTRY_OVERHEAD_BYTES + estimateBytes(key) + estimateBytes(value)
    let window = this.windows.get(windowStartMs)
    if (window === undefined) this.windows.set(windowStartMs, (window = new Map()))
    const cached = window.get(id)
    if (cached !== undefined) return this.update(cached, value, dirty, sizeBytes)
    const entry: Entry<K, V> = { id, key, windowStartMs, value, dirty, ...this.writeContext(dirty), sizeBytes, owner: this }
    window.set(id, entry)
    this.admit(entry)
  }

  protected write(entry: Entry<K, V>): void {
    const start = entry.windowStartMs
    const oldValue = this.listener === null ? null : this.wrapped.fetch(entry.key, start)
    this.writeInContext(entry, oldValue, () => this.wrapped.put(entry.key, entry.value, start), () => new Windowed(entry.key, new Window(start, Math.min(start + this.wrapped.windowSizeMs, Number.MAX_SAFE_INTEGER))))
  }

  protected forget(entry: Entry<K, V>): void {
    const window = this.windows.get(entry.windowStartMs)
    if (window === undefined || window.get(entry.id) !== entry) return
    window.delete(entry.id)
    if (window.size === 0) this.windows.delete(entry.windowStartMs)
  }

  /** Clean entries of expired windows leave the cache (dirty ones were just written). */
  private dropExpired(): void {
    for (const [start, window] of this.windows) {
      if (!this.expired(start)) continue
      for (const entry of window.values()) {
        if (entry.dirty) continue
        this.cache.remove(entry)
        window.delete(entry.id)
      }
      if (window.size === 0) this.windows.delete(start)
    }
  }

  /** The wrapped store's windows with the dirty entries laid over them, by window start then key. */
  private merge(inner: KeyValue<Windowed<K>, V>[], timeFromMs: number, timeToMs: number, accept: (key: K) => boolean): KeyValue<Windowed<K>, V>[] {
    const live = inner.filter((entry) => !this.expired(entry.key.window.startMs))
    if (this.dirty.size === 0) return live
    const byKey = new Map<string, KeyValue<Windowed<K>, V>>()
    for (const entry of live) byKey.set(`${entry.key.window.startMs}:${this.identity.id(entry.key.key)}`, entry)
    for (const entry of this.dirty) {
      const start = entry.windowStartMs
      if (start < timeFromMs || start > timeToMs || this.expired(start) || !accept(entry.key)) continue
      const id = `${start}:${entry.id}`
      if (entry.value === null) byKey.delete(id)
      else byKey.set(id, { key: new Windowed(entry.key, new Window(start, Math.min(start + this.wrapped.windowSizeMs, Number.MAX_SAFE_INTEGER))), value: entry.value })
    }
    return [...byKey.values()].sort((left, right) => left.key.window.startMs - right.key.window.startMs || this.identity.compare(left.key.key, right.key.key))
  }

}
