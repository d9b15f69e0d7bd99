// ChangeLoggingWindowStore and ChangeLoggingSessionStore: wrap a WindowStore/SessionStore and
// send every put and removal to the changelog with Kafka's windowed changelog keys
// ([key][start][seqnum] and [key][end][start]). Restore applies records without logging.
import type { TimestampedValue, WindowStore } from '../window-store.ts'
import type { SessionStore } from '../session-store.ts'
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import type { StateStoreContext } from '../state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import type { ChangeLoggingOptions, ChangeLoggingSource, ChangelogRecord, ChangelogRestorable } from './changelog-record.ts'
import { parseSessionChangelogKey, parseWindowChangelogKey, sessionChangelogKey, windowChangelogKey } from './changelog-record.ts'

export interface ChangeLoggingWindowStoreOptions<K, V> {
  /** Partition, collector and timestamp source of the changelog records. */
  readonly logging: ChangeLoggingSource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** True for stores that keep duplicates: each put then gets its own changelog seqnum. */
  readonly retainDuplicates?: boolean
}

function serializeKey<K>(serde: Serde<K>, topic: string, key: K, storeName: string): Uint8Array {
  const bytes = serde.serialize(topic, key)
  if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${storeName}': key serialized to null`)
  return bytes
}

export class ChangeLoggingWindowStore<K, V> implements WindowStore<K, V>, ChangelogRestorable {
  readonly name: string
  readonly inner: WindowStore<K, V>
  private readonly options: ChangeLoggingWindowStoreOptions<K, V>
  private topic: string | null = null
  private logging: ChangeLoggingOptions | null = null
  private seqnum = 0

  constructor(inner: WindowStore<K, V>, options: ChangeLoggingWindowStoreOptions<K, V>) {
    this.name = inner.name
    this.inner = inner
    this.options = options
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  get windowSizeMs(): number {
    return this.inner.windowSizeMs
  }

  get retentionMs(): number {
    return this.inner.retentionMs
  }

  init(context: StateStoreContext): void {
    this.inner.init(context)
    this.topic = context.changelogTopic
    if (this.topic !== null) this.logging = typeof this.options.logging === 'function' ? this.options.logging(context) : this.options.logging
  }

  flush(): void {
    this.inner.flush()
  }

  close(): void {
    this.inner.close()
  }

  isOpen(): boolean {
    return this.inner.isOpen()
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    this.inner.put(key, value, windowStartMs)
    const topic = this.topic
    const logging = this.logging
    if (topic === null || logging === null) return
    const seqnum = this.options.retainDuplicates === true ? (this.seqnum = (this.seqnum + 1) | 0) : 0
    const changelogKey = windowChangelogKey(serializeKey(this.options.keySerde, topic, key, this.name), windowStartMs, seqnum)
    const valueBytes = value === null || value === undefined ? null : this.options.valueSerde.serialize(topic, value)
    logging.collector.send(topic, logging.partition, changelogKey, valueBytes, logging.timestampMs())
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
    const topic = this.topic ?? this.name
    for (const record of records) {
      if (record.key === null) continue
      const { key, windowStartMs } = parseWindowChangelogKey(record.key)
      this.inner.put(this.options.keySerde.deserialize(topic, key) as K, record.value === null ? null : this.options.valueSerde.deserialize(topic, record.value), windowStartMs)
    }
  }
}

export interface ChangeLoggingSessionStoreOptions<K, AGG> {
  /** Partition, collector and timestamp source of the changelog records. */
  readonly logging: ChangeLoggingSource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<AGG>
}

export class ChangeLoggingSessionStore<K, AGG> implements SessionStore<K, AGG>, ChangelogRestorable {
  readonly name: string
  readonly inner: SessionStore<K, AGG>
  private readonly options: ChangeLoggingSessionStoreOptions<K, AGG>
  private topic: string | null = null
  private logging: ChangeLoggingOptions | null = null

  constructor(inner: SessionStore<K, AGG>, options: ChangeLoggingSessionStoreOptions<K, AGG>) {
    this.name = inner.name
    this.inner = inner
    this.options = options
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  get retentionMs(): number {
    return this.inner.retentionMs
  }

  init(context: StateStoreContext): void {
    this.inner.init(context)
    this.topic = context.changelogTopic
    if (this.topic !== null) this.logging = typeof this.options.logging === 'function' ? this.options.logging(context) : this.options.logging
  }

  flush(): void {
    this.inner.flush()
  }

  close(): void {
    this.inner.close()
  }

  isOpen(): boolean {
    return this.inner.isOpen()
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.inner.put(sessionKey, aggregate)
    this.log(sessionKey, aggregate)
  }

  remove(sessionKey: Windowed<K>): void {
    this.inner.remove(sessionKey)
    this.log(sessionKey, null)
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
    const topic = this.topic ?? this.name
    for (const record of records) {
      if (record.key === null) continue
      const { key, startMs, endMs } = parseSessionChangelogKey(record.key)
      const sessionKey = new Windowed(this.options.keySerde.deserialize(topic, key) as K, new Window(startMs, endMs))
      if (record.value === null) this.inner.remove(sessionKey)
      else this.inner.put(sessionKey, this.options.valueSerde.deserialize(topic, record.value))
    }
  }

  private log(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    const topic = this.topic
    const logging = this.logging
    if (topic === null || logging === null) return
    const key = sessionChangelogKey(serializeKey(this.options.keySerde, topic, sessionKey.key, this.name), sessionKey.window.startMs, sessionKey.window.endMs)
    const valueBytes = aggregate === null || aggregate === undefined ? null : this.options.valueSerde.serialize(topic, aggregate)
    logging.collector.send(topic, logging.partition, key, valueBytes, logging.timestampMs())
  }
}
