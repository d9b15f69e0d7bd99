// A record cache in front of a key-value store (Kafka's CachingKeyValueStore). Writes stay in
// the thread cache, the latest per key, until the task commits (flushCache) or the cache evicts
// the key: only then is the wrapped store (and so its changelog) written, once per dirty key, and
// the flush listener forwards the key's newest value with the value the wrapped store held
// before, keys in the order of their last write. Reads see the cache first, so processors and
// interactive queries read their writes.
import type { KeyValue } from '../windowed.ts'
import type { KeyValueStore } from '../key-value-store.ts'
import type { CacheEntry, CacheOwner } from './thread-cache.ts'
import { ENTRY_OVERHEAD_BYTES, estimateBytes } from './thread-cache.ts'
import type { CachingStore } from './caching-store.ts'
import { CachingStoreBase, withRecordContext } from './caching-store.ts'

interface Entry<K, V> extends CacheEntry {
  readonly id: string | number
  readonly key: K
  /** null: the key is deleted (a dirty tombstone, or known absent). */
  value: V | null
  dirty: boolean
  /** What the flush listener's `capture` returned at the last write. */
  context: unknown
  /** The task's input record at the last write. */
  record: unknown
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

  flushCache(): boolean {
    if (this.dirty.size === 0) return false
    if (this.listener === null) {
      // Nothing is forwarded, so nothing can write back into this cache while it is flushed.
      for (const entry of this.dirty) this.write(entry)
      this.dirty.clear()
    } else {
      const flushing = [...this.dirty]
      this.dirty.clear()
      for (let index = 0; index < flushing.length; index++) this.write(flushing[index])
    }
    return true
  }

  /** Commit: the cache first (its writes reach the changelog), then the wrapped store. */
  flush(): void {
    this.flushCache()
    this.wrapped.flush()
  }

  /** Drops the cache without writing it: a task closes after its last commit (clean) or to be rebuilt (dirty). */
  close(): void {
    for (const entry of this.entries.values()) this.cache.remove(entry)
    this.entries.clear()
    this.dirty.clear()
    this.open = false
    this.wrapped.close()
  }

  /** Thread cache eviction: a dirty entry is written with every other dirty entry of this store (Kafka flushes the whole named cache), then it goes. */
  evict(entry: CacheEntry): void {
    const evicted = entry as Entry<K, V>
    if (evicted.dirty) this.flushCache()
    this.cache.remove(evicted)
    if (this.entries.get(evicted.id) === evicted) this.entries.delete(evicted.id)
  }

  private insert(key: K, value: V | null, dirty: boolean): void {
    const id = this.identity.id(key)
    const sizeBytes = ENTRY_OVERHEAD_BYTES + estimateBytes(key) + estimateBytes(value)
    let entry = this.entries.get(id)
    const context = dirty && this.capture !== null ? this.capture() : undefined
    const record = dirty ? this.recordContext?.get() : undefined
    if (entry !== undefined) {
      entry.value = value
      if (dirty) {
        entry.context = context
        entry.record = record
        entry.dirty = true
        // Last-write order: the flush forwards the input's own sequence of updates minus the superseded ones.
        this.dirty.delete(entry)
        this.dirty.add(entry)
      }
      this.cache.touch(entry, sizeBytes)
      return
    }
    entry = { id, key, value, dirty, context, record, sizeBytes, owner: this }
    this.entries.set(id, entry)
    if (dirty) this.dirty.add(entry)
    this.cache.add(entry)
  }

  private write(entry: Entry<K, V>): void {
    entry.dirty = false
    const oldValue = this.listener === null ? null : this.wrapped.get(entry.key)
    const { context, record } = entry
    entry.context = entry.record = undefined
    const listener = this.listener
    // In the writing record's context: its changelog record and what the listener forwards carry its timestamp.
    withRecordContext(this.recordContext, record, () => {
      this.wrapped.put(entry.key, entry.value)
      if (listener !== null && !(entry.value === null && oldValue === null)) listener(entry.key, entry.value, oldValue, context)
    })
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
