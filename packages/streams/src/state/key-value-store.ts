// KeyValueStore: the interface and its in-memory implementation. Range queries are inclusive at
// both ends and ordered by serialized key bytes.
import type { KeyValue } from './windowed.ts'
import type { StateStore } from './state-store.ts'
import { InMemoryStore } from './in-memory-store.ts'

/** A key-value state store (Kafka's KeyValueStore). A null value never gets stored. */
export interface KeyValueStore<K, V> extends StateStore {
  get(key: K): V | null
  /** Stores `value`; a null value deletes the key. */
  put(key: K, value: V | null): void
  /** Stores `value` only when the key is absent; returns the previous value. */
  putIfAbsent(key: K, value: V): V | null
  putAll(entries: Iterable<KeyValue<K, V | null>>): void
  /** Deletes the key and returns its old value. */
  delete(key: K): V | null
  /** Keys from `from` to `to`, both inclusive, ascending. Empty when from > to. */
  range(from: K, to: K): Iterable<KeyValue<K, V>>
  reverseRange(from: K, to: K): Iterable<KeyValue<K, V>>
  all(): Iterable<KeyValue<K, V>>
  reverseAll(): Iterable<KeyValue<K, V>>
  approximateNumEntries(): number
}

interface Entry<K, V> {
  key: K
  value: V
}

/** In-memory KeyValueStore: a hash map with a lazily sorted key index for range queries. */
export class InMemoryKeyValueStore<K, V> extends InMemoryStore<K> implements KeyValueStore<K, V> {
  private readonly entries = new Map<string | number, Entry<K, V>>()
  private sorted: Entry<K, V>[] | null = null

  get(key: K): V | null {
    this.checkOpen()
    const entry = this.entries.get(this.identity.id(key))
    return entry === undefined ? null : entry.value
  }

  put(key: K, value: V | null): void {
    this.checkOpen()
    const id = this.identity.id(key)
    if (value === null || value === undefined) {
      if (this.entries.delete(id)) this.sorted = null
      return
    }
    const entry = this.entries.get(id)
    if (entry === undefined) {
      this.entries.set(id, { key, value })
      this.sorted = null
    } else {
      entry.value = value
    }
  }

  putIfAbsent(key: K, value: V): V | null {
    const previous = this.get(key)
    if (previous === null) this.put(key, value)
    return previous
  }

  putAll(entries: Iterable<KeyValue<K, V | null>>): void {
    for (const entry of entries) this.put(entry.key, entry.value)
  }

  delete(key: K): V | null {
    const previous = this.get(key)
    this.put(key, null)
    return previous
  }

  range(from: K, to: K): KeyValue<K, V>[] {
    if (this.identity.compare(from, to) > 0) return []
    return this.index().filter((entry) => this.identity.compare(entry.key, from) >= 0 && this.identity.compare(entry.key, to) <= 0).map(copy)
  }

  reverseRange(from: K, to: K): KeyValue<K, V>[] {
    return this.range(from, to).reverse()
  }

  all(): KeyValue<K, V>[] {
    return this.index().map(copy)
  }

  reverseAll(): KeyValue<K, V>[] {
    return this.all().reverse()
  }

  approximateNumEntries(): number {
    return this.entries.size
  }

  private index(): Entry<K, V>[] {
    this.checkOpen()
    if (this.sorted === null) this.sorted = [...this.entries.values()].sort((left, right) => this.identity.compare(left.key, right.key))
    return this.sorted
  }
}

function copy<K, V>(entry: Entry<K, V>): KeyValue<K, V> {
  return { key: entry.key, value: entry.value }
}
