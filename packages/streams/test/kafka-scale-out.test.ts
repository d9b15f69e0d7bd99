// Several KafkaStreams instances in one group with the streams assignor: tasks spread over the
// instances, results stay correct through scale-out 1 → 3 → 2, and every instance's
// queryMetadataForKey points at the instance whose local store holds the key.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerRecord } from '@tributary/client'
import { KafkaStreams, KafkaStreamsError, KafkaStreamsState, Serdes, StreamsBuilder, type Topology } from '../src/index.ts'
import { consumeUntil, eventually, freePort, produce, useKafkaTarget } from './kafka-harness.ts'

const S = Serdes.String()
const L = Serdes.Long()
const encoder = new TextEncoder()
const partitions = 4

function wordCount(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('scale-sentences', { keySerde: S, valueSerde: S })
    .flatMapValues((value) => value.split(' '))
    .groupBy((_key, word) => word, { name: 'words', keySerde: S, valueSerde: S })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('scale-counts', { keySerde: S, valueSerde: L })
  return builder.build()
}

function latestCounts(records: readonly ConsumerRecord[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const record of records) latest.set(S.deserialize('c', record.key!)!, L.deserialize('c', record.value!)!)
  return latest
}

const words = Array.from({ length: 12 }, (_, index) => `w${index}`)

describe('KafkaStreams scale-out with the streams assignor', () => {
  const kafkaTarget = useKafkaTarget()

  test('1 → 3 → 2 instances: balanced tasks, correct counts, key metadata follows the owner', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    const applicationId = 'scale'
    await broker.createTopic('scale-sentences', partitions)
    await broker.createTopic('scale-counts', partitions)
    if (!broker.createsTopics) {
      await broker.createTopic(`${applicationId}-words-repartition`, partitions)
      await broker.createTopic(`${applicationId}-word-counts-changelog`, partitions)
    }
    const instances: KafkaStreams[] = []
    const launch = async (index: number): Promise<KafkaStreams> => {
      const streams = new KafkaStreams(wordCount(), { applicationId, bootstrapServers: broker.bootstrapServers, applicationServer: `127.0.0.1:${await freePort()}`, queryableStores: { 'word-counts': S }, commitIntervalMs: 200, sessionTimeoutMs: 6_000, logger: { warn: (line: string) => { if (process.env.DEBUG_KS) console.log(`[${index}] ${line}`) } } })
      if (process.env.DEBUG_KS) streams.setStateListener((next, previous) => console.log(`[${index}] ${previous} -> ${next}`))
      context.after(() => streams.close())
      instances.push(streams)
      await streams.start()
      return streams
    }
    let round = 0
    const expected = new Map<string, number>()
    const produceRound = async (): Promise<void> => {
      round++
      await produce(broker.bootstrapServers, words.map((word, index) => ({ topic: 'scale-sentences', key: encoder.encode(`r${round}-${index}`), value: encoder.encode(`${word} ${word}`) })))
      for (const word of words) expected.set(word, (expected.get(word) ?? 0) + 2)
      const seen = await consumeUntil(broker.bootstrapServers, 'scale-counts', partitions, (records) => words.every((word) => latestCounts(records).get(word) === expected.get(word)), { timeoutMs: 30_000 })
      assert.deepEqual(latestCounts(seen), expected)
    }
    const settled = async (live: KafkaStreams[]): Promise<void> => {
      await eventually(() => live.every((streams) => streams.state === KafkaStreamsState.Running && Object.keys(streams.hosts()).length === live.length), `${live.length} instances running with one assignment`, 40_000)
      const loads = live.map((streams) => streams.metrics().activeTasks)
      assert.equal(loads.reduce((a, b) => a + b, 0), 2 * partitions, `active tasks ${loads}`)
      assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced: ${loads}`)
    }
    const checkRouting = async (live: KafkaStreams[]): Promise<void> => {
      const byHost = new Map(live.map((streams) => [streams.config.applicationServer!, streams]))
      for (const word of words) {
        const answers = live.map((streams) => streams.queryMetadataForKey('word-counts', word, S).activeHost)
        assert.equal(new Set(answers).size, 1, `instances agree on the host of ${word}: ${answers}`)
        const owner = byHost.get(answers[0]!)
        assert.ok(owner !== undefined, `host ${answers[0]} is live`)
        await eventually(() => owner.store<string, number>('word-counts', 'keyValue').get(word) === expected.get(word), `${word} readable on its owner`)
        // Any instance answers, locally or by forwarding to the owner over HTTP.
        for (const streams of live) assert.equal(await streams.queryKey<string, number>('word-counts', word, S), expected.get(word), `${word} via ${streams.config.applicationServer}`)
        const viaHttp = await fetch(`http://${live[0].config.applicationServer}/v1/stores/word-counts/keys/${Buffer.from(word).toString('base64url')}`)
        const body = (await viaHttp.json()) as { value: number; host: string }
        assert.deepEqual([viaHttp.status, body.value, body.host], [200, expected.get(word), answers[0]])
      }
    }

    // Let every instance commit what it processed before the group changes (librdkafka's mock
    // refuses OffsetCommit while a rebalance is being prepared, so work not yet committed would
    // be redone by the next owner: at-least-once duplicates).
    const quiesce = async (live: KafkaStreams[]): Promise<void> => {
      const before = live.map((streams) => streams.metrics().commits)
      await eventually(() => live.every((streams, index) => streams.metrics().commits >= before[index] + 2), 'two commits on every instance')
    }

    const early = new KafkaStreams(wordCount(), { applicationId, bootstrapServers: broker.bootstrapServers })
    assert.throws(() => early.store('word-counts', 'keyValue'), (error: unknown) => error instanceof KafkaStreamsError && error.retriable && /retry/.test(error.message))
    await launch(0)
    await settled(instances)
    await produceRound()
    await checkRouting(instances)
    await quiesce(instances)

    await launch(1)
    await launch(2)
    await settled(instances)
    await produceRound()
    await checkRouting(instances)
    await quiesce(instances)

    await instances[2].close()
    const live = instances.slice(0, 2)
    await settled(live)
    await produceRound()
    await checkRouting(live)
  })
})
