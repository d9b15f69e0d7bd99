// KafkaStreams end to end on a real broker, at-least-once, one instance: a word count with a
// repartition topic and a changelogged count store; restart rebuilds the store from its
// changelog; interactive queries read the local store.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerRecord } from '@tributary/client'
import { KafkaStreams, KafkaStreamsState, Serdes, StreamsBuilder, type Topology } from '../src/index.ts'
import { consumeUntil, eventually, produce, startKafkaTarget, type KafkaTarget } from './kafka-harness.ts'

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

function latestCounts(records: readonly ConsumerRecord[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const record of records) latest.set(S.deserialize('counts', record.key!)!, L.deserialize('counts', record.value!)!)
  return latest
}

describe('KafkaStreams at_least_once, one instance', () => {
  let target: KafkaTarget | { skip: string }
  before(async () => {
    target = await startKafkaTarget()
  })
  after(async () => {
    if (!('skip' in target)) await target.close()
  })

  test('word count: repartition, changelog, output, IQ, restart restores from the changelog', async (context) => {
    if ('skip' in target) return context.skip(target.skip)
    const broker = target
    const applicationId = 'wordcount'
    await broker.createTopic('sentences', 2)
    await broker.createTopic('counts', 2)
    if (!broker.createsTopics) {
      await broker.createTopic(`${applicationId}-words-repartition`, 2)
      await broker.createTopic(`${applicationId}-word-counts-changelog`, 2)
    }
    const config = { applicationId, bootstrapServers: broker.bootstrapServers, commitIntervalMs: 200, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } }
    const first = new KafkaStreams(wordCount(), config)
    context.after(() => first.close())
    const states: string[] = []
    first.setStateListener((next) => states.push(next))
    await first.start()
    await first.waitForState(KafkaStreamsState.Running)
    const sentences = ['a b a', 'b c', 'a', 'c c c']
    await produce(broker.bootstrapServers, sentences.map((sentence, index) => ({ topic: 'sentences', key: encoder.encode(`s${index}`), value: encoder.encode(sentence) })))
    const expected = new Map([['a', 3], ['b', 2], ['c', 4]])
    const records = await consumeUntil(broker.bootstrapServers, 'counts', 2, (seen) => [...expected].every(([word, count]) => latestCounts(seen).get(word) === count))
    assert.deepEqual(latestCounts(records), expected)
    const store = first.store<string, number>('word-counts', 'keyValue')
    await eventually(() => store.get('c') === 4, 'IQ sees c=4')
    assert.equal(store.get('a'), 3)
    assert.deepEqual(store.all().map(({ key, value }) => [key, value]).sort(), [['a', 3], ['b', 2], ['c', 4]])
    assert.ok(first.metrics().recordsIn >= sentences.length + 9, `records in: ${first.metrics().recordsIn}`)
    await first.close()
    assert.deepEqual(states.slice(0, 2), ['REBALANCING', 'RUNNING'])
    assert.equal(states.at(-1), 'NOT_RUNNING')

    // A new instance (no local state) restores the counts from the changelog and continues.
    const second = new KafkaStreams(wordCount(), config)
    context.after(() => second.close())
    await second.start()
    await second.waitForState(KafkaStreamsState.Running)
    const restored = Object.values(second.metrics().restore).reduce((sum, progress) => sum + progress.restoredRecords, 0)
    assert.ok(restored >= 3, `restored ${restored} changelog records`)
    assert.equal(second.store<string, number>('word-counts', 'keyValue').get('a'), 3)
    await produce(broker.bootstrapServers, [{ topic: 'sentences', key: encoder.encode('s9'), value: encoder.encode('a b') }])
    const more = await consumeUntil(broker.bootstrapServers, 'counts', 2, (seen) => latestCounts(seen).get('a') === 4 && latestCounts(seen).get('b') === 3)
    assert.equal(latestCounts(more).get('a'), 4)
    assert.equal(latestCounts(more).get('b'), 3)
    await second.close()
  })
})
