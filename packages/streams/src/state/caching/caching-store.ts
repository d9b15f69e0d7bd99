// What the caching stores share (Kafka's CachedStateStore): the flush listener DSL processors
// register to forward their results when the cache writes an entry (commit or eviction) instead
// of on every update, and the task's hook that restores the writing record's metadata while an
// entry is flushed, so a downstream processor sees the record that last updated the key.
import type { KeyIdentity, StateStore, StateStoreContext } from '../state-store.ts'
import { keyIdentity, storeClosed } from '../state-store.ts'
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

/**
 * What every caching store does alike: the wrapped store's name and lifecycle, key identity, the
 * dirty entries and the flush listener. `LK`/`LV` are the key and value types the listener gets
 * (Windowed<K> for window and session stores); `E` is the store's cache entry.
 */
export abstract class CachingStoreBase<S extends StateStore, K, LK, LV, E> {
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
