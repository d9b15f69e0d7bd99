// The caching stores: they must still pass the store contracts (key-value, window and session;
// with a roomy cache, with a cache so small that nearly every write is evicted at once, and over
// persistent stores), keep the latest value per key until flushed, write and forward each dirty
// key once per flush, and evict in LRU order.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { runKeyValueStoreContract } from '../key-value-store.contract.ts'
import { runWindowStoreContract } from '../window-store.contract.ts'
import { runSessionStoreContract } from '../session-store.contract.ts'
import { InMemorySessionStore } from '../session-store.ts'
import { CachingSessionStore } from './caching-session-store.ts'
import { InMemoryKeyValueStore } from '../key-value-store.ts'
import { InMemoryWindowStore } from '../window-store.ts'
import { Serdes } from '../../serde/serde.ts'
import type { Windowed } from '../windowed.ts'
import { CachingKeyValueStore } from './caching-key-value-store.ts'
import { CachingWindowStore } from './caching-window-store.ts'
import { ENTRY_OVERHEAD_BYTES, ThreadCache, estimateBytes } from './thread-cache.ts'
import { contractDirectories } from '../persistent/contract-directories.ts'
import { PersistentKeyValueStore } from '../persistent/key-value-store.ts'
import { PersistentWindowStore } from '../persistent/window-store.ts'
import { PersistentSessionStore } from '../persistent/session-store.ts'

const S = Serdes.String()
const context = { applicationId: 'cache', taskId: '0_0', changelogTopic: null }

for (const [label, maxBytes] of [['10 MiB', 10 * 1024 * 1024], ['300 bytes (constant eviction)', 300]] as const) {
  runKeyValueStoreContract(`cached in-memory, cache ${label}`, () => new CachingKeyValueStore(new InMemoryKeyValueStore<string, string>('kv', S), { cache: new ThreadCache(maxBytes), keySerde: S }))
  runWindowStoreContract(`cached in-memory, cache ${label}`, (options) => {
    const inner = new InMemoryWindowStore<string, string>({ name: 'window', keySerde: S, ...options })
    // Stores retaining duplicates are never cached (as in Kafka): the contract runs them bare.
    return options.retainDuplicates ? inner : new CachingWindowStore(inner, { cache: new ThreadCache(maxBytes), keySerde: S })
  })
  runSessionStoreContract(`cached in-memory, cache ${label}`, (retentionMs) => new CachingSessionStore(new InMemorySessionStore<string, number>('session', S, retentionMs), { cache: new ThreadCache(maxBytes), keySerde: S }))
}

// Over a persistent store the cache also keeps read hits (clean entries), and the store's reads
// merge its write buffer and database: the contracts must hold through both layers.
const { smallBufferDirectory } = contractDirectories('tributary-cached-')
let created = 0
runKeyValueStoreContract('cached persistent (lmdb, 2-record write buffer), cache 300 bytes', () => new CachingKeyValueStore(new PersistentKeyValueStore({ name: `kv-${created++}`, directory: smallBufferDirectory, keySerde: S, valueSerde: S }), { cache: new ThreadCache(300), keySerde: S }))
runWindowStoreContract('cached persistent (lmdb, 2-record write buffer), cache 300 bytes', (options) => {
  const inner = new PersistentWindowStore<string, string>({ name: `window-${created++}`, directory: smallBufferDirectory, keySerde: S, valueSerde: S, segmentIntervalMs: 100, ...options })
  return options.retainDuplicates ? inner : new CachingWindowStore(inner, { cache: new ThreadCache(300), keySerde: S })
})
runSessionStoreContract('cached persistent (lmdb, 2-record write buffer), cache 300 bytes', (retentionMs) => new CachingSessionStore(new PersistentSessionStore<string, number>({ name: `session-${created++}`, directory: smallBufferDirectory, keySerde: S, valueSerde: Serdes.Long(), retentionMs, segmentIntervalMs: 50 }), { cache: new ThreadCache(300), keySerde: S }))

/** A key-value store whose writes are recorded, to see what reaches the store behind the cache. */
class RecordingStore extends InMemoryKeyValueStore<string, string> {
  readonly writes: string[] = []
  override put(key: string, value: string | null): void {
    this.writes.push(`${key}=${value}`)
    super.put(key, value)
  }
}

function cachedKeyValue(name: string, cache: ThreadCache): { store: CachingKeyValueStore<string, string>; inner: RecordingStore; forwarded: string[] } {
  const inner = new RecordingStore(name, S)
  const store = new CachingKeyValueStore<string, string>(inner, { cache, keySerde: S })
  const forwarded: string[] = []
  store.setFlushListener((key, newValue, oldValue, contextValue) => forwarded.push(`${key}:${oldValue}->${newValue}@${String(contextValue)}`), () => `ctx-${name}`)
  store.init(context)
  return { store, inner, forwarded }
}

/** The size of a cache entry with a 2-character key and value. */
const entryBytes = ENTRY_OVERHEAD_BYTES + estimateBytes('k1') + estimateBytes('v1')

