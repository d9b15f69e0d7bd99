// What the caching stores share (Kafka's CachedStateStore): the flush listener DSL processors
// register to forward their results when the cache writes an entry (commit or eviction) instead
// of on every update, and the task's hook that restores the writing record's metadata while an
// entry is flushed, so a downstream processor sees the record that last updated the key.
import type { StateStore } from '../state-store.ts'
import type { ThreadCache } from './thread-cache.ts'
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
