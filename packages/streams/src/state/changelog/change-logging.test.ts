// Changelogging stores: records sent per put/delete (topic, partition, Kafka's key layouts),
// restore rebuilding identical contents, checkpoint skip, and the exactly-once wipe protocol.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { Serdes } from '../../serde/serde.ts'
import { Window, Windowed } from '../windowed.ts'
import { InMemoryKeyValueStore } from '../key-value-store.ts'
import { TaskStateDirectory } from '../persistent/task-state-directory.ts'
import { PersistentStores } from '../persistent/persistent-stores.ts'
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.ts'
import { InMemoryChangelog } from './changelog-test-support.ts'
import { parseSessionChangelogKey, parseWindowChangelogKey } from './changelog-record.ts'
import { CheckpointFile } from './checkpoint-file.ts'
import { formatRestoreProgress, restoreStore, type StoreRestoreProgress } from './restore.ts'
import { TaskStateManager } from './task-state-manager.ts'
import { valueAndTimestampSerde } from './value-and-timestamp-serde.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'tributary-changelog-'))
after(() => rmSync(stateDir, { recursive: true, force: true }))
const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'))
let taskCounter = 0

function openTask(taskId = `0_${taskCounter++}`) {
  const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId, writeBuffer: { maxBufferedRecords: 50 } })
  const context = { applicationId: 'app', taskId, changelogTopic: 'app-counts-changelog' }
  return { directory, context, taskId }
}

describe('changelog records', () => {
  test('key-value puts and deletes go to <app>-<store>-changelog, task partition, store key bytes', async () => {
    const changelog = new InMemoryChangelog()
    const { directory, context } = openTask()
    let timestamp = 100
    const store = PersistentStores.keyValueStore({ name: 'counts', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }, { partition: 3, collector: changelog, timestampMs: () => timestamp })
    store.init(context)
    store.put('a', '1')
    timestamp = 200
    store.delete('a')
    assert.equal(store.putIfAbsent('b', '2'), null)
    assert.equal(store.putIfAbsent('b', '3'), '2', 'a putIfAbsent that writes nothing logs nothing')
    assert.deepEqual(changelog.records.map((record) => [record.topic, record.partition, text(record.key), text(record.value), record.timestamp]), [
      ['app-counts-changelog', 3, 'a', '1', 100],
      ['app-counts-changelog', 3, 'a', null, 200],
      ['app-counts-changelog', 3, 'b', '2', 200],
    ])
    store.close()
    await directory.close()
  })

  test('a store without a changelog topic (logging disabled) sends nothing', () => {
    const changelog = new InMemoryChangelog()
    const store = new ChangeLoggingKeyValueStore(new InMemoryKeyValueStore<string, string>('s', Serdes.String()), { logging: { partition: 0, collector: changelog, timestampMs: () => 0 }, keySerde: Serdes.String(), valueSerde: Serdes.String() })
    store.init({ applicationId: 'app', taskId: '0_0', changelogTopic: null })
    store.put('a', '1')
    assert.equal(store.get('a'), '1')
    assert.equal(changelog.records.length, 0)
  })

  test('window changelog keys are [key][start int64][seqnum int32]; session keys [key][end][start]', async () => {
    const changelog = new InMemoryChangelog()
    const { directory, context } = openTask()
    const logging = { partition: 1, collector: changelog, timestampMs: () => 5 }
    const windows = PersistentStores.windowStore({ name: 'windows', directory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs: 10_000, windowSizeMs: 100, retainDuplicates: true }, logging)
    windows.init({ ...context, changelogTopic: 'app-windows-changelog' })
    windows.put('k', 1, 300)
    windows.put('k', 2, 300)
    const sessions = PersistentStores.sessionStore({ name: 'sessions', directory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs: 10_000 }, logging)
    sessions.init({ ...context, changelogTopic: 'app-sessions-changelog' })
    sessions.put(new Windowed('s', new Window(10, 20)), 7)
    sessions.remove(new Windowed('s', new Window(10, 20)))
    const [first, second, session, tombstone] = changelog.records
    assert.equal(first.key!.length, 1 + 12)
    assert.deepEqual({ ...parseWindowChangelogKey(first.key!), key: text(parseWindowChangelogKey(first.key!).key) }, { key: 'k', windowStartMs: 300, seqnum: 1 })
    assert.equal(parseWindowChangelogKey(second.key!).seqnum, 2, 'duplicates get distinct changelog keys')
    assert.deepEqual(Buffer.from(session.key!).subarray(1).toString('hex'), '0000000000000014' + '000000000000000a')
    assert.deepEqual({ ...parseSessionChangelogKey(session.key!), key: text(parseSessionChangelogKey(session.key!).key) }, { key: 's', startMs: 10, endMs: 20 })
    assert.equal(tombstone.value, null)
    assert.equal(session.topic, 'app-sessions-changelog')
    windows.close()
    sessions.close()
    await directory.close()
  })
})

