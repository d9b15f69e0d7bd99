// A record cache in front of a session store (Kafka's CachingSessionStore): the latest aggregate
// per (key, session start, session end) — or its removal — stays in the thread cache until
// commit or eviction, then is written to the wrapped store (and its changelog) once. Reads merge
// the dirty entries over the wrapped store's answers. Retention follows the in-memory session
// store: a session ending at or before observed stream time − retention is neither stored nor
// returned. The session aggregation still forwards every merge itself (its results are not
// forwarded on flush yet), so only the changelog and the store writes are deduplicated.
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import type { SessionStore } from '../session-store.ts'
import type { CacheOwner } from './thread-cache.ts'
import { ENTRY_OVERHEAD_BYTES, estimateBytes } from './thread-cache.ts'
import type { CachedEntry, CachingStore } from './caching-store.ts'
import { CachingStoreBase } from './caching-store.ts'

interface Entry<K, AGG> extends CachedEntry<AGG> {
  readonly slot: string
  readonly id: string | number
  readonly key: K
  readonly startMs: number
  readonly endMs: number
}

export class CachingSessionStore<K, AGG> extends CachingStoreBase<SessionStore<K, AGG>, K, Windowed<K>, AGG, Entry<K, AGG>> implements SessionStore<K, AGG>, CachingStore, CacheOwner {
  private readonly entries = new Map<string, Entry<K, AGG>>()
  private observedStreamTimeMs = -1

  get retentionMs(): number {
    return this.wrapped.retentionMs
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.checkOpen()
    const { startMs, endMs } = sessionKey.window
    if (aggregate !== null && aggregate !== undefined) {
      this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, endMs)
      if (this.expired(endMs)) return
    }
    this.insert(sessionKey.key, startMs, endMs, aggregate ?? null, true)
  }

  remove(sessionKey: Windowed<K>): void {
    this.put(sessionKey, null)
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null {
    this.checkOpen()
    if (this.expired(sessionEndMs)) return null
    const entry = this.entries.get(slotOf(this.identity.id(key), sessionStartMs, sessionEndMs))
    if (entry !== undefined) {
      this.cache.touch(entry)
      return entry.value
    }
    const value = this.wrapped.fetchSession(key, sessionStartMs, sessionEndMs)
    if (value !== null && this.wrapped.persistent) this.insert(key, sessionStartMs, sessionEndMs, value, false)
    return value
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValue<Windowed<K>, AGG>[] {
    this.checkOpen()
    const id = this.identity.id(key)
    return this.merge([...this.wrapped.findSessions(key, earliestSessionEndMs, latestSessionStartMs)], (entry) => entry.id === id && entry.endMs >= earliestSessionEndMs && entry.startMs <= latestSessionStartMs)
  }

  fetch(key: K): KeyValue<Windowed<K>, AGG>[] {
    this.checkOpen()
    const id = this.identity.id(key)
    return this.merge([...this.wrapped.fetch(key)], (entry) => entry.id === id)
  }

  all(): KeyValue<Windowed<K>, AGG>[] {
    this.checkOpen()
    return this.merge([...this.wrapped.all()], () => true)
  }

  protected cachedEntries(): Iterable<Entry<K, AGG>> {
    return this.entries.values()
  }

  protected forget(entry: Entry<K, AGG>): void {
    if (this.entries.get(entry.slot) === entry) this.entries.delete(entry.slot)
  }

  protected forgetAll(): void {
    this.entries.clear()
  }

  protected override afterFlush(): void {
    this.dropExpired()
  }

  private expired(sessionEndMs: number): boolean {
    return sessionEndMs <= this.observedStreamTimeMs - this.wrapped.retentionMs
  }

  private insert(key: K, startMs: number, endMs: number, value: AGG | null, dirty: boolean): void {
    const id = this.identity.id(key)
    const slot = slotOf(id, startMs, endMs)
    const sizeBytes = ENTRY_OVERHEAD_BYTES + estimateBytes(key) + estimateBytes(value)
    const cached = this.entries.get(slot)
    if (cached !== undefined) return this.update(cached, value, dirty, sizeBytes)
    const entry: Entry<K, AGG> = { slot, id, key, startMs, endMs, value, dirty, ...this.writeContext(dirty), sizeBytes, owner: this }
    this.entries.set(slot, entry)
    this.admit(entry)
  }

  protected write(entry: Entry<K, AGG>): void {
    const windowed = new Windowed(entry.key, new Window(entry.startMs, entry.endMs))
    const oldValue = this.listener === null ? null : this.wrapped.fetchSession(entry.key, entry.startMs, entry.endMs)
    this.writeInContext(entry, oldValue, () => {
      if (entry.value === null) this.wrapped.remove(windowed)
      else this.wrapped.put(windowed, entry.value)
    }, () => windowed)
  }

  /** Clean entries of expired sessions leave the cache. */
  private dropExpired(): void {
    for (const entry of this.entries.values()) {
      if (entry.dirty || !this.expired(entry.endMs)) continue
      this.cache.remove(entry)
      this.entries.delete(entry.slot)
    }
  }

  /** The wrapped store's sessions with the accepted dirty entries laid over them, by key bytes, then end, then start. */
  private merge(inner: KeyValue<Windowed<K>, AGG>[], accept: (entry: Entry<K, AGG>) => boolean): KeyValue<Windowed<K>, AGG>[] {
    const live = inner.filter((entry) => !this.expired(entry.key.window.endMs))
    if (this.dirty.size === 0) return live
    const bySlot = new Map<string, KeyValue<Windowed<K>, AGG>>()
    for (const entry of live) bySlot.set(slotOf(this.identity.id(entry.key.key), entry.key.window.startMs, entry.key.window.endMs), entry)
    for (const entry of this.dirty) {
      if (this.expired(entry.endMs) || !accept(entry)) continue
      if (entry.value === null) bySlot.delete(entry.slot)
      else bySlot.set(entry.slot, { key: new Windowed(entry.key, new Window(entry.startMs, entry.endMs)), value: entry.value })
    }
    return [...bySlot.values()].sort((left, right) => this.identity.compare(left.key.key, right.key.key) || left.key.window.endMs - right.key.window.endMs || left.key.window.startMs - right.key.window.startMs)
  }

}

/** One session's cache slot: start and end are numbers (no ':'), so the id after them is unambiguous. */
function slotOf(id: string | number, startMs: number, endMs: number): string {
  return `${startMs}:${endMs}:${id}`
}
