// End to end with KafkaJS, which speaks older API versions than @platformatic/kafka (Metadata v6,
// Produce v7, ListOffsets v3, CreateTopics v3, DescribeConfigs v2...). Consumer groups are not
// served yet, so records are read back with the wire client instead of a KafkaJS consumer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { ApiKey, decodeRecordBatches } from '@tributary/protocol'
import type { FetchResponse } from '@tributary/protocol'
import { startTestBroker } from './fixtures/test-broker.ts'
import { WireClient } from './fixtures/wire-client.ts'
import { fetchRequest } from './fixtures/requests.ts'

test('KafkaJS admin and producer against the broker', async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'kafkajs-e2e', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  try {
    await admin.connect()
    assert.equal(await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] }), true)
    assert.equal(await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] }), false, 'already exists')
    const cluster = await admin.describeCluster()
    assert.equal(cluster.controller, 1)
    assert.equal(cluster.clusterId, broker.clusterId)

    await producer.connect()
    const sent = await producer.send({ topic: 'events', acks: -1, messages: [{ key: 'a', value: 'alpha', partition: 1 }, { key: 'b', value: 'beta', partition: 1 }] })
    assert.deepEqual(sent.map((result) => [result.partition, result.errorCode, result.baseOffset]), [[1, 0, '0']])

    const offsets = await admin.fetchTopicOffsets('events')
    assert.deepEqual(offsets.sort((left, right) => left.partition - right.partition).map((offset) => [offset.partition, offset.high, offset.low]), [[0, '0', '0'], [1, '2', '0'], [2, '0', '0']])

    await admin.createPartitions({ topicPartitions: [{ topic: 'events', count: 4 }] })
    const metadata = await admin.fetchTopicMetadata({ topics: ['events'] })
    assert.equal(metadata.topics[0].partitions.length, 4)

    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'events', configEntries: [{ name: 'retention.ms', value: '120000' }] }] })
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'events', configNames: ['retention.ms'] }] })
    assert.equal(described.resources[0].configEntries[0].configValue, '120000')

    await admin.deleteTopicRecords({ topic: 'events', partitions: [{ partition: 1, offset: '1' }] })
    const afterDelete = await admin.fetchTopicOffsets('events')
    assert.equal(afterDelete.find((offset) => offset.partition === 1)?.low, '1')

    const client = await WireClient.connect(broker.port)
    const fetched = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'events', partition: 1, fetchOffset: 1n }]))
    client.close()
    const values = decodeRecordBatches(fetched.responses[0].partitions[0].records!).flatMap((batch) => batch.records.map((record) => Buffer.from(record.value!).toString()))
    assert.ok(values.includes('beta'))

    await admin.deleteTopics({ topics: ['events'] })
    // Only the coordinators' internal topics remain (KafkaJS lists internal topics too, as with Kafka).
    assert.deepEqual((await admin.listTopics()).sort(), ['__consumer_offsets', '__transaction_state'])
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    await broker.destroy()
  }
})
