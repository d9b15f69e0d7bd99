// ChangeLoggingWindowStore and ChangeLoggingSessionStore: wrap a WindowStore/SessionStore and
// send every put and removal to the changelog with Kafka's windowed changelog keys
// ([key][start][seqnum] and [key][end][start]). Restore applies records without logging.
import type { TimestampedValue, WindowStore } from '../window-store.ts'
import type { SessionStore } from '../session-store.ts'
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import type { ChangelogRecord } from './changelog-record.ts'
import { parseSessionChangelogKey, parseWindowChangelogKey, sessionChangelogKey, windowChangelogKey } from './changelog-record.ts'
import { ChangeLoggingStore, type ChangeLoggingStoreOptions } from './change-logging-store.ts'

export interface ChangeLoggingWindowStoreOptions<K, V> extends ChangeLoggingStoreOptions<K, V> {
  /** True for stores that keep duplicates: each put then gets its own changelog seqnum. */
  readonly retainDuplicates?: boolean
}

export class ChangeLoggingWindowStore<K, V> extends ChangeLoggingStore<WindowStore<K, V>, K, V> implements WindowStore<K, V> {
  readonly #retainDuplicates: boolean
  #seqnum = 0

  constructor(inner: WindowStore<K, V>, options: ChangeLoggingWindowStoreOptions<K, V>) {
    super(inner, options)
    this.#retainDuplicates = options.retainDuplicates === true
  }

  get windowSizeMs(): number {
    return this.inner.windowSizeMs
  }

  get retentionMs(): number {
    return this.inner.retentionMs
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    this.inner.put(key, value, windowStartMs)
    this.log(key, value, (keyBytes) => {
      const seqnum = this.#retainDuplicates ? (this.#seqnum = (this.#seqnum + 1) | 0) : 0
      return windowChangelogKey(keyBytes, windowStartMs, seqnum)
    })
  }

  fetch(key: K, windowStartMs: number): V | null
  fetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>>
  fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | Iterable<TimestampedValue<V>> {
    return timeToMs === undefined ? this.inner.fetch(key, timeFromMs) : this.inner.fetch(key, timeFromMs, timeToMs)
  }

  backwardFetch(key: K, timeFromMs: number, timeToMs: number): Iterable<TimestampedValue<V>> {
    return this.inner.backwardFetch(key, timeFromMs, timeToMs)
  }

  fetchKeyRange(keyFrom: K, keyTo: K, timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.inner.fetchKeyRange(keyFrom, keyTo, timeFromMs, timeToMs)
  }

  fetchAll(timeFromMs: number, timeToMs: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.inner.fetchAll(timeFromMs, timeToMs)
  }

  all(): Iterable<KeyValue<Windowed<K>, V>> {
    return this.inner.all()
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    for (const record of records) {
      if (record.key === null) continue
      const { key, windowStartMs } = parseWindowChangelogKey(record.key)
      this.inner.put(this.deserializeKey(key), this.deserializeValue(record.value), windowStartMs)
    }
  }
}

export type ChangeLoggingSessionStoreOptions<K, AGG> = ChangeLoggingStoreOptions<K, AGG>

export class ChangeLoggingSessionStore<K, AGG> extends ChangeLoggingStore<SessionStore<K, AGG>, K, AGG> implements SessionStore<K, AGG> {
  get retentionMs(): number {
    return this.inner.retentionMs
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.inner.put(sessionKey, aggregate)
    this.logSession(sessionKey, aggregate)
  }

  remove(sessionKey: Windowed<K>): void {
    this.inner.remove(sessionKey)
    this.logSession(sessionKey, null)
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.inner.findSessions(key, earliestSessionEndMs, latestSessionStartMs)
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null {
    return this.inner.fetchSession(key, sessionStartMs, sessionEndMs)
  }

  fetch(key: K): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.inner.fetch(key)
  }

  all(): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.inner.all()
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    for (const record of records) {
      if (record.key === null) continue
      const { key, startMs, endMs } = parseSessionChangelogKey(record.key)
      const sessionKey = new Windowed(this.deserializeKey(key), new Window(startMs, endMs))
      if (record.value === null) this.inner.remove(sessionKey)
      else this.inner.put(sessionKey, this.deserializeValue(record.value))
    }
  }

  private logSession(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.log(sessionKey.key, aggregate, (keyBytes) => sessionChangelogKey(keyBytes, sessionKey.window.startMs, sessionKey.window.endMs))
  }
}