test('timestamped values use Kafka\'s layout: [timestamp int64][value bytes]', () => {
  const serde = valueAndTimestampSerde(Serdes.Long())
  const bytes = serde.serialize('t', { value: 5, timestamp: 7 })!
  assert.equal(Buffer.from(bytes).toString('hex'), '0000000000000007' + '0000000000000005')
  assert.deepEqual(serde.deserialize('t', bytes), { value: 5, timestamp: 7 })
  assert.equal(serde.serialize('t', null), null)
})

describe('restore', () => {
  test('property: restoring a key-value changelog rebuilds identical contents, in bounded batches', async () => {
    const operation = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'dd', ''), value: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null }) })
    await fc.assert(fc.asyncProperty(fc.array(operation, { maxLength: 120 }), fc.integer({ min: 1, max: 17 }), async (operations, batchSize) => {
      const changelog = new InMemoryChangelog()
      const source = openTask()
      const logging = { partition: 0, collector: changelog, timestampMs: () => 0 }
      const original = PersistentStores.keyValueStore({ name: 'counts', directory: source.directory, keySerde: Serdes.String(), valueSerde: Serdes.Long() }, logging)
      original.init(source.context)
      for (const { key, value } of operations) original.put(key, value)
      const target = openTask()
      const restored = PersistentStores.keyValueStore({ name: 'counts', directory: target.directory, keySerde: Serdes.String(), valueSerde: Serdes.Long() }, logging)
      restored.init(target.context)
      const batches: number[] = []
      const result = await restoreStore(restored, changelog, { topicPartition: { topic: 'app-counts-changelog', partition: 0 }, checkpointOffset: null, maxRecordsPerBatch: batchSize, onProgress: (progress) => batches.push(progress.restoredRecords) })
      assert.deepEqual([...restored.all()], [...original.all()])
      assert.equal(result.restoredRecords, operations.length)
      assert.equal(result.lastOffset, operations.length === 0 ? null : operations.length - 1)
      for (let index = 1; index < batches.length; index++) assert.ok(batches[index] - batches[index - 1] <= batchSize)
      await source.directory.destroy()
      await target.directory.destroy()
    }), { numRuns: 25 })
  })

  test('window and session stores restore from their changelogs; gaps in offsets are skipped', async () => {
    const changelog = new InMemoryChangelog()
    const source = openTask()
    const logging = { partition: 2, collector: changelog, timestampMs: () => 0 }
    const windowOptions = { name: 'windows', keySerde: Serdes.String(), valueSerde: valueAndTimestampSerde(Serdes.Long()), retentionMs: 1000, windowSizeMs: 100 }
    const windows = PersistentStores.windowStore({ ...windowOptions, directory: source.directory }, logging)
    windows.init({ ...source.context, changelogTopic: 'app-windows-changelog' })
    const sessions = PersistentStores.sessionStore({ name: 'sessions', directory: source.directory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs: 1000 }, logging)
    sessions.init({ ...source.context, changelogTopic: 'app-sessions-changelog' })
    const windowTopic = { topic: 'app-windows-changelog', partition: 2 }
    for (let index = 0; index < 40; index++) {
      windows.put(`k${index % 3}`, { value: index, timestamp: index * 10 }, (index % 7) * 100)
      if (index % 10 === 0) changelog.skipOffsets(windowTopic, 2)
      sessions.put(new Windowed(`s${index % 4}`, new Window(index * 10, index * 10 + 5)), index)
      if (index % 5 === 0) sessions.remove(new Windowed(`s${index % 4}`, new Window(index * 10, index * 10 + 5)))
    }
    changelog.skipOffsets(windowTopic, 1)
    const target = openTask()
    const restoredWindows = PersistentStores.windowStore({ ...windowOptions, directory: target.directory }, logging)
    restoredWindows.init({ ...target.context, changelogTopic: 'app-windows-changelog' })
    const restoredSessions = PersistentStores.sessionStore({ name: 'sessions', directory: target.directory, keySerde: Serdes.String(), valueSerde: Serdes.Long(), retentionMs: 1000 }, logging)
    restoredSessions.init({ ...target.context, changelogTopic: 'app-sessions-changelog' })
    const result = await restoreStore(restoredWindows, changelog, { topicPartition: windowTopic, checkpointOffset: null, maxRecordsPerBatch: 7 })
    await restoreStore(restoredSessions, changelog, { topicPartition: { topic: 'app-sessions-changelog', partition: 2 }, checkpointOffset: null })
    assert.equal(result.restoredRecords, 40)
    assert.equal(result.endOffset, 40 + 8 + 1)
    const show = (entries: Iterable<{ key: Windowed<string>; value: unknown }>) => [...entries].map((entry) => `${entry.key.key}@${entry.key.window.startMs}-${entry.key.window.endMs}=${JSON.stringify(entry.value)}`)
    assert.ok(show(windows.all()).length > 0)
    assert.deepEqual(show(restoredWindows.all()), show(windows.all()))
    assert.deepEqual(show(restoredSessions.all()), show(sessions.all()))
    await source.directory.destroy()
    await target.directory.destroy()
  })

  test('a restore from a checkpoint applies only the records after it', async () => {
    const changelog = new InMemoryChangelog()
    const source = openTask()
    const logging = { partition: 0, collector: changelog, timestampMs: () => 0 }
    const store = PersistentStores.keyValueStore({ name: 'counts', directory: source.directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }, logging)
    store.init(source.context)
    for (let index = 0; index < 10; index++) store.put(`k${index}`, `v${index}`)
    // A target that already reflects offsets 0..5 except that k0 was changed locally: a restore
    // from checkpoint 5 must not touch k0..k5.
    const target = openTask()
    const restored = PersistentStores.keyValueStore({ name: 'counts', directory: target.directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }, { ...logging, collector: new InMemoryChangelog() })
    restored.init(target.context)
    for (let index = 0; index <= 5; index++) restored.put(`k${index}`, index === 0 ? 'local' : `v${index}`)
    const progress: StoreRestoreProgress[] = []
    const result = await restoreStore(restored, changelog, { topicPartition: { topic: 'app-counts-changelog', partition: 0 }, checkpointOffset: 5, onProgress: (update) => progress.push(update) })
    assert.equal(result.restoredRecords, 4)
    assert.equal(result.lastOffset, 9)
    assert.equal(restored.get('k0'), 'local')
    assert.equal(restored.get('k9'), 'v9')
    assert.equal(restored.approximateNumEntries(), 10)
    assert.deepEqual(progress.map((update) => [update.restoredRecords, update.totalRecords]), [[0, 4], [4, 4]])
    assert.equal(formatRestoreProgress(progress[1], 10), '[##########] 100% 4/4 counts (app-counts-changelog-0)')
    assert.equal(formatRestoreProgress({ ...progress[1], restoredRecords: 2, position: 8 }, 4), '[##--]  50% 2/4 counts (app-counts-changelog-0)')
    await source.directory.destroy()
    await target.directory.destroy()
  })
})

