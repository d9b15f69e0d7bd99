// What the caching stores share (Kafka's CachedStateStore): the flush listener DSL processors
// register to forward their results when the cache writes an entry (commit or eviction) instead
// of on every update, and the task's hook that restores the writing record's metadata while an
// entry is flushed, so a downstream processor sees the record that last updated the key.
import type { KeyIdentity, StateStore, StateStoreContext } from '../state-store.ts'
import { keyIdentity, storeClosed } from '../state-store.ts'
import type { CacheEntry, ThreadCache } from './thread-cache.ts'
import type { Serde } from '../../serde/serde.ts'

/** Called once per dirty key when the cache writes it: the newest value and the value the wrapped store held before. */
export type CacheFlushListener<K, V, C> = (key: K, newValue: V | null, oldValue: V | null, context: C) => void

/** The task's current input record: captured with each cached write and restored during its flush. */
export interface RecordContextHolder {
  get(): unknown
  set(record: unknown): void
}

export interface CachingStoreOptions<K> {
  readonly cache: ThreadCache
  /** Identifies and orders keys as the wrapped store does (serialized key bytes). */
  readonly keySerde: Serde<K>
  readonly recordContext?: RecordContextHolder
}

/** A store with a record cache in front of it. */
export interface CachingStore extends StateStore {
  /** The store behind the cache (change-logging and/or persistent); restores write to it directly. */
  readonly wrapped: StateStore
  /** Writes every dirty entry to the wrapped store, forwarding each to the flush listener; false when none was dirty. */
  flushCache(): boolean
  hasDirtyEntries(): boolean
  /**
   * Registers the listener that forwards flushed entries downstream (Kafka's setFlushListener);
   * `capture` is called on every write and its result handed back with the entry at flush.
   */
  setFlushListener<C>(listener: CacheFlushListener<any, any, C>, capture: () => C): void
}

/** What every caching store keeps per cached key (or window, or session). */
export interface CachedEntry<V> extends CacheEntry {
  /** null: deleted (a dirty tombstone, or known absent). */
  value: V | null
  dirty: boolean
  /** What the flush listener's `capture` returned at the last write. */
  context: unknown
  /** The task's input record at the last write. */
  record: unknown
}

/**
 * What every caching store does alike: the wrapped store's name and lifecycle, key identity, the
 * dirty entries, writing them (flush, eviction) and the flush listener. `LK`/`LV` are the key
 * and value types the listener gets (Windowed<K> for window and session stores); `E` is the
 * store's cache entry. A store adds how it finds its entries and how one reaches the wrapped store.
 */
export abstract class CachingStoreBase<S extends StateStore, K, LK, LV, E extends CachedEntry<LV>> {
  readonly wrapped: S
  protected readonly cache: ThreadCache
  protected readonly identity: KeyIdentity<K>
  protected readonly recordContext: RecordContextHolder | undefined
  /**
   * Dirty entries in the order of their last write. Kafka flushes in the order keys first became
   * dirty; flushing in last-write order instead makes a flush forward exactly the uncached
   * sequence of updates with the superseded ones left out, so a downstream operator that follows
   * stream time (suppress) sees time advance as it would have without the cache.
   */
  protected readonly dirty = new Set<E>()
  protected listener: CacheFlushListener<LK, LV, unknown> | null = null
  protected capture: (() => unknown) | null = null
  protected open = false

  constructor(wrapped: S, options: CachingStoreOptions<K>) {
    this.wrapped = wrapped
    this.cache = options.cache
    this.identity = keyIdentity(options.keySerde, wrapped.name)
    this.recordContext = options.recordContext
  }

  get name(): string {
    return this.wrapped.name
  }

  get persistent(): boolean {
    return this.wrapped.persistent
  }

  init(context: StateStoreContext): void {
    this.wrapped.init(context)
    this.open = true
  }

  isOpen(): boolean {
    return this.open && this.wrapped.isOpen()
  }

  setFlushListener<C>(listener: CacheFlushListener<LK, LV, C>, capture: () => C): void {
    this.listener = listener as CacheFlushListener<LK, LV, unknown>
    this.capture = capture
  }

  hasDirtyEntries(): boolean {
    return this.dirty.size > 0
  }

