// ChangeLoggingStore: what every change-logging wrapper shares. It delegates the lifecycle to the
// wrapped store, resolves the changelog topic and logging options at `init`, and turns a typed
// key and value into one changelog record (the subclass shapes the changelog key: plain, windowed
// or session). Restore goes to the wrapped store directly, so restored records are not logged.
import type { StateStore, StateStoreContext } from '../state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import type { ChangeLoggingOptions, ChangeLoggingSource, ChangelogRecord, ChangelogRestorable } from './changelog-record.ts'

export interface ChangeLoggingStoreOptions<K, V> {
  /** Partition, collector and timestamp source of the changelog records. */
  readonly logging: ChangeLoggingSource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export abstract class ChangeLoggingStore<S extends StateStore, K, V> implements StateStore, ChangelogRestorable {
  readonly name: string
  readonly inner: S
  protected readonly keySerde: Serde<K>
  protected readonly valueSerde: Serde<V>
  readonly #loggingSource: ChangeLoggingSource
  #topic: string | null = null
  #logging: ChangeLoggingOptions | null = null

  constructor(inner: S, options: ChangeLoggingStoreOptions<K, V>) {
    this.name = inner.name
    this.inner = inner
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.#loggingSource = options.logging
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  init(context: StateStoreContext): void {
    this.inner.init(context)
    this.#topic = context.changelogTopic
    if (this.#topic !== null) this.#logging = typeof this.#loggingSource === 'function' ? this.#loggingSource(context) : this.#loggingSource
  }

  /** The changelog topic, or null when logging is disabled. */
  changelogTopic(): string | null {
    return this.#topic
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

  abstract restoreBatch(records: readonly ChangelogRecord[]): void

  /** The topic restored records' keys and values are deserialized with (the store name when logging is off). */
  protected get restoreTopic(): string {
    return this.#topic ?? this.name
  }

  protected deserializeKey(bytes: Uint8Array): K {
    return this.keySerde.deserialize(this.restoreTopic, bytes) as K
  }

  protected deserializeValue(bytes: Uint8Array | null): V | null {
    return bytes === null ? null : this.valueSerde.deserialize(this.restoreTopic, bytes)
  }

  /**
   * Sends `key` → `value` (null: a tombstone) to the changelog when logging is enabled.
   * `changelogKey` wraps the serialized key (window start, seqnum, session bounds); it is only
   * called when a record is sent.
   */
  protected log(key: K, value: V | null, changelogKey: (keyBytes: Uint8Array) => Uint8Array = (keyBytes) => keyBytes): void {
    const topic = this.#topic
    const logging = this.#logging
    if (topic === null || logging === null) return
    const keyBytes = this.keySerde.serialize(topic, key)
    if (keyBytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': key serialized to null`)
    const valueBytes = value === null || value === undefined ? null : this.valueSerde.serialize(topic, value)
    logging.collector.send(topic, logging.partition, changelogKey(keyBytes), valueBytes, logging.timestampMs())
  }
}
