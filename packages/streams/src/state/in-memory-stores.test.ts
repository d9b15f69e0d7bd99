// Runs the store contracts against the in-memory implementations, plus key-order specifics.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runKeyValueStoreContract } from './key-value-store.contract.ts'
import { runWindowStoreContract } from './window-store.contract.ts'
import { runSessionStoreContract } from './session-store.contract.ts'
import { InMemoryKeyValueStore } from './key-value-store.ts'
import { InMemoryWindowStore } from './window-store.ts'
import { InMemorySessionStore } from './session-store.ts'
import { Serdes } from '../serde/serde.ts'

runKeyValueStoreContract('in-memory', () => new InMemoryKeyValueStore('kv', Serdes.String()))
runWindowStoreContract('in-memory', (options) => new InMemoryWindowStore({ name: 'window', keySerde: Serdes.String(), ...options }))
runSessionStoreContract('in-memory', (retentionMs) => new InMemorySessionStore('session', Serdes.String(), retentionMs))

test('Long keys range in serialized (big-endian two\'s complement) order: negatives last', () => {
  const store = new InMemoryKeyValueStore<number, string>('longs', Serdes.Long())
  store.init({ applicationId: 'a', taskId: '0_0', changelogTopic: null })
  for (const key of [3, -1, 0, 10, -5]) store.put(key, String(key))
  assert.deepEqual([...store.all()].map((entry) => entry.key), [0, 3, 10, -5, -1])
})

test('JSON keys are identified and ordered by their bytes', () => {
  const store = new InMemoryKeyValueStore<{ id: number }, string>('objects', Serdes.Json())
  store.init({ applicationId: 'a', taskId: '0_0', changelogTopic: null })
  store.put({ id: 2 }, 'two')
  store.put({ id: 1 }, 'one')
  store.put({ id: 2 }, 'deux')
  assert.equal(store.get({ id: 2 }), 'deux')
  assert.deepEqual([...store.all()].map((entry) => entry.value), ['one', 'deux'])
})
