// A record cache in front of a key-value store (Kafka's CachingKeyValueStore). Writes stay in
// the thread cache, the latest per key, until the task commits (flushCache) or the cache evicts
// the key: only then is the wrapped store (and so its changelog) written, once per dirty key, and
// the flush listener forwards the key's newest value with the value the wrapped store held
// before, keys in the order of their last write. Reads see the cache first, so processors and
// interactive queries read their writes.
import type { KeyValue } from '../windowed.ts'
import type { KeyValueStore } from '../key-value-store.ts'
import type { CacheOwner } from './thread-cache.ts'
import { ENTRY_OVERHEAD_BYTES, estimateBytes } from './thread-cache.ts'
import type { CachedEntry, CachingStore } from './caching-store.ts'
import { CachingStoreBase } from './caching-store.ts'

interface Entry<K, V> extends CachedEntry<V> {
  readonly id: string | number
  readonly key: K
}

export class CachingKeyValueStore<K, V> extends CachingStoreBase<KeyValueStore<K, V>, K, K, V, Entry<K, V>> implements KeyValueStore<K, V>, CachingStore, CacheOwner {
  private readonly entries = new Map<string | number, Entry<K, V>>()

  get(key: K): V | null {
    this.checkOpen()
    const entry = this.entries.get(this.identity.id(key))
    if (entry !== undefined) {
      this.cache.touch(entry)
      return entry.value
    }
    const value = this.wrapped.get(key)
    // Reads of a persistent store are cached too (Kafka caches hits); an in-memory store answers as fast as the cache.
    if (value !== null && this.wrapped.persistent) this.insert(key, value, false)
    return value
  }

  put(key: K, value: V | null): void {
    this.checkOpen()
    this.insert(key, value === undefined ? null : value, true)
  }

  putIfAbsent(key: K, value: V): V | null {
    const previous = this.get(key)
    if (previous === null) this.put(key, value)
    return previous
  }

  putAll(entries: Iterable<KeyValue<K, V | null>>): void {
    for (const entry of entries) this.put(entry.key, entry.value)
  }

  delete(key: K): V | null {
    const previous = this.get(key)
    this.put(key, null)
    return previous
  }

  range(from: K, to: K): KeyValue<K, V>[] {
    this.checkOpen()
    if (this.identity.compare(from, to) > 0) return []
    const inner = [...this.wrapped.range(from, to)]
    if (this.dirty.size === 0) return inner
    return this.merge(inner, (key) => this.identity.compare(key, from) >= 0 && this.identity.compare(key, to) <= 0)
  }

  reverseRange(from: K, to: K): KeyValue<K, V>[] {
    return this.range(from, to).reverse()
  }

  all(): KeyValue<K, V>[] {
    this.checkOpen()
    const inner = [...this.wrapped.all()]
    return this.dirty.size === 0 ? inner : this.merge(inner, () => true)
  }

  reverseAll(): KeyValue<K, V>[] {
    return this.all().reverse()
  }

  /** The wrapped store's count corrected by the dirty entries (new keys add one, tombstones of stored keys remove one). */
  approximateNumEntries(): number {
    this.checkOpen()
    let count = this.wrapped.approximateNumEntries()
    for (const entry of this.dirty) {
      const stored = this.wrapped.get(entry.key) !== null
      if (entry.value === null && stored) count--
      else if (entry.value !== null && !stored) count++
    }
    return count
  }

  protected cachedEntries(): Iterable<Entry<K, V>> {
    return this.entries.values()
  }

  protected forget(entry: Entry<K, V>): void {
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id)
  }

  protected forgetAll(): void {
    this.entries.clear()
  }

  private insert(key: K, value: V | null, dirty: boolean): void {
    const id = this.identity.id(key)
    const sizeBytes = ENTRY_OVERHEAD_BYTES + estimateBytes(key) + estimateBytes(value)
    const cached = this.entries.get(id)
    if (cached !== undefined) return this.update(cached, value, dirty, sizeBytes)
    const entry: Entry<K, V> = { id, key, value, dirty, ...this.writeContext(dirty), sizeBytes, owner: this }
    this.entries.set(id, entry)
    this.admit(entry)
  }

  protected write(entry: Entry<K, V>): void {
    const oldValue = this.listener === null ? null : this.wrapped.get(entry.key)
    this.writeInContext(entry, oldValue, () => this.wrapped.put(entry.key, entry.value), () => entry.key)
  }

  /** The wrapped store's entries with the dirty ones laid over them, in key order. */
  private merge(inner: KeyValue<K, V>[], accept: (key: K) => boolean): KeyValue<K, V>[] {
    const byId = new Map<string | number, KeyValue<K, V>>()
    for (const entry of inner) byId.set(this.identity.id(entry.key), entry)
    for (const entry of this.dirty) {
      if (!accept(entry.key)) continue
      if (entry.value === null) byId.delete(entry.id)
      else byId.set(entry.id, { key: entry.key, value: entry.value })
    }
    return [...byId.values()].sort((left, right) => this.identity.compare(left.key, right.key))
  }

}
