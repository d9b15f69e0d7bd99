// KafkaStreams end to end on a real broker, at-least-once, one instance: a word count with a
// repartition topic and a changelogged count store; restart rebuilds the store from its
// changelog; interactive queries read the local store.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerRecord } from '@tributary/client'
import { DeadLetterHeader, KafkaStreams, KafkaStreamsState, Serdes, StreamsBuilder, type Topology } from '../src/index.ts'
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

function latestCounts(records: readonly ConsumerRecord[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const record of records) latest.set(S.deserialize('counts', record.key!)!, L.deserialize('counts', record.value!)!)
  return latest
}

describe('KafkaStreams at_least_once, one instance', () => {
  const kafkaTarget = useKafkaTarget()

  test('word count: repartition, changelog, output, IQ, restart restores from the changelog', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
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

  test('error policies on Kafka: dead-letter topic with source coordinates, counted drops, metrics', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    await broker.createTopic('amounts', 1)
    await broker.createTopic('doubled', 1)
    await broker.createTopic('amounts-dlq', 1)
    const builder = new StreamsBuilder()
    builder.stream<string, number>('amounts', { keySerde: S, valueSerde: L })
      .mapValues((value) => {
        if (value < 0) throw new Error(`negative amount ${value}`)
        return value * 2
      })
      .to('doubled', { keySerde: S, valueSerde: L })
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'errors',
      bootstrapServers: broker.bootstrapServers,
      commitIntervalMs: 100,
      sessionTimeoutMs: 6_000,
      deserializationErrorPolicy: { deadLetterTopic: 'amounts-dlq' },
      processingErrorPolicy: 'logAndContinue',
      logger: { warn: () => undefined },
    })
    context.after(() => streams.close())
    await streams.start()
    await streams.waitForState(KafkaStreamsState.Running)
    await produce(broker.bootstrapServers, [
      { topic: 'amounts', key: encoder.encode('a'), value: L.serialize('amounts', 21) },
      { topic: 'amounts', key: encoder.encode('b'), value: encoder.encode('not-a-long') },
      { topic: 'amounts', key: encoder.encode('c'), value: L.serialize('amounts', -1) },
      { topic: 'amounts', key: encoder.encode('d'), value: L.serialize('amounts', 5) },
    ])
    const doubled = await consumeUntil(broker.bootstrapServers, 'doubled', 1, (records) => records.length >= 2)
    assert.deepEqual(doubled.map((record) => L.deserialize('doubled', record.value!)), [42, 10])
    const dead = await consumeUntil(broker.bootstrapServers, 'amounts-dlq', 1, (records) => records.length >= 1)
    assert.equal(dead.length, 1)
    assert.equal(new TextDecoder().decode(dead[0].value!), 'not-a-long')
    const header = (name: string): string => new TextDecoder().decode(dead[0].headers.find((entry) => entry.key === name)!.value!)
    assert.deepEqual([header(DeadLetterHeader.Topic), header(DeadLetterHeader.Partition), header(DeadLetterHeader.Offset)], ['amounts', '0', '1'])
    await eventually(() => streams.metrics().droppedRecords['processing-error'] === 1 && streams.metrics().lag['amounts-0'] === 0, 'processing error counted, lag 0')
    const metrics = streams.metrics()
    assert.equal(metrics.droppedRecords['deserialization-error'], 1)
    assert.equal(metrics.recordsIn, 4)
    assert.ok(metrics.processLatency.count > 0 && metrics.commitLatency.count > 0)
    assert.match(streams.prometheusMetrics(), /tributary_streams_records_in_total\{application_id="errors"\} 4/)
    assert.match(streams.prometheusMetrics(), /tributary_streams_consumer_lag\{application_id="errors",partition="amounts-0"\} 0/)
  })

  test("uncaught errors: 'replace_thread' restarts processing, 'shutdown_client' moves to ERROR", async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    await broker.createTopic('fragile', 1)
    await broker.createTopic('fragile-out', 1)
    let failuresLeft = 1
    const builder = new StreamsBuilder()
    builder.stream<string, string>('fragile', { keySerde: S, valueSerde: S })
      .mapValues((value) => {
        if (value === 'boom' && failuresLeft-- > 0) throw new Error('boom')
        return value.toUpperCase()
      })
      .to('fragile-out', { keySerde: S, valueSerde: S })
    const streams = new KafkaStreams(builder.build(), { applicationId: 'fragile', bootstrapServers: broker.bootstrapServers, commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
    context.after(() => streams.close())
    const errors: unknown[] = []
    streams.setUncaughtExceptionHandler((error) => {
      errors.push(error)
      return errors.length === 1 ? 'replace_thread' : 'shutdown_client'
    })
    await streams.start()
    await streams.waitForState(KafkaStreamsState.Running)
    await produce(broker.bootstrapServers, ['ok', 'boom', 'after'].map((value) => ({ topic: 'fragile', key: encoder.encode('k'), value: encoder.encode(value) })))
    const out = await consumeUntil(broker.bootstrapServers, 'fragile-out', 1, (records) => records.some((record) => record.value?.toString() === 'AFTER'))
    // The replaced thread re-reads from the last commit: 'boom' now succeeds; 'OK' may repeat (at-least-once).
    assert.deepEqual([...new Set(out.map((record) => record.value!.toString()))], ['OK', 'BOOM', 'AFTER'])
    assert.equal(errors.length, 1)
    failuresLeft = 1
    await produce(broker.bootstrapServers, [{ topic: 'fragile', key: encoder.encode('k'), value: encoder.encode('boom') }])
    await streams.waitForState(KafkaStreamsState.Error)
    assert.equal(errors.length, 2)
    assert.match(String(streams.error), /boom/)
  })

  test('GlobalKTable join: the global store is bootstrapped before processing and follows its topic', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    await broker.createTopic('countries', 2)
    await broker.createTopic('visits', 2)
    await broker.createTopic('visits-enriched', 2)
    await produce(broker.bootstrapServers, [['fr', 'France'], ['de', 'Germany']].map(([code, name]) => ({ topic: 'countries', key: encoder.encode(code), value: encoder.encode(name) })))
    const builder = new StreamsBuilder()
    const countries = builder.globalTable<string, string>('countries', { keySerde: S, valueSerde: S })
    builder.stream<string, string>('visits', { keySerde: S, valueSerde: S })
      .join(countries, (_user, country) => country, (country, countryName) => `${country}=${countryName}`)
      .to('visits-enriched', { keySerde: S, valueSerde: S })
    const streams = new KafkaStreams(builder.build(), { applicationId: 'global-join', bootstrapServers: broker.bootstrapServers, commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
    context.after(() => streams.close())
    await streams.start()
    await streams.waitForState(KafkaStreamsState.Running)
    await produce(broker.bootstrapServers, [{ topic: 'visits', key: encoder.encode('ann'), value: encoder.encode('fr') }])
    await produce(broker.bootstrapServers, [{ topic: 'countries', key: encoder.encode('it'), value: encoder.encode('Italy') }])
    await new Promise((resolve) => setTimeout(resolve, 300))
    await produce(broker.bootstrapServers, [{ topic: 'visits', key: encoder.encode('bob'), value: encoder.encode('it') }])
    const out = await consumeUntil(broker.bootstrapServers, 'visits-enriched', 2, (records) => records.length >= 2)
    assert.deepEqual(out.map((record) => record.value!.toString()).sort(), ['fr=France', 'it=Italy'])
  })
})
