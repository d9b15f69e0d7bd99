// The record cache of one stream thread (Kafka's ThreadCache, KIP-63): every caching store of
// the thread's tasks keeps its entries here, under one byte budget (`cacheMaxBytes`, Kafka's
// `statestore.cache.max.bytes`). Entries are kept in least-recently-used order across all
// stores; when the budget is exceeded the eldest entry's store evicts it, writing (and, for
// DSL stores, forwarding) its dirty entries first. Our caches hold typed objects, not bytes, so
// an entry's size is an estimate of its key and value (estimateBytes) plus a fixed overhead.

/** Default budget, Kafka's `statestore.cache.max.bytes` default (10 MiB). */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024

/** Bytes counted per entry besides its key and value (map slots, the entry object, links). */
export const ENTRY_OVERHEAD_BYTES = 64

/** One cached value; the owning store keeps its own fields on it. */
export interface CacheEntry {
  sizeBytes: number
  readonly owner: CacheOwner
}

/** A caching store: evicts one of its entries when the thread cache needs room. */
export interface CacheOwner {
  /** Writes the store's dirty entries (the evicted one included) downstream, then drops `entry`. */
  evict(entry: CacheEntry): void
}

export class ThreadCache {
  readonly maxBytes: number
  /** Every entry of every store, least recently used first (a Set keeps insertion order). */
  private readonly lru = new Set<CacheEntry>()
  private sizeBytesValue = 0
  /** The most recently used entry (the last of `lru`), or null. */
  private newest: CacheEntry | null = null
  private evicting = false
  /** Entries evicted because the budget was exceeded (a metric, Kafka's cache evictions). */
  evictions = 0

  constructor(maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`cacheMaxBytes must be >= 0, got ${maxBytes}`)
    this.maxBytes = maxBytes
  }

  get sizeBytes(): number {
    return this.sizeBytesValue
  }

  get entries(): number {
    return this.lru.size
  }

  /** Adds a new entry as the most recently used, then makes room. */
  add(entry: CacheEntry): void {
    this.lru.add(entry)
    this.newest = entry
    this.sizeBytesValue += entry.sizeBytes
    this.maybeEvict()
  }

  /** Marks an entry as the most recently used; its size may have changed. */
  touch(entry: CacheEntry, sizeBytes: number = entry.sizeBytes): void {
    // A read then a write of the same key (every aggregation) moves it once.
    if (this.newest !== entry) {
      this.lru.delete(entry)
      this.lru.add(entry)
      this.newest = entry
    }
    if (sizeBytes !== entry.sizeBytes) {
      this.sizeBytesValue += sizeBytes - entry.sizeBytes
      entry.sizeBytes = sizeBytes
      this.maybeEvict()
    }
  }

  /** Forgets an entry (evicted, or its store closed). */
  remove(entry: CacheEntry): void {
    if (this.lru.delete(entry)) this.sizeBytesValue -= entry.sizeBytes
    if (this.newest === entry) this.newest = null
  }

  /**
   * Evicts least recently used entries until the cache fits. Eviction writes dirty entries and
   * forwards them, which may put into other caching stores: those puts do not evict again (the
   * loop here goes on until the budget holds).
   */
  private maybeEvict(): void {
    if (this.evicting || this.sizeBytesValue <= this.maxBytes) return
    this.evicting = true
    try {
      while (this.sizeBytesValue > this.maxBytes && this.lru.size > 0) {
        const eldest = this.lru.values().next().value as CacheEntry
        this.evictions++
        eldest.owner.evict(eldest)
        // An owner must drop the entry it was asked to evict; if it did not, stop rather than spin.
        if (this.lru.has(eldest)) throw new Error('assertion failed: a caching store kept an evicted entry')
      }
    } finally {
      this.evicting = false
    }
  }
}

/** Caches per runtime: the tasks of one KafkaStreams thread (or one test driver) share one. */
const cachesByRuntime = new WeakMap<object, ThreadCache>()

/** The thread cache of a runtime, created with `maxBytes` on first use; null when caching is off (0). */
export function threadCacheFor(runtime: object, maxBytes: number): ThreadCache | null {
  const budget = maxBytes
  if (budget <= 0) return null
  let cache = cachesByRuntime.get(runtime)
  if (cache === undefined) cachesByRuntime.set(runtime, (cache = new ThreadCache(budget)))
  return cache
}

/**
 * A cheap estimate of the heap bytes of a key or value: strings count 2 bytes per character,
 * numbers 8, byte arrays their length, objects and arrays their fields (three levels deep, at
 * most 64 fields each; deeper structure counts a flat 64 bytes).
 */
export function estimateBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8
    case 'bigint':
      return 16
    case 'object': {
      if (value === null) return 8
      if (value instanceof Uint8Array) return 32 + value.byteLength
      if (depth >= 3) return 64
      let total = 32
      let fields = 0
      if (Array.isArray(value)) {
        for (const item of value) {
          if (fields++ >= 64) return total + 64
          total += 8 + estimateBytes(item, depth + 1)
        }
        return total
      }
      for (const key in value) {
        if (fields++ >= 64) return total + 64
        const field = (value as Record<string, unknown>)[key]
        // Numbers are the common field (ValueAndTimestamp's timestamp, counts): no call for them.
        total += typeof field === 'number' ? 16 : 8 + estimateBytes(field, depth + 1)
      }
      return total
    }
    default:
      return 64
  }
}
