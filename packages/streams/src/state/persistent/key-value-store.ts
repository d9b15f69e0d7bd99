// PersistentKeyValueStore: a KeyValueStore in one LMDB named database of the task's state
// directory. Keys are stored as [0x01][serialized key] so LMDB's byte order is the serialized
// key order range queries promise; values are the value serde's bytes.
import type { KeyValueStore } from '../key-value-store.ts'
import type { KeyValue } from '../windowed.ts'
import { decodeKeyValueKey, encodeKeyValueKey } from './key-encoding.ts'
import { PersistentStore, type PersistentStoreOptions } from './persistent-store.ts'

export type PersistentKeyValueStoreOptions<K, V> = PersistentStoreOptions<K, V>

const firstKey = Buffer.from([0x01])
const lastKey = Buffer.alloc(1978, 0xff)
const lookupScratch = Buffer.alloc(256, 0x01)

export class PersistentKeyValueStore<K, V> extends PersistentStore<K, V> implements KeyValueStore<K, V> {
  get(key: K): V | null {
    const stored = this.open().get(this.lookupKey(key))
    return stored === null ? null : this.valueSerde.deserialize(this.name, stored)
  }

  put(key: K, value: V | null): void {
    const database = this.open()
    const storedKey = this.encodeKey(key)
    database.put(storedKey, value === null || value === undefined ? null : this.serializeValue(value))
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
    if (previous !== null) this.put(key, null)
    return previous
  }

  range(from: K, to: K): Iterable<KeyValue<K, V>> {
    return this.scan(this.encodeKey(from), this.encodeKey(to), false)
  }

  reverseRange(from: K, to: K): Iterable<KeyValue<K, V>> {
    return this.scan(this.encodeKey(from), this.encodeKey(to), true)
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.scan(firstKey, lastKey, false)
  }

  reverseAll(): Iterable<KeyValue<K, V>> {
    return this.scan(firstKey, lastKey, true)
  }

  approximateNumEntries(): number {
    return this.open().count()
  }

  private *scan(start: Buffer, endInclusive: Buffer, reverse: boolean): Generator<KeyValue<K, V>> {
    const database = this.open()
    for (const entry of database.range(start, endInclusive, reverse)) {
      yield { key: this.keySerde.deserialize(this.name, decodeKeyValueKey(entry.key)) as K, value: this.valueSerde.deserialize(this.name, entry.value) as V }
    }
  }

  private encodeKey(key: K): Buffer {
    return encodeKeyValueKey(this.serializeKey(key), this.name)
  }

  /** The stored key in a scratch buffer: for lookups only (LMDB copies it; never retained). */
  private lookupKey(key: K): Buffer {
    const bytes = this.keySerde.serialize(this.name, key)
    if (bytes === null || bytes.length + 1 > lookupScratch.length) return this.encodeKey(key)
    lookupScratch.set(bytes, 1)
    return lookupScratch.subarray(0, bytes.length + 1)
  }
}
