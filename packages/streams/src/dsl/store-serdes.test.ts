// The serdes DSL stores are declared with, seen where they matter: the changelog records the
// Kafka runtime's change-logging stores write. A task of the user's topology runs with the
// runtime's store builders (persistent LMDB stores as with a stateDir, and the standby's logged
// in-memory stores); the test reads the changelog records it produced and checks Kafka Streams'
// byte layouts: key = the key serde's bytes (windowed: [key][start int64][seqnum int32]),
// value = [timestamp int64][value serde bytes].
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ProducerRecord } from '@tributary/client'
import { StreamsBuilder, Serdes } from '../index.ts'
import type { Serde } from '../serde/serde.ts'
import type { Topology } from '../topology/topology.ts'
import { StreamTask } from '../runtime/stream-task.ts'
import { CapturingLogger } from '../testing/index.ts'
import { taskStoreBuilders, type TaskStoreMode } from '../kafka/task-stores.ts'
import { TaskStateDirectory } from '../state/persistent/task-state-directory.ts'
import { TimeWindows } from './windows.ts'

const S = Serdes.String()
const applicationId = 'serdes-app'
const modes: readonly TaskStoreMode[] = ['persistent', 'logged-in-memory']

interface InputRecord {
  readonly key: Uint8Array | null
  readonly value: Uint8Array | null
  readonly timestamp: number
}

interface RunOptions {
  readonly mode: TaskStoreMode
  readonly defaultKeySerde?: Serde<any>
  readonly defaultValueSerde?: Serde<any>
}

/** Runs the topology's only sub-topology as task 0_0 with the runtime's store builders; returns the changelog records. */
async function changelogRecords(topology: Topology, topic: string, input: readonly InputRecord[], options: RunOptions): Promise<ProducerRecord[]> {
  const stateDir = await mkdtemp(join(tmpdir(), 'store-serdes-'))
  const output: ProducerRecord[] = []
  let directory: TaskStateDirectory | null = null
  try {
    const stores = taskStoreBuilders(topology.stores(), {
      mode: options.mode,
      output,
      systemTimeMs: () => 0,
      directoryFor: (taskId) => (directory ??= new TaskStateDirectory({ stateDir, applicationId, taskId })),
      defaultKeySerde: options.defaultKeySerde,
      defaultValueSerde: options.defaultValueSerde,
    })
    const runtimeTopology = Object.create(topology, { stores: { value: () => stores } }) as Topology
    const [subtopology, ...others] = topology.subtopologies()
    assert.equal(others.length, 0)
    const config = { applicationId, defaultKeySerde: options.defaultKeySerde, defaultValueSerde: options.defaultValueSerde, deserializationErrorPolicy: 'fail', processingErrorPolicy: 'fail', logger: new CapturingLogger(), systemTimeMs: () => 0 } as const
    const collector = { send: () => undefined }
    const task = new StreamTask({ topology: runtimeTopology, subtopology, partition: 0, config, collector, globalStores: new Map() })
    input.forEach((record, offset) => task.process({ topic, partition: 0, offset, headers: [], ...record }))
    task.close()
  } finally {
    await (directory as TaskStateDirectory | null)?.close()
    await rm(stateDir, { recursive: true, force: true })
  }
  return output.filter((record) => record.topic.endsWith('-changelog'))
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

function int64(value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt(value))
  return out
}

function int32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setInt32(0, value)
  return out
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

/** The changelog records as [topic, partition, key bytes, value bytes], comparable with deepEqual. */
function layout(records: readonly ProducerRecord[]): [string | undefined, number | undefined, number[], number[] | null][] {
  return records.map((record) => [record.topic, record.partition, [...(record.key as Uint8Array)], record.value === null || record.value === undefined ? null : [...(record.value as Uint8Array)]])
}

/** Upper-cases on the wire: distinguishable from Serdes.String() in the changelog. */
const upperCase: Serde<string> = { serialize: (_topic, data) => (data === null ? null : utf8(data.toUpperCase())), deserialize: (_topic, data) => (data === null ? null : new TextDecoder().decode(data).toLowerCase()) }

const expected = (topic: string, entries: [Uint8Array, Uint8Array][]) => layout(entries.map(([key, value]) => ({ topic, partition: 0, key: Buffer.from(key), value: Buffer.from(value) })))