describe('checkpoints and the task state protocol', () => {
  test('checkpoint files round-trip, are replaced atomically, and a corrupt one is a clear error', () => {
    const path = join(stateDir, 'cp-test')
    const file = new CheckpointFile(path)
    assert.equal(file.read(), null)
    file.write([{ topic: 'app-a-changelog', partition: 0, offset: 41 }, { topic: 'app-b-changelog', partition: 3, offset: 7 }])
    assert.equal(readFileSync(path, 'utf8'), '1\n2\napp-a-changelog 0 41\napp-b-changelog 3 7\n')
    assert.deepEqual([...file.read()!.values()], [{ topic: 'app-a-changelog', partition: 0, offset: 41 }, { topic: 'app-b-changelog', partition: 3, offset: 7 }])
    file.write([])
    assert.equal(file.read()!.size, 0)
    writeFileSync(path, '1\n3\napp-a-changelog 0 41\n')
    assert.throws(() => file.read(), /corrupt/)
    file.delete()
    assert.equal(file.read(), null)
  })

  async function runTask(taskId: string, exactlyOnce: boolean, changelog: InMemoryChangelog, work: (store: ReturnType<typeof PersistentStores.keyValueStore<string, string>>) => void, closeCleanly: boolean) {
    const { directory, context } = openTask(taskId)
    const manager = new TaskStateManager({ directory, exactlyOnce })
    const wiped = manager.begin()
    const store = PersistentStores.keyValueStore({ name: 'counts', directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }, { partition: 0, collector: changelog, timestampMs: () => 0 })
    store.init(context)
    const before = changelog.reads
    const [result] = await manager.restore([{ store, topicPartition: { topic: 'app-counts-changelog', partition: 0 } }], changelog)
    const readsDuringRestore = changelog.reads - before
    const sentBefore = changelog.records.length
    work(store)
    for (const record of changelog.records.slice(sentBefore)) manager.changelogRecordAcknowledged(record, record.offset)
    store.flush()
    manager.committed()
    const checkpointAfterCommit = directory.checkpoint.read()
    if (closeCleanly) manager.closedCleanly()
    store.close()
    await directory.close()
    return { wiped, result, readsDuringRestore, checkpointAfterCommit, directory }
  }

  test('exactly-once: a clean close checkpoints, the next start restores nothing and deletes the checkpoint while processing', async () => {
    const changelog = new InMemoryChangelog()
    const first = await runTask('9_0', true, changelog, (store) => { store.put('a', '1'); store.put('b', '2') }, true)
    assert.equal(first.wiped, true, 'first start under EOS: no checkpoint')
    assert.equal(first.checkpointAfterCommit, null, 'EOS never checkpoints on commit')
    assert.deepEqual([...first.directory.checkpoint.read()!.values()], [{ topic: 'app-counts-changelog', partition: 0, offset: 1 }])

    const second = await runTask('9_0', true, changelog, (store) => {
      assert.equal(store.get('a'), '1', 'state came from disk')
      store.put('c', '3')
    }, false)
    assert.equal(second.wiped, false)
    assert.equal(second.result.restoredRecords, 0)
    assert.equal(second.readsDuringRestore, 0, 'checkpoint 1 = end offset - 1: nothing to read')
    assert.equal(second.directory.checkpoint.read(), null, 'deleted while processing, and the dirty close wrote none')

    // The crashed run may have left writes of an aborted transaction: 'zombie' is on disk but not
    // in the changelog. The next start wipes the stores and restores everything.
    const crashed = openTask('9_0')
    const leftover = PersistentStores.keyValueStore({ name: 'counts', directory: crashed.directory, keySerde: Serdes.String(), valueSerde: Serdes.String() }, { partition: 0, collector: new InMemoryChangelog(), timestampMs: () => 0 })
    leftover.init(crashed.context)
    leftover.put('zombie', 'x')
    leftover.close()
    await crashed.directory.close()
    const third = await runTask('9_0', true, changelog, (store) => {
      assert.equal(store.get('zombie'), null, 'wiped')
      assert.deepEqual([...store.all()].map((entry) => `${entry.key}=${entry.value}`), ['a=1', 'b=2', 'c=3'])
    }, true)
    assert.equal(third.wiped, true)
    assert.equal(third.result.restoredRecords, 3)
  })

  test('at-least-once: checkpoints after each commit; no checkpoint means restore from the start without a wipe', async () => {
    const changelog = new InMemoryChangelog()
    const first = await runTask('9_1', false, changelog, (store) => store.put('a', '1'), false)
    assert.equal(first.wiped, false)
    assert.deepEqual([...first.checkpointAfterCommit!.values()], [{ topic: 'app-counts-changelog', partition: 0, offset: 0 }])
    const second = await runTask('9_1', false, changelog, (store) => store.put('b', '2'), false)
    assert.equal(second.result.restoredRecords, 0)
    first.directory.checkpoint.delete()
    const third = await runTask('9_1', false, changelog, (store) => {
      assert.deepEqual([...store.all()].map((entry) => entry.key), ['a', 'b'])
    }, true)
    assert.equal(third.wiped, false)
    assert.equal(third.result.restoredRecords, 2, 'replayed over the existing data')
  })
})
