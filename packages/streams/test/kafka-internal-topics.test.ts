// Internal topics on the embedded broker (no consumer groups needed): KafkaStreams' start-up
// creates repartition and changelog topics with the planned partition counts and configs, and
// refuses missing sources and internal topics with the wrong partition count.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createAdmin, createProducer, type Admin } from '@tributary/client'
import { startTestBroker, type TestBroker } from '@tributary/testing'
import { KafkaStreamsError, partitionForKey, Serdes, StreamsBuilder, type Topology } from '../src/index.ts'
import { prepareTopics } from '../src/kafka/internal-topics.ts'

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
    assert.equal((await admin.describeTopicConfigs('app1-by-value-repartition'))['cleanup.policy'], 'delete')
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