describe('CachingKeyValueStore', () => {
  test('updates of a key between flushes reach the store and the listener once, with the value held before', () => {
    const { store, inner, forwarded } = cachedKeyValue('a', new ThreadCache(1 << 20))
    store.put('k', '1')
    store.put('k', '2')
    store.put('j', '1')
    store.put('k', '3')
    assert.deepEqual(inner.writes, [])
    assert.equal(store.get('k'), '3', 'reads see the cache')
    assert.deepEqual([...store.all()].map((entry) => `${entry.key}=${entry.value}`), ['j=1', 'k=3'])
    store.flush()
    assert.deepEqual(inner.writes, ['j=1', 'k=3'], 'one write per dirty key, in the order of their last writes')
    assert.deepEqual(forwarded, ['j:null->1@ctx-a', 'k:null->3@ctx-a'])
    store.put('k', '4')
    store.delete('j')
    store.flush()
    assert.deepEqual(forwarded.slice(2), ['k:3->4@ctx-a', 'j:1->null@ctx-a'])
    assert.equal(inner.get('j'), null)
    store.flush()
    assert.equal(forwarded.length, 4, 'a flush with nothing dirty forwards nothing')
  })

  test('a key put and deleted between flushes is never written nor forwarded (nothing to retract)', () => {
    const { store, inner, forwarded } = cachedKeyValue('a', new ThreadCache(1 << 20))
    store.put('k', '1')
    store.delete('k')
    assert.equal(store.get('k'), null)
    store.flush()
    assert.deepEqual(forwarded, [])
    assert.deepEqual(inner.writes, ['k=null'], 'the tombstone still reaches the store (and its changelog)')
  })

  test('eviction follows least-recent use across stores and writes every dirty entry of the evicted store', () => {
    const cache = new ThreadCache(3 * entryBytes)
    const a = cachedKeyValue('a', cache)
    const b = cachedKeyValue('b', cache)
    a.store.put('a1', 'v1')
    b.store.put('b1', 'v1')
    a.store.put('a2', 'v1')
    assert.equal(cache.sizeBytes, 3 * entryBytes)
    assert.equal(a.store.get('a1'), 'v1') // a1 is now the most recently used: LRU order b1, a2, a1
    b.store.put('b2', 'v1') // over budget: b1 is the eldest
    assert.deepEqual(b.inner.writes, ['b1=v1', 'b2=v1'], "evicting b1 writes all of b's dirty entries")
    assert.deepEqual(b.forwarded, ['b1:null->v1@ctx-b', 'b2:null->v1@ctx-b'])
    assert.deepEqual(a.inner.writes, [], 'the other store keeps its dirty entries')
    a.store.put('a3', 'v1') // LRU order a2, a1, b2, a3: a2 goes
    assert.deepEqual(a.inner.writes, ['a1=v1', 'a2=v1', 'a3=v1'], 'dirty entries are written in the order of their last writes (a read does not count)')
    assert.equal(cache.evictions, 2)
    assert.equal(cache.sizeBytes, 3 * entryBytes)
    assert.equal(a.store.get('a2'), 'v1', 'an evicted key is read from the store behind the cache')
    a.store.flush()
    b.store.flush()
    assert.deepEqual(a.inner.writes, ['a1=v1', 'a2=v1', 'a3=v1'], 'entries written at eviction are clean: no second write')
  })

  test('evicting a clean entry writes nothing: the dirty ones wait for their flush', () => {
    const cache = new ThreadCache(2 * entryBytes)
    const { store, inner } = cachedKeyValue('a', cache)
    store.put('a1', 'v1')
    store.flush() // a1 is clean now, and still cached
    store.put('a2', 'v1')
    store.put('a3', 'v1') // over budget: a1 (clean) is the eldest
    assert.deepEqual(inner.writes, ['a1=v1'])
    assert.equal(cache.entries, 2)
    store.flush()
    assert.deepEqual(inner.writes, ['a1=v1', 'a2=v1', 'a3=v1'])
  })

  test('close drops the cache without writing it (a task closes after its commit, or dirty to be rebuilt)', () => {
    const cache = new ThreadCache(1 << 20)
    const { store, inner, forwarded } = cachedKeyValue('a', cache)
    store.put('k', '1')
    store.close()
    assert.deepEqual(inner.writes, [])
    assert.deepEqual(forwarded, [])
    assert.equal(cache.sizeBytes, 0)
    assert.equal(cache.entries, 0)
  })
})

describe('CachingWindowStore', () => {
  test('one write per dirty window per flush, forwarded with its Windowed key; expired windows are neither cached nor read', () => {
    const writes: string[] = []
    class RecordingWindowStore extends InMemoryWindowStore<string, string> {
      override put(key: string, value: string | null, start: number): void {
        writes.push(`${key}@${start}=${value}`)
        super.put(key, value, start)
      }
    }
    const inner = new RecordingWindowStore({ name: 'w', keySerde: S, retentionMs: 100, windowSizeMs: 10 })
    const store = new CachingWindowStore<string, string>(inner, { cache: new ThreadCache(1 << 20), keySerde: S })
    const forwarded: string[] = []
    store.setFlushListener((key: Windowed<string>, newValue, oldValue) => forwarded.push(`${key.toString()}:${oldValue}->${newValue}`), () => null)
    store.init(context)
    store.put('k', '1', 0)
    store.put('k', '2', 0)
    store.put('k', '1', 10)
    assert.equal(store.fetch('k', 0), '2')
    assert.deepEqual(store.fetch('k', 0, 10).map((entry) => `${entry.timestamp}=${entry.value}`), ['0=2', '10=1'])
    assert.deepEqual(store.fetchAll(0, 10).map((entry) => `${entry.key.toString()}=${entry.value}`), ['[k@0/10]=2', '[k@10/20]=1'])
    store.flush()
    assert.deepEqual(writes, ['k@0=2', 'k@10=1'])
    assert.deepEqual(forwarded, ['[k@0/10]:null->2', '[k@10/20]:null->1'])
    store.put('k', '9', 200) // observed stream time 200: windows starting at or before 100 expire
    assert.equal(store.fetch('k', 0), null)
    assert.deepEqual(store.fetchAll(0, 300).map((entry) => entry.key.window.startMs), [200])
    store.put('k', 'late', 50)
    assert.equal(store.fetch('k', 50), null, 'a put into an expired window is dropped, as by the store itself')
  })
})
