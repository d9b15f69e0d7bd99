// ChangeLoggingKeyValueStore: wraps any KeyValueStore and sends every put and delete to the
// store's changelog (topic from `init`, partition = task partition) through the task's
// ChangelogCollector. Restore applies changelog records to the wrapped store without logging.
import type { KeyValueStore } from '../key-value-store.ts'
import type { KeyValue } from '../windowed.ts'
import type { ChangelogRecord } from './changelog-record.ts'
import { ChangeLoggingStore, type ChangeLoggingStoreOptions } from './change-logging-store.ts'

export type ChangeLoggingKeyValueStoreOptions<K, V> = ChangeLoggingStoreOptions<K, V>

export class ChangeLoggingKeyValueStore<K, V> extends ChangeLoggingStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {
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
    for (const record of records) {
      if (record.key === null) continue
      this.inner.put(this.deserializeKey(record.key), this.deserializeValue(record.value))
    }
  }
}
