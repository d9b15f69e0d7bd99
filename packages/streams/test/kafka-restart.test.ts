// KafkaStreams with a stateDir keeps its stores on disk (LMDB, one directory per task) and
// checkpoints the changelog offsets they reflect: a clean restart restores nothing, a lost
// stateDir is rebuilt from the changelog, and under exactly_once_v2 a killed instance's
// stores (which may hold uncommitted writes) are wiped and rebuilt from the committed changelog.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConsumerRecord } from '@tributary/client'
import { KafkaStreams, KafkaStreamsState, Serdes, StreamsBuilder, type KafkaStreamsConfig, type Topology } from '../src/index.ts'
import { consumeUntil, eventually, produce, useKafkaTarget } from './kafka-harness.ts'

const S = Serdes.String()
const L = Serdes.Long()
const encoder = new TextEncoder()

function wordCount(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('sentences', { keySerde: S, valueSerde: S })
    .flatMapValues((value) => value.split(' '))
    .groupBy((_key, word) => word, { name: 'words', keySerde: S, valueSerde: S })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('counts', { keySerde: S, valueSerde: L })
  return builder.build()
}

/** The topology of kafka-eos-worker.ts. */
function eosCount(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('eos-in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'eos-counts' }).toStream().to('eos-out', { keySerde: S, valueSerde: L })
  return builder.build()
}

function latest(topic: string, records: readonly ConsumerRecord[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const record of records) out.set(S.deserialize(topic, record.key!)!, L.deserialize(topic, record.value!)!)
  return out
}

function restoreOf(streams: KafkaStreams, store: string) {
  return Object.values(streams.metrics().restore).filter((progress) => progress.store === store)
}

function taskDirectories(stateDir: string, applicationId: string): string[] {
  const root = join(stateDir, applicationId)
  return existsSync(root) ? readdirSync(root).filter((name) => /^\d+_\d+$/.test(name)).map((name) => join(root, name)) : []
}

async function startRunning(topology: Topology, config: KafkaStreamsConfig): Promise<KafkaStreams> {
  const streams = new KafkaStreams(topology, config)
  await streams.start()
  await streams.waitForState(KafkaStreamsState.Running)
  return streams
}

describe('KafkaStreams with a stateDir: persistent stores, checkpoints, restore', () => {
  const kafkaTarget = useKafkaTarget()

  test('at_least_once: a clean restart restores 0 records; a deleted stateDir is rebuilt from the changelog', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    if (!broker.createsTopics) return context.skip(`${broker.name} cannot create internal topics`)
    await broker.createTopic('sentences', 2)
    await broker.createTopic('counts', 2)
    const stateDir = await mkdtemp(join(tmpdir(), 'restart-alos-'))
    context.after(() => rm(stateDir, { recursive: true, force: true }))
    const config: KafkaStreamsConfig = { applicationId: 'restart-alos', bootstrapServers: broker.bootstrapServers, stateDir, commitIntervalMs: 200, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } }
    const send = (sentences: string[], from: number) => produce(broker.bootstrapServers, sentences.map((sentence, index) => ({ topic: 'sentences', key: encoder.encode(`s${from + index}`), value: encoder.encode(sentence) })))
    const waitCounts = async (expected: Map<string, number>) => {
      const records = await consumeUntil(broker.bootstrapServers, 'counts', 2, (seen) => [...expected].every(([word, count]) => latest('counts', seen).get(word) === count))
      for (const [word, count] of expected) assert.equal(latest('counts', records).get(word), count, `count of ${word}`)
    }

    const first = await startRunning(wordCount(), config)
    context.after(() => first.close())
    const firstRestore = restoreOf(first, 'word-counts')
    assert.equal(firstRestore.length, 2, 'one restore per changelog partition')
    assert.ok(firstRestore.every((progress) => progress.restoredRecords === 0 && progress.done))
    await send(['a b a', 'b c', 'a', 'c c c'], 0)
    await waitCounts(new Map([['a', 3], ['b', 2], ['c', 4]]))
    await first.close()
    const checkpoints = taskDirectories(stateDir, 'restart-alos').filter((directory) => existsSync(join(directory, '.checkpoint')))
    assert.ok(checkpoints.length >= 2, `checkpoints written on a clean close: ${checkpoints.join(', ')}`)

    // (a) Same stateDir: the stores are on disk and the checkpoints cover the whole changelog.
    const second = await startRunning(wordCount(), config)
    context.after(() => second.close())
    const secondRestore = restoreOf(second, 'word-counts')
    assert.equal(secondRestore.length, 2)
    for (const progress of secondRestore) {
      assert.equal(progress.restoredRecords, 0, `${progress.topic}-${progress.partition} replayed nothing`)
      assert.equal(progress.totalRecords, 0, `${progress.topic}-${progress.partition} had nothing after its checkpoint`)
    }
    const store = second.store<string, number>('word-counts', 'keyValue')
    assert.deepEqual(store.all().map(({ key, value }) => [key, value]).sort(), [['a', 3], ['b', 2], ['c', 4]], 'state read from disk')
    await send(['a b', 'd'], 10)
    await waitCounts(new Map([['a', 4], ['b', 3], ['d', 1]]))
    await second.close()

    // (b) The stateDir is gone: every store is rebuilt from its changelog.
    await rm(stateDir, { recursive: true, force: true })
    const third = await startRunning(wordCount(), config)
    context.after(() => third.close())
    const thirdRestore = restoreOf(third, 'word-counts')
    const restored = thirdRestore.reduce((sum, progress) => sum + progress.restoredRecords, 0)
    assert.ok(restored >= 4, `restored ${restored} changelog records (at least one per word)`)
    assert.ok(thirdRestore.every((progress) => progress.done))
    const rebuilt = third.store<string, number>('word-counts', 'keyValue')
    assert.deepEqual(rebuilt.all().map(({ key, value }) => [key, value]).sort(), [['a', 4], ['b', 3], ['c', 4], ['d', 1]], 'state rebuilt from the changelog')
    await send(['c a'], 20)
    await waitCounts(new Map([['a', 5], ['c', 5]]))
    await third.close()
  })

  test('exactly_once_v2: after a kill -9 the stores are wiped and rebuilt from the committed changelog', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    if (!broker.enforcesTransactions) return context.skip(`${broker.name} does not enforce transactions`)
    const applicationId = 'restart-eos'
    await broker.createTopic('eos-in', 1)
    await broker.createTopic('eos-out', 1)
    const stateDir = await mkdtemp(join(tmpdir(), 'restart-eos-'))
    context.after(() => rm(stateDir, { recursive: true, force: true }))
    const worker = spawn(process.execPath, [join(import.meta.dirname, 'kafka-eos-worker.ts')], {
      env: { ...process.env, BOOTSTRAP: broker.bootstrapServers, STATE_DIR: stateDir, APPLICATION_ID: applicationId },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    context.after(() => worker.kill('SIGKILL'))
    await new Promise<void>((resolve) => worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('RUNNING') && resolve()))
    const keys = ['k0', 'k1', 'k2']
    const expected = new Map(keys.map((key) => [key, 0]))
    const sendRound = async (perKey: number) => {
      const records = []
      for (let round = 0; round < perKey; round++) {
        for (const key of keys) {
          records.push({ topic: 'eos-in', key: encoder.encode(key), value: encoder.encode('x') })
          expected.set(key, expected.get(key)! + 1)
        }
      }
      await produce(broker.bootstrapServers, records)
    }
    await sendRound(50)
    await consumeUntil(broker.bootstrapServers, 'eos-out', 1, (seen) => keys.every((key) => latest('eos-out', seen).get(key) === 50), { readCommitted: true })
    // More input, then a kill while (part of) it is processed but not committed.
    await sendRound(50)
    await new Promise((resolve) => setTimeout(resolve, 30))
    worker.kill('SIGKILL')
    await new Promise((resolve) => worker.once('exit', resolve))
    const [taskDirectory] = taskDirectories(stateDir, applicationId)
    assert.ok(taskDirectory !== undefined && existsSync(join(taskDirectory, 'lmdb')), 'the killed instance left its stores on disk')
    assert.ok(!existsSync(join(taskDirectory, '.checkpoint')), 'under exactly-once a running task has no checkpoint')

    const changelog = await consumeUntil(broker.bootstrapServers, `${applicationId}-eos-counts-changelog`, 1, () => false, { readCommitted: true, timeoutMs: 1_500 })
    const streams = await startRunning(eosCount(), { applicationId, bootstrapServers: broker.bootstrapServers, stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
    context.after(() => streams.close())
    const [progress] = restoreOf(streams, 'eos-counts')
    assert.ok(progress !== undefined && progress.done)
    assert.ok(progress.restoredRecords >= changelog.length && changelog.length > 0, `restored ${progress.restoredRecords} records from offset 0 (committed changelog had ${changelog.length} when the instance was down)`)
    const store = streams.store<string, number>('eos-counts', 'keyValue')
    // The worker's unfinished transaction is aborted (fenced) and the input redone: counts exact.
    await consumeUntil(broker.bootstrapServers, 'eos-out', 1, (seen) => keys.every((key) => latest('eos-out', seen).get(key) === 100), { readCommitted: true })
    await eventually(() => keys.every((key) => store.get(key) === 100), 'store counts 100 per key')
    await sendRound(10)
    const out = await consumeUntil(broker.bootstrapServers, 'eos-out', 1, (seen) => keys.every((key) => latest('eos-out', seen).get(key) === 110), { readCommitted: true })
    for (const key of keys) assert.equal(latest('eos-out', out).get(key), expected.get(key), `exact count of ${key}`)
    const committedValues = out.map((record) => `${S.deserialize('o', record.key!)}=${L.deserialize('o', record.value!)}`)
    assert.equal(new Set(committedValues).size, committedValues.length, 'no count emitted twice in committed output')
    await streams.close()
    assert.ok(existsSync(join(taskDirectory, '.checkpoint')), 'a clean close writes the checkpoint')
  })

  test('standby replicas with a stateDir read the persistent stores\' changelog format and take over', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    if (!broker.createsTopics) return context.skip(`${broker.name} cannot create internal topics`)
    const applicationId = 'restart-standby'
    await broker.createTopic('standby-in', 2)
    await broker.createTopic('standby-out', 2)
    const stateRoot = await mkdtemp(join(tmpdir(), 'restart-standby-'))
    context.after(() => rm(stateRoot, { recursive: true, force: true }))
    const topology = (): Topology => {
      const builder = new StreamsBuilder()
      builder.stream<string, string>('standby-in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'standby-counts' }).toStream().to('standby-out', { keySerde: S, valueSerde: L })
      return builder.build()
    }
    const launch = async (index: number): Promise<KafkaStreams> => {
      const streams = new KafkaStreams(topology(), { applicationId, bootstrapServers: broker.bootstrapServers, stateDir: join(stateRoot, `instance-${index}`), numStandbyReplicas: 1, commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
      context.after(() => streams.close())
      await streams.start()
      return streams
    }
    const first = await launch(0)
    await first.waitForState(KafkaStreamsState.Running)
    const second = await launch(1)
    await eventually(() => [first, second].every((streams) => streams.state === KafkaStreamsState.Running && streams.metrics().activeTasks === 1 && streams.metrics().standbyTasks === 1), 'one active and one standby task each', 30_000)
    const keys = Array.from({ length: 6 }, (_, index) => `k${index}`)
    const out = (records: readonly ConsumerRecord[]) => latest('standby-out', records)
    await produce(broker.bootstrapServers, keys.flatMap((key) => [1, 2, 3].map(() => ({ topic: 'standby-in', key: encoder.encode(key), value: encoder.encode('x') }))))
    await consumeUntil(broker.bootstrapServers, 'standby-out', 2, (records) => keys.every((key) => out(records).get(key) === 3))
    await new Promise((resolve) => setTimeout(resolve, 1_000)) // standbys poll every 50 ms
    await first.close()
    await eventually(() => second.state === KafkaStreamsState.Running && second.metrics().activeTasks === 2, 'the survivor runs both tasks', 30_000)
    const restored = restoreOf(second, 'standby-counts')
    assert.ok(restored.length === 2 && restored.every((progress) => progress.done && progress.restoredRecords === 0), `no replay at takeover: ${JSON.stringify(restored)}`)
    const store = second.store<string, number>('standby-counts', 'keyValue')
    for (const key of keys) assert.equal(store.get(key), 3, key)
    await produce(broker.bootstrapServers, keys.map((key) => ({ topic: 'standby-in', key: encoder.encode(key), value: encoder.encode('x') })))
    const final = await consumeUntil(broker.bootstrapServers, 'standby-out', 2, (records) => keys.every((key) => out(records).get(key) === 4))
    assert.deepEqual(keys.map((key) => out(final).get(key)), keys.map(() => 4))
    await second.close()
  })
})
