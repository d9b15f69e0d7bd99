// Internal topics on the embedded broker (no consumer groups needed): KafkaStreams' start-up
// creates repartition and changelog topics with the planned partition counts and configs, and
// refuses missing sources and internal topics with the wrong partition count.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createAdmin, createProducer, type Admin } from '@tributary/client'
import { startTestBroker, type TestBroker } from '@tributary/testing'
import { KafkaStreams, KafkaStreamsError, KafkaStreamsState, partitionForKey, Serdes, SessionWindows, StreamsBuilder, TimeWindows, type Topology } from '../src/index.ts'
import { prepareTopics } from '../src/kafka/internal-topics.ts'
import { consumeUntil } from './kafka-harness.ts'

const S = Serdes.String()

function topology(source: string): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>(source, { keySerde: S, valueSerde: S })
    .groupBy((_key, value) => value, { name: 'by-value', keySerde: S, valueSerde: S })
    .count({ storeName: 'value-counts' })
    .toStream()
    .to(`${source}-counts`)
  return builder.build()
}

describe('internal topics on the embedded broker', () => {
  let broker: TestBroker
  let admin: Admin
  before(async () => {
    broker = await startTestBroker()
    admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
  })
  after(async () => {
    await admin.close()
    await broker.close()
  })

  test('repartition and compacted changelog topics are created with the source partition count', async () => {
    await admin.createTopics([{ topic: 'clicks', partitions: 3 }])
    const plan = await prepareTopics(topology('clicks'), { applicationId: 'app1', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 })
    const described = await admin.describeTopics(['app1-by-value-repartition', 'app1-value-counts-changelog'])
    assert.deepEqual(described.map((topic) => [topic.topic, topic.partitions.length]).sort(), [['app1-by-value-repartition', 3], ['app1-value-counts-changelog', 3]])
    assert.equal((await admin.describeTopicConfigs('app1-value-counts-changelog'))['cleanup.policy'], 'compact')
    const repartitionConfigs = await admin.describeTopicConfigs('app1-by-value-repartition')
    assert.deepEqual([repartitionConfigs['cleanup.policy'], repartitionConfigs['retention.ms'], repartitionConfigs['segment.bytes']], ['delete', '-1', '52428800'])
    assert.deepEqual(plan.subtopologies.map((sub) => sub.partitions), [3, 3])
    // A second start finds them and creates nothing.
    await prepareTopics(topology('clicks'), { applicationId: 'app1', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 })
  })

  test('instances starting together race to create the same internal topics; all of them start', async () => {
    await admin.createTopics([{ topic: 'raced', partitions: 2 }])
    // Without tolerating TOPIC_ALREADY_EXISTS, all but the fastest instance failed here.
    const plans = await Promise.all(Array.from({ length: 4 }, () => prepareTopics(topology('raced'), { applicationId: 'app-race', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 })))
    assert.equal(plans.length, 4)
    const described = await admin.describeTopics(['app-race-by-value-repartition', 'app-race-value-counts-changelog'])
    assert.deepEqual(described.map((topic) => [topic.topic, topic.partitions.length]).sort(), [['app-race-by-value-repartition', 2], ['app-race-value-counts-changelog', 2]])
  })

  test('window and session store changelogs are compact,delete with retention = store retention + 1 day', async () => {
    await admin.createTopics([{ topic: 'taps', partitions: 2 }])
    const builder = new StreamsBuilder()
    const taps = builder.stream<string, string>('taps', { keySerde: S, valueSerde: S }).groupByKey()
    taps.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000)).count({ storeName: 'taps-per-minute', retentionMs: 3_600_000 })
    taps.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30_000)).count({ storeName: 'tap-sessions' })
    taps.count({ storeName: 'taps-total' })
    await prepareTopics(builder.build(), { applicationId: 'app-win', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 })
    const policy = async (topic: string): Promise<[string | null | undefined, string | null | undefined]> => {
      const configs = await admin.describeTopicConfigs(topic)
      return [configs['cleanup.policy'], configs['retention.ms']]
    }
    assert.deepEqual(await policy('app-win-taps-per-minute-changelog'), ['compact,delete', String(3_600_000 + 86_400_000)])
    assert.deepEqual(await policy('app-win-tap-sessions-changelog'), ['compact,delete', String(30_000 + 86_400_000)])
    assert.equal((await policy('app-win-taps-total-changelog'))[0], 'compact')
  })

  test('records of repartition topics are deleted once their offsets are committed', async (context) => {
    await admin.createTopics([{ topic: 'purged', partitions: 2 }, { topic: 'purged-counts', partitions: 2 }])
    const streams = new KafkaStreams(topology('purged'), { applicationId: 'app-purge', bootstrapServers: broker.bootstrapServers, commitIntervalMs: 100, repartitionPurgeIntervalMs: 0, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
    context.after(() => streams.close())
    await streams.start()
    await streams.waitForState(KafkaStreamsState.Running)
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
    try {
      await producer.send(Array.from({ length: 200 }, (_, index) => ({ topic: 'purged', key: new TextEncoder().encode(`k${index}`), value: new TextEncoder().encode(`v${index % 7}`) })))
    } finally {
      await producer.close()
    }
    const repartition = [0, 1].map((partition) => ({ topic: 'app-purge-by-value-repartition', partition }))
    const deadline = Date.now() + 30_000
    let earliest: bigint[] = []
    let latest: bigint[] = []
    while (Date.now() < deadline) {
      earliest = (await admin.listOffsets(repartition.map((tp) => ({ ...tp, at: 'earliest' as const })))).map((offset) => offset.offset)
      latest = (await admin.listOffsets(repartition.map((tp) => ({ ...tp, at: 'latest' as const })))).map((offset) => offset.offset)
      if (latest.reduce((a, b) => a + b, 0n) === 200n && earliest.every((offset, index) => offset === latest[index])) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(latest.reduce((a, b) => a + b, 0n), 200n, 'every record went through the repartition topic')
    assert.deepEqual(earliest, latest, 'the repartition topic was purged up to the committed offsets')
  })

  test('changelog records carry the timestamp of the record that wrote them', async (context) => {
    await admin.createTopics([{ topic: 'stamped', partitions: 2 }])
    const builder = new StreamsBuilder()
    builder.stream<string, string>('stamped', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'stamped-counts' })
    const streams = new KafkaStreams(builder.build(), { applicationId: 'app-stamp', bootstrapServers: broker.bootstrapServers, commitIntervalMs: 100, sessionTimeoutMs: 6_000, logger: { warn: () => undefined } })
    context.after(() => streams.close())
    await streams.start()
    await streams.waitForState(KafkaStreamsState.Running)
    const base = 1_600_000_000_000
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
    try {
      await producer.send(Array.from({ length: 20 }, (_, index) => ({ topic: 'stamped', key: new TextEncoder().encode(`k${index}`), value: new TextEncoder().encode('v'), timestamp: BigInt(base + index * 1_000) })))
    } finally {
      await producer.close()
    }
    const changelog = await consumeUntil(broker.bootstrapServers, 'app-stamp-stamped-counts-changelog', 2, (records) => records.length >= 20)
    const stamps = new Map(changelog.map((record) => [S.deserialize('c', record.key!)!, Number(record.timestamp)]))
    assert.deepEqual([...stamps].sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))), Array.from({ length: 20 }, (_, index) => [`k${index}`, base + index * 1_000]))
  })

  test('a missing source topic and a mis-sized internal topic are refused', async () => {
    await assert.rejects(prepareTopics(topology('absent'), { applicationId: 'app2', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 }), (error: unknown) => error instanceof KafkaStreamsError && error.code === 'KAFKA_STREAMS_MISSING_SOURCE_TOPIC')
    await admin.createTopics([{ topic: 'views', partitions: 4 }, { topic: 'app3-by-value-repartition', partitions: 2 }])
    await assert.rejects(prepareTopics(topology('views'), { applicationId: 'app3', bootstrapServers: broker.bootstrapServers, replicationFactor: 1 }), (error: unknown) => error instanceof KafkaStreamsError && error.code === 'KAFKA_STREAMS_INTERNAL_TOPIC_MISMATCH' && /has 2 partitions, the topology needs 4/.test(error.message))
  })

  test("partitionForKey agrees with the client producer's placement of keyed records", async () => {
    await admin.createTopics([{ topic: 'placed', partitions: 7 }])
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
    try {
      const keys = Array.from({ length: 50 }, (_, index) => new TextEncoder().encode(`key-${index * 7919}`))
      const placed = await producer.send(keys.map((key) => ({ topic: 'placed', key, value: null })))
      assert.deepEqual(placed.map((metadata) => metadata.partition), keys.map((key) => partitionForKey(key, 7)))
    } finally {
      await producer.close()
    }
  })
})
