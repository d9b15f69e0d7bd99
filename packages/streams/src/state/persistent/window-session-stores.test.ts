// PersistentWindowStore and PersistentSessionStore: the contracts, expiry of old segments,
// reopening, and key order when one key is a prefix of another.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runWindowStoreContract } from '../window-store.contract.ts'
import { runSessionStoreContract } from '../session-store.contract.ts'
import { Window, Windowed } from '../windowed.ts'
import { Serdes } from '../../serde/serde.ts'
import { PersistentWindowStore } from './window-store.ts'
import { PersistentSessionStore } from './session-store.ts'
import { TaskStateDirectory } from './task-state-directory.ts'
import { contractDirectories } from './contract-directories.ts'

const { stateDir, contractDirectory, smallBufferDirectory } = contractDirectories('tributary-windows-')
let created = 0

runWindowStoreContract('persistent (lmdb)', (options) => new PersistentWindowStore({ name: `window-${created++}`, directory: contractDirectory, keySerde: Serdes.String(), valueSerde: Serdes.String(), ...options }))
runWindowStoreContract('persistent (lmdb, 2-record write buffer, 100 ms segments)', (options) => new PersistentWindowStore({ name: `window-${created++}`, directory: smallBufferDirectory, keySerde: Serdes.String(), valueSerde: Serdes.String(), segmentIntervalMs: 100, ...options }))
runSessionStoreContract('persistent (lmdb, 2-record write buffer, 50 ms segments)', (retentionMs) => new PersistentSessionStore({ name: `session-${created++}`, directory: smallBufferDirectory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs, segmentIntervalMs: 50 }))
runSessionStoreContract('persistent (lmdb)', (retentionMs) => new PersistentSessionStore({ name: `session-${created++}`, directory: contractDirectory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs }))

test('window store: windows survive reopening, observed stream time is recovered, old segments are deleted', async () => {
  const options = { stateDir, applicationId: 'app', taskId: '0_1' }
  const context = { applicationId: 'app', taskId: '0_1', changelogTopic: null }
  const create = (directory: TaskStateDirectory) => new PersistentWindowStore({ name: 'windows', directory, keySerde: Serdes.String(), valueSerde: Serdes.String(), retentionMs: 1000, windowSizeMs: 100, segmentIntervalMs: 500 })
  const directory = new TaskStateDirectory(options)
  const store = create(directory)
  store.init(context)
  store.put('a', 'a0', 0)
  store.put('a', 'a600', 600)
  store.put('ab', 'ab600', 600)
  store.put('a', 'a1500', 1500)
  store.close()
  await directory.close()

  const reopenedDirectory = new TaskStateDirectory(options)
  const reopened = create(reopenedDirectory)
  reopened.init(context)
  assert.deepEqual([...reopened.fetch('a', 0, 2000)], [{ timestamp: 600, value: 'a600' }, { timestamp: 1500, value: 'a1500' }])
  reopened.put('a', 'late', 400)
  assert.equal(reopened.fetch('a', 400), null, 'observed stream time 1500 was recovered: start 400 is expired')
  assert.deepEqual([...reopened.all()].map((entry) => `${entry.key.key}@${entry.key.window.startMs}`), ['a@600', 'ab@600', 'a@1500'])
  assert.equal(reopenedDirectory.database('windows').count(), 3, 'segment 0 (start 0) was deleted')
  reopened.close()
  await reopenedDirectory.close()
})

test('session store: a key that is a prefix of another sorts first; sessions survive reopening', async () => {
  const options = { stateDir, applicationId: 'app', taskId: '0_2' }
  const context = { applicationId: 'app', taskId: '0_2', changelogTopic: null }
  const create = (directory: TaskStateDirectory) => new PersistentSessionStore({ name: 'sessions', directory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs: 10_000 })
  const directory = new TaskStateDirectory(options)
  const store = create(directory)
  store.init(context)
  store.put(new Windowed('a\u0000', new Window(0, 1)), 1)
  store.put(new Windowed('a', new Window(5, 9)), 2)
  store.put(new Windowed('ab', new Window(0, 2)), 3)
  store.put(new Windowed('a', new Window(0, 3)), 4)
  assert.deepEqual([...store.all()].map((entry) => `${JSON.stringify(entry.key.key)}:${entry.key.window.endMs}`), ['"a":3', '"a":9', '"a\\u0000":1', '"ab":2'])
  store.close()
  await directory.close()
  const reopenedDirectory = new TaskStateDirectory(options)
  const reopened = create(reopenedDirectory)
  reopened.init(context)
  assert.deepEqual([...reopened.fetch('a')].map((entry) => entry.value), [4, 2])
  assert.equal(reopened.fetchSession('a\u0000', 0, 1), 1)
  reopened.close()
  await reopenedDirectory.close()
})

test('window store: dropping an expired segment larger than the write buffer deletes it in chunks', async () => {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '0_3', writeBuffer: { maxBufferedRecords: 3 } })
  const store = new PersistentWindowStore({ name: 'chunks', directory, keySerde: Serdes.String(), valueSerde: Serdes.String(), retentionMs: 1000, windowSizeMs: 100, segmentIntervalMs: 500 })
  store.init({ applicationId: 'app', taskId: '0_3', changelogTopic: null })
  for (let index = 0; index < 20; index++) store.put(`k${index}`, 'old', 100)
  store.put('k', 'kept', 900)
  assert.equal(directory.database('chunks').count(), 21)
  store.put('k', 'new', 1600)
  assert.equal(directory.database('chunks').count(), 2, 'segment 0 (starts 0-499) is gone')
  assert.deepEqual([...store.all()].map((entry) => entry.value), ['kept', 'new'])
  store.close()
  await directory.close()
})
