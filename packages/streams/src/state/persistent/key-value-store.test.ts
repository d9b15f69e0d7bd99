// PersistentKeyValueStore: the KeyValueStore contract, reopen after close, byte order of keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runKeyValueStoreContract } from '../key-value-store.contract.ts'
import { Serdes } from '../../serde/serde.ts'
import { PersistentKeyValueStore } from './key-value-store.ts'
import { TaskStateDirectory } from './task-state-directory.ts'
import { contractDirectories } from './contract-directories.ts'

const { stateDir, contractDirectory, smallBufferDirectory } = contractDirectories('tributary-kv-')
let created = 0

runKeyValueStoreContract('persistent (lmdb)', () => new PersistentKeyValueStore({ name: `kv-${created++}`, directory: contractDirectory, keySerde: Serdes.String(), valueSerde: Serdes.String() }))
// A 2-record write buffer commits to LMDB every other write, so reads merge buffer and database.
runKeyValueStoreContract('persistent (lmdb, 2-record write buffer)', () => new PersistentKeyValueStore({ name: `kv-${created++}`, directory: smallBufferDirectory, keySerde: Serdes.String(), valueSerde: Serdes.String() }))

const context = { applicationId: 'app', taskId: '1_2', changelogTopic: null }

test('data survives closing and reopening the task directory', async () => {
  const options = { stateDir, applicationId: 'app', taskId: '1_2' }
  const directory = new TaskStateDirectory(options)
  const store = new PersistentKeyValueStore({ name: 'counts', directory, keySerde: Serdes.String(), valueSerde: Serdes.Long() })
  store.init(context)
  for (let index = 0; index < 2500; index++) store.put(`key-${index}`, index)
  store.delete('key-7')
  store.close()
  await directory.close()
  assert.equal(store.isOpen(), false)

  const reopenedDirectory = new TaskStateDirectory(options)
  const reopened = new PersistentKeyValueStore({ name: 'counts', directory: reopenedDirectory, keySerde: Serdes.String(), valueSerde: Serdes.Long() })
  reopened.init(context)
  assert.equal(reopened.get('key-2499'), 2499)
  assert.equal(reopened.get('key-7'), null)
  assert.equal(reopened.approximateNumEntries(), 2499)
  assert.deepEqual([...reopened.range('key-10', 'key-1001')].map((entry) => entry.key), ['key-10', 'key-100', 'key-1000', 'key-1001'])
  reopened.close()
  await reopenedDirectory.close()
})

test('Long keys range in serialized order (negatives last), across buffered and committed writes', async () => {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '1_3', writeBuffer: { maxBufferedRecords: 3 } })
  const store = new PersistentKeyValueStore({ name: 'longs', directory, keySerde: Serdes.Long(), valueSerde: Serdes.String() })
  store.init({ ...context, taskId: '1_3' })
  for (const key of [3, -1, 0, 10, -5]) store.put(key, String(key))
  assert.deepEqual([...store.all()].map((entry) => entry.key), [0, 3, 10, -5, -1])
  assert.deepEqual([...store.reverseAll()].map((entry) => entry.key), [-1, -5, 10, 3, 0])
  store.put(3, null)
  assert.deepEqual([...store.range(0, 10)].map((entry) => entry.key), [0, 10])
  store.close()
  await directory.close()
})

test('writing while iterating: the iteration sees a consistent view and writes land', async () => {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '1_5', writeBuffer: { maxBufferedRecords: 4 } })
  const store = new PersistentKeyValueStore({ name: 'iterate', directory, keySerde: Serdes.String(), valueSerde: Serdes.Long() })
  store.init({ ...context, taskId: '1_5' })
  for (let index = 0; index < 20; index++) store.put(`k${String(index).padStart(2, '0')}`, index)
  const seen: string[] = []
  for (const entry of store.all()) {
    seen.push(entry.key)
    store.put(entry.key, entry.value * 10)
    store.put(`z${entry.key}`, 0)
  }
  assert.equal(seen.length >= 20, true)
  assert.deepEqual(seen.slice(0, 20), Array.from({ length: 20 }, (_, index) => `k${String(index).padStart(2, '0')}`))
  assert.equal(store.get('k19'), 190)
  assert.equal(store.approximateNumEntries(), 40)
  store.close()
  await directory.close()
})

test('a store left open when its directory closes refuses use, even after the directory reopens', async () => {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '1_6' })
  const stale = new PersistentKeyValueStore({ name: 'stale', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() })
  stale.init({ ...context, taskId: '1_6' })
  stale.put('a', '1')
  await directory.close()
  assert.equal(stale.isOpen(), false)
  const fresh = new PersistentKeyValueStore({ name: 'stale', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() })
  fresh.init({ ...context, taskId: '1_6' })
  assert.equal(fresh.get('a'), '1', 'the close committed the buffered write')
  assert.throws(() => stale.get('a'), { code: 'STREAMS_STORE_CLOSED' })
  assert.throws(() => new PersistentKeyValueStore({ name: 'other', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }).init(context), { code: 'STREAMS_INVALID_ARGUMENT' }, 'a store of task 1_6 cannot be initialized for task 1_2')
  fresh.close()
  await directory.close()
})

test('a key over LMDB\'s size limit is a clear error', async () => {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '1_4' })
  const store = new PersistentKeyValueStore({ name: 'big', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() })
  store.init({ ...context, taskId: '1_4' })
  assert.throws(() => store.put('x'.repeat(5000), 'v'), { code: 'STREAMS_INVALID_ARGUMENT' })
  store.close()
  await directory.close()
})
