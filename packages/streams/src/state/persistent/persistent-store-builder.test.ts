// A real topology (count, windowed count, session count, stream-stream join buffers) run by
// StreamTask on persistent, changelogged stores built by persistentStoreBuilder: state survives
// a restart from disk, and a restore from the changelog into an empty directory rebuilds it.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StreamsBuilder } from '../../dsl/streams-builder.ts'
import { JoinWindows, SessionWindows, TimeWindows } from '../../dsl/windows.ts'
import { Serdes } from '../../serde/serde.ts'
import { StreamTask } from '../../runtime/stream-task.ts'
import type { Topology } from '../../topology/topology.ts'
import type { StoreBuilder } from '../state-store.ts'
import type { ChangelogRestorable } from '../changelog/changelog-record.ts'
import { InMemoryChangelog } from '../changelog/changelog-test-support.ts'
import { TaskStateManager } from '../changelog/task-state-manager.ts'
import { TaskStateDirectory } from './task-state-directory.ts'
import { persistentStoreBuilder } from './persistent-store-builder.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'tributary-task-'))
after(() => rmSync(stateDir, { recursive: true, force: true }))

function buildTopology(): Topology {
  const builder = new StreamsBuilder()
  const words = builder.stream<string, string>('words', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  words.groupByKey().count({ storeName: 'counts' })
  words.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count({ storeName: 'windowed' })
  words.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(500)).count({ storeName: 'sessions' })
  const other = builder.stream<string, string>('others', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  words.join(other, (left, right) => `${left}+${right}`, JoinWindows.ofTimeDifferenceWithNoGrace(1000)).to('joined', { valueSerde: Serdes.String() })
  return builder.build()
}

function runTask(stateRoot: string, changelog: InMemoryChangelog, persistent = true) {
  const topology = buildTopology()
  const [subtopology] = topology.subtopologies()
  const directory = new TaskStateDirectory({ stateDir: stateRoot, applicationId: 'app', taskId: `${subtopology.id}_0` })
  const stores = new Map<string, StoreBuilder>()
  let timestamp = 0
  for (const [name, builder] of persistent ? topology.stores() : []) {
    stores.set(name, persistentStoreBuilder(builder, { keySerde: Serdes.String() }, { directoryFor: () => directory, loggingFor: () => ({ partition: 0, collector: changelog, timestampMs: () => timestamp }) }))
  }
  const runtimeTopology = persistent ? (Object.create(topology, { stores: { value: () => stores } }) as Topology) : topology
  const sent: string[] = []
  const config = { applicationId: 'app', deserializationErrorPolicy: 'fail' as const, processingErrorPolicy: 'fail' as const, logger: { warn: () => {} }, systemTimeMs: () => 0 }
  const task = new StreamTask({ topology: runtimeTopology, subtopology, partition: 0, config, collector: { send: (topic, key, value) => sent.push(`${topic}:${Buffer.from(key!).toString()}=${Buffer.from(value!).toString()}`) }, globalStores: new Map() })
  let offset = 0
  const process = (topic: string, key: string, value: string, at: number) => {
    timestamp = at
    task.process({ topic, partition: 0, offset: offset++, key: Buffer.from(key), value: Buffer.from(value), timestamp: at, headers: [] })
  }
  return { task, directory, process, sent, topology }
}

const show = (task: StreamTask) => {
  const counts = task.store('counts') as unknown as { all(): Iterable<{ key: string; value: { value: number } }> }
  const windowed = task.store('windowed') as unknown as { all(): Iterable<{ key: { key: string; window: { startMs: number } }; value: { value: number } }> }
  const sessions = task.store('sessions') as unknown as { all(): Iterable<{ key: { key: string; window: { startMs: number; endMs: number } }; value: number }> }
  return {
    counts: [...counts.all()].map((entry) => `${entry.key}=${entry.value.value}`),
    windowed: [...windowed.all()].map((entry) => `${entry.key.key}@${entry.key.window.startMs}=${entry.value.value}`),
    sessions: [...sessions.all()].map((entry) => `${entry.key.key}@${entry.key.window.startMs}-${entry.key.window.endMs}=${JSON.stringify(entry.value)}`),
  }
}

test('a DSL topology keeps its state across a restart and rebuilds it from the changelog', async () => {
  const changelog = new InMemoryChangelog()
  const first = runTask(join(stateDir, 'a'), changelog)
  const inMemory = runTask(join(stateDir, 'unused'), new InMemoryChangelog(), false)
  for (const run of [first, inMemory]) {
    for (const [index, word] of ['x', 'y', 'x', 'x', 'z', 'y'].entries()) run.process('words', word, 'w', 100 + index * 300)
    run.process('others', 'x', 'o', 1500)
  }
  first.task.commit()
  const before = show(first.task)
  assert.deepEqual(before, show(inMemory.task), 'the persistent stores answer as the in-memory ones')
  assert.deepEqual(first.sent, inMemory.sent)
  assert.deepEqual(before.counts, ['x=3', 'y=2', 'z=1'])
  assert.deepEqual(before.windowed, ['x@1000=1', 'y@1000=1', 'z@1000=1'])
  assert.equal(before.sessions.length, 2, 'sessions older than gap + grace expired')
  assert.ok(first.sent.includes('joined:x=w+o'), 'the join found the buffered left record')
  first.task.close()
  await first.directory.close()

  const second = runTask(join(stateDir, 'a'), new InMemoryChangelog())
  assert.deepEqual(show(second.task), before, 'reopened from disk')
  second.process('words', 'x', 'w', 1700)
  assert.deepEqual(show(second.task).counts, ['x=4', 'y=2', 'z=1'])
  assert.ok(second.sent.includes('joined:x=w+o'), 'the join buffer of the right side survived the restart')
  second.task.close()
  await second.directory.close()

  const third = runTask(join(stateDir, 'b'), new InMemoryChangelog())
  const manager = new TaskStateManager({ directory: third.directory, exactlyOnce: false })
  manager.begin()
  const registrations = third.task.storeRegistrations().map((registration) => ({ store: registration.store as unknown as ChangelogRestorable, topicPartition: { topic: registration.changelogTopic!, partition: 0 } }))
  assert.deepEqual(registrations.map((registration) => registration.topicPartition.topic).sort(), ['app-KSTREAM-JOINOTHER-0000000008-store-changelog', 'app-KSTREAM-JOINTHIS-0000000007-store-changelog', 'app-counts-changelog', 'app-sessions-changelog', 'app-windowed-changelog'].sort())
  await manager.restore(registrations, changelog)
  assert.deepEqual(show(third.task), before, 'restored from the changelog')
  third.task.close()
  await third.directory.close()
})
