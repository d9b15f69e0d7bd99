// Standby replicas: with numStandbyReplicas = 1 each instance keeps a warm copy of the other's
// task state; when one instance leaves, the other activates those tasks without replaying their
// changelogs from the start, and its answers stay correct.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerRecord } from '@tributary/client'
import { KafkaStreams, KafkaStreamsState, Serdes, StreamsBuilder, type Topology } from '../src/index.ts'
import { consumeUntil, eventually, produce, useKafkaTarget } from './kafka-harness.ts'

const S = Serdes.String()
const L = Serdes.Long()
const encoder = new TextEncoder()

function counting(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('standby-in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'standby-counts' }).toStream().to('standby-out', { keySerde: S, valueSerde: L })
  return builder.build()
}

function latest(records: readonly ConsumerRecord[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const record of records) out.set(S.deserialize('t', record.key!)!, L.deserialize('t', record.value!)!)
  return out
}

describe('KafkaStreams standby replicas', () => {
  const kafkaTarget = useKafkaTarget()

  test('a warm standby takes over without a full changelog replay', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    const applicationId = 'standby'
    await broker.createTopic('standby-in', 2)
    await broker.createTopic('standby-out', 2)
    if (!broker.createsTopics) await broker.createTopic(`${applicationId}-standby-counts-changelog`, 2)
    const launch = async (): Promise<KafkaStreams> => {
      const streams = new KafkaStreams(counting(), { applicationId, bootstrapServers: broker.bootstrapServers, numStandbyReplicas: 1, commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
      context.after(() => streams.close())
      await streams.start()
      return streams
    }
    const first = await launch()
    await first.waitForState(KafkaStreamsState.Running)
    const second = await launch()
    await eventually(() => [first, second].every((streams) => streams.state === KafkaStreamsState.Running && streams.metrics().activeTasks === 1 && streams.metrics().standbyTasks === 1), 'one active and one standby task each', 30_000)
    const keys = Array.from({ length: 10 }, (_, index) => `k${index}`)
    await produce(broker.bootstrapServers, keys.flatMap((key) => [1, 2, 3].map(() => ({ topic: 'standby-in', key: encoder.encode(key), value: encoder.encode('x') }))))
    const initial = await consumeUntil(broker.bootstrapServers, 'standby-out', 2, (records) => keys.every((key) => latest(records).get(key) === 3))
    assert.deepEqual([...latest(initial).values()], keys.map(() => 3))
    await new Promise((resolve) => setTimeout(resolve, 1_000)) // standbys poll every 50 ms
    await first.close()
    await eventually(() => second.state === KafkaStreamsState.Running && second.metrics().activeTasks === 2, 'the survivor runs both tasks', 30_000)
    const restored = Object.values(second.metrics().restore).filter((progress) => progress.store === 'standby-counts')
    assert.equal(restored.length, 2)
    assert.ok(restored.every((progress) => progress.done), JSON.stringify(restored))
    const replayed = restored.reduce((sum, progress) => sum + progress.restoredRecords, 0)
    assert.equal(replayed, 0, `changelog records replayed at takeover: ${JSON.stringify(restored)}`)
    const store = second.store<string, number>('standby-counts', 'keyValue')
    for (const key of keys) assert.equal(store.get(key), 3, key)
    await produce(broker.bootstrapServers, keys.map((key) => ({ topic: 'standby-in', key: encoder.encode(key), value: encoder.encode('x') })))
    const final = await consumeUntil(broker.bootstrapServers, 'standby-out', 2, (records) => keys.every((key) => latest(records).get(key) === 4))
    assert.deepEqual([...latest(final).values()], keys.map(() => 4), 'output of the promoted task is written')
    await eventually(() => keys.every((key) => store.get(key) === 4), 'counts continue from the standby state')
  })
})