  /** Writes every dirty entry to the wrapped store (forwarding each to the listener); false when none was dirty. */
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
    this.afterFlush()
    return true
  }

  /** Commit: the cache first (its writes reach the changelog), then the wrapped store. */
  flush(): void {
    this.flushCache()
    this.wrapped.flush()
  }

  /** Drops the cache without writing it: a task closes after its last commit (clean) or to be rebuilt (dirty). */
  close(): void {
    for (const entry of this.cachedEntries()) this.cache.remove(entry)
    this.forgetAll()
    this.dirty.clear()
    this.open = false
    this.wrapped.close()
  }

  /** Thread cache eviction: a dirty entry is written with every other dirty entry of this store (Kafka flushes the whole named cache), then it goes. */
  evict(entry: CacheEntry): void {
    const evicted = entry as E
    if (evicted.dirty) this.flushCache()
    this.cache.remove(evicted)
    this.forget(evicted)
  }

  /** Every entry the store holds in the cache. */
  protected abstract cachedEntries(): Iterable<E>
  /** Removes `entry` from the store's index (if it is still the one there). */
  protected abstract forget(entry: E): void
  protected abstract forgetAll(): void
  /** Writes `entry` to the wrapped store, through `writeInContext`. */
  protected abstract write(entry: E): void
  /** After a flush (window and session stores drop expired clean entries). */
  protected afterFlush(): void {}

  /** The listener's capture and the task's record at a write (nothing for a clean read-through). */
  protected writeContext(dirty: boolean): { context: unknown; record: unknown } {
    if (!dirty) return { context: undefined, record: undefined }
    return { context: this.capture === null ? undefined : this.capture(), record: this.recordContext?.get() }
  }

  /** A new entry enters the store's cache (the caller has indexed it). */
  protected admit(entry: E): void {
    if (entry.dirty) this.dirty.add(entry)
    this.cache.add(entry)
  }

  /** A cached entry takes a new value; a dirty write moves it to the end of the flush order. */
  protected update(entry: E, value: LV | null, dirty: boolean, sizeBytes: number): void {
    entry.value = value
    if (dirty) {
      const { context, record } = this.writeContext(true)
      entry.context = context
      entry.record = record
      entry.dirty = true
      // Last-write order: the flush forwards the input's own sequence of updates minus the superseded ones.
      this.dirty.delete(entry)
      this.dirty.add(entry)
    }
    this.cache.touch(entry, sizeBytes)
  }

  /**
   * Writes a dirty entry: `put` applies it to the wrapped store and the listener forwards it, both
   * in the context of the record that last wrote it (its changelog record and what is forwarded
   * carry that record's timestamp). `oldValue` is what the wrapped store held (null without a listener).
   */
  protected writeInContext(entry: E, oldValue: LV | null, put: () => void, listenerKey: () => LK): void {
    entry.dirty = false
    const { context, record } = entry
    entry.context = entry.record = undefined
    const listener = this.listener
    withRecordContext(this.recordContext, record, () => {
      put()
      if (listener !== null && !(entry.value === null && oldValue === null)) listener(listenerKey(), entry.value, oldValue, context)
    })
  }

  protected checkOpen(): void {
    if (!this.open) throw storeClosed(this.name)
  }
}

export function isCachingStore(store: StateStore): store is CachingStore {
  return typeof (store as Partial<CachingStore>).flushCache === 'function' && (store as Partial<CachingStore>).wrapped !== undefined
}

/** The store behind any caching layer. */
export function unwrapCache(store: StateStore): StateStore {
  return isCachingStore(store) ? store.wrapped : store
}

/**
 * Registers `listener` when `store` is a caching store and returns true: the processor then
 * forwards from the listener only (Kafka's TimestampedTupleForwarder). False: forward directly.
 */
export function forwardOnFlush<C>(store: StateStore, listener: CacheFlushListener<any, any, C>, capture: () => C): boolean {
  if (!isCachingStore(store)) return false
  store.setFlushListener(listener, capture)
  return true
}

/** Runs `action` with the task's current record set to `record`, restoring it afterwards. */
export function withRecordContext(holder: RecordContextHolder | undefined, record: unknown, action: () => void): void {
  if (holder === undefined) {
    action()
    return
  }
  const previous = holder.get()
  holder.set(record)
  try {
    action()
  } finally {
    holder.set(previous)
  }
}