describe('DSL stores log Kafka Streams changelog bytes', () => {
  for (const mode of modes) {
    test(`${mode}: count over String keys logs key = UTF-8 bytes, value = [timestamp int64][count int64]`, async () => {
      const builder = new StreamsBuilder()
      builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts' })
      const input = [
        { key: utf8('alice'), value: utf8('x'), timestamp: 1_000 },
        { key: utf8('alice'), value: utf8('y'), timestamp: 2_000 },
        { key: utf8('bob'), value: utf8('z'), timestamp: 1_500 },
      ]
      const records = await changelogRecords(builder.build(), 'clicks', input, { mode })
      assert.deepEqual(layout(records), expected(`${applicationId}-counts-changelog`, [
        [utf8('alice'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0, 1)],
        [utf8('alice'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0x07, 0xd0, 0, 0, 0, 0, 0, 0, 0, 2)],
        [utf8('bob'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0x05, 0xdc, 0, 0, 0, 0, 0, 0, 0, 1)],
      ]))
    })

    test(`${mode}: windowed count logs key = [key][window start int64][seqnum int32], value = [timestamp][count int64]`, async () => {
      const builder = new StreamsBuilder()
      builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)).count({ storeName: 'windowed-counts' })
      const input = [
        { key: utf8('alice'), value: utf8('x'), timestamp: 12_000 },
        { key: utf8('alice'), value: utf8('y'), timestamp: 15_000 },
        { key: utf8('alice'), value: utf8('z'), timestamp: 21_000 },
      ]
      const records = await changelogRecords(builder.build(), 'clicks', input, { mode })
      assert.deepEqual(layout(records), expected(`${applicationId}-windowed-counts-changelog`, [
        [concat(utf8('alice'), int64(10_000), int32(0)), concat(int64(12_000), int64(1))],
        [concat(utf8('alice'), int64(10_000), int32(0)), concat(int64(15_000), int64(2))],
        [concat(utf8('alice'), int64(20_000), int32(0)), concat(int64(21_000), int64(1))],
      ]))
    })
  }

  test('reduce logs the stream value serde; aggregate logs the Materialized value serde; keys use the Grouped key serde', async () => {
    const builder = new StreamsBuilder()
    const grouped = builder.stream<string, number>('amounts', { valueSerde: Serdes.Int() }).groupByKey({ keySerde: S })
    grouped.reduce((sum, value) => sum + value, { storeName: 'sums' })
    grouped.aggregate(() => '', (_key, value, text) => `${text}${value}`, { storeName: 'digits', valueSerde: S })
    const input = [
      { key: utf8('k'), value: int32(4), timestamp: 7 },
      { key: utf8('k'), value: int32(5), timestamp: 8 },
    ]
    const records = await changelogRecords(builder.build(), 'amounts', input, { mode: 'persistent', defaultKeySerde: upperCase })
    assert.deepEqual(layout(records.filter((record) => record.topic === `${applicationId}-sums-changelog`)), expected(`${applicationId}-sums-changelog`, [
      [utf8('k'), concat(int64(7), int32(4))],
      [utf8('k'), concat(int64(8), int32(9))],
    ]))
    assert.deepEqual(layout(records.filter((record) => record.topic === `${applicationId}-digits-changelog`)), expected(`${applicationId}-digits-changelog`, [
      [utf8('k'), concat(int64(7), utf8('4'))],
      [utf8('k'), concat(int64(8), utf8('45'))],
    ]))
  })

  test('with no serde in the DSL the configured default serdes are used', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('words').groupByKey().aggregate(() => '', (_key, value, text) => `${text}${value}`, { storeName: 'joined' })
    const input = [{ key: utf8('w'), value: utf8('ab'), timestamp: 3 }]
    const withDefaults = await changelogRecords(builder.build(), 'words', input, { mode: 'persistent', defaultKeySerde: S, defaultValueSerde: S })
    assert.deepEqual(layout(withDefaults), expected(`${applicationId}-joined-changelog`, [[utf8('w'), concat(int64(3), utf8('ab'))]]))
  })

  test('a Materialized key serde wins over the stream key serde', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts', keySerde: upperCase })
    const records = await changelogRecords(builder.build(), 'clicks', [{ key: utf8('ab'), value: utf8('x'), timestamp: 1 }], { mode: 'logged-in-memory' })
    assert.deepEqual(layout(records), expected(`${applicationId}-counts-changelog`, [[utf8('AB'), concat(int64(1), int64(1))]]))
  })
})
