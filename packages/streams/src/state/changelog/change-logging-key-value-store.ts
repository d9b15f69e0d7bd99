// ChangeLoggingKeyValueStore: wraps any KeyValueStore and sends every put and delete to the
// store's changelog (topic from `init`, partition = task partition) through the task's
// ChangelogCollector. Restore applies changelog records to the wrapped store without logging.
import type { KeyValueStore } from '../key-value-store.ts'
import type { KeyValue } from '../windowed.ts'
import type { StateStoreContext } from '../state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import type { ChangeLoggingOptions, ChangeLoggingSource, ChangelogRecord, ChangelogRestorable } from './changelog-record.ts'

export interface ChangeLoggingKeyValueStoreOptions<K, V> {
  /** Partition, collector and timestamp source of the changelog records. */
  readonly logging: ChangeLoggingSource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export class ChangeLoggingKeyValueStore<K, V> implements KeyValueStore<K, V>, ChangelogRestorable {
  readonly name: string
  readonly inner: KeyValueStore<K, V>
  private readonly options: ChangeLoggingKeyValueStoreOptions<K, V>
  private topic: string | null = null
  private logging: ChangeLoggingOptions | null = null

  constructor(inner: KeyValueStore<K, V>, options: ChangeLoggingKeyValueStoreOptions<K, V>) {
    this.name = inner.name
    this.inner = inner
    this.options = options
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  init(context: StateStoreContext): void {
    this.inner.init(context)
    this.topic = context.changelogTopic
    if (this.topic !== null) this.logging = typeof this.options.logging === 'function' ? this.options.logging(context) : this.options.logging
  }

  /** The changelog topic, or null when logging is disabled. */
  changelogTopic(): string | null {
    return this.topic
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

  get(key: K): V | null {
    return this.inner.get(key)
  }

  put(key: K, value: V | null): void {
    this.inner.put(key, value)
    this.log(key, value)
  }

  putIfAbsent(key: K, value: V): V | null {
    const previous = this.inner.putIfAbsent(key, value)
    if (previous === null) this.log(key, value)
    return previous
  }

  putAll(entries: Iterable<KeyValue<K, V | null>>): void {
    for (const entry of entries) this.put(entry.key, entry.value)
  }

  delete(key: K): V | null {
    const previous = this.inner.delete(key)
    this.log(key, null)
    return previous
  }

  range(from: K, to: K): Iterable<KeyValue<K, V>> {
    return this.inner.range(from, to)
  }

  reverseRange(from: K, to: K): Iterable<KeyValue<K, V>> {
    return this.inner.reverseRange(from, to)
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.inner.all()
  }

  reverseAll(): Iterable<KeyValue<K, V>> {
    return this.inner.reverseAll()
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries()
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    const topic = this.topic ?? this.name
    for (const record of records) {
      if (record.key === null) continue
      const key = this.options.keySerde.deserialize(topic, record.key) as K
      this.inner.put(key, record.value === null ? null : this.options.valueSerde.deserialize(topic, record.value))
    }
  }

  private log(key: K, value: V | null): void {
    const topic = this.topic
    const logging = this.logging
    if (topic === null || logging === null) return
    const keyBytes = this.options.keySerde.serialize(topic, key)
    if (keyBytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': key serialized to null`)
    const valueBytes = value === null || value === undefined ? null : this.options.valueSerde.serialize(topic, value)
    logging.collector.send(topic, logging.partition, keyBytes, valueBytes, logging.timestampMs())
  }
}
