// End to end with @platformatic/kafka (a real third-party client): create a topic, produce with
// acks=all, fetch back, list offsets, describe and alter configs, delete the topic; restart the
// broker on the same data directory and read the data back. Only tests may import the client.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, Consumer, Producer, ProduceAcks, stringSerializers, stringDeserializers } from '@platformatic/kafka'
import { startTestBroker } from './fixtures/test-broker.ts'
import type { TestBroker } from './fixtures/test-broker.ts'

const clientOptions = (broker: TestBroker) => ({ clientId: 'e2e', bootstrapBrokers: [`127.0.0.1:${broker.port}`], retries: 2, timeout: 5000 })

async function fetchValues(broker: TestBroker, topicId: string, partition: number, fetchOffset: bigint): Promise<{ offset: bigint; value: string }[]> {
  const consumer = new Consumer({ ...clientOptions(broker), groupId: 'unused', deserializers: stringDeserializers })
  try {
    const response = await consumer.fetch({
      node: 1,
      maxWaitTime: 100,
      topics: [{ topicId, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
    })
    const records = response.responses[0].partitions[0].records ?? []
    return records.flatMap((batch) => batch.records.map((record) => ({ offset: batch.firstOffset + BigInt(record.offsetDelta), value: record.value!.toString() })))
  } finally {
    await consumer.close()
  }
}

async function produce(broker: TestBroker, topic: string, values: string[], partition = 0): Promise<void> {
  const producer = new Producer({ ...clientOptions(broker), serializers: stringSerializers })
  try {
    await producer.send({ messages: values.map((value) => ({ topic, partition, key: `key-${value}`, value })), acks: ProduceAcks.ALL })
  } finally {
    await producer.close()
  }
}

test('create, produce, fetch, list offsets, configs, delete; data survives a restart', async () => {
  let broker = await startTestBroker()
  const dataDir = broker.dataDir
  const admin = new Admin(clientOptions(broker))
  try {
    const [created] = await admin.createTopics({ topics: ['orders'], partitions: 2, replicas: 1 })
    assert.equal(created.name, 'orders')
    assert.equal(created.partitions, 2)
    assert.deepEqual(await admin.listTopics(), ['orders'])

    await produce(broker, 'orders', ['one', 'two', 'three'])
    assert.deepEqual(await fetchValues(broker, created.id, 0, 0n), [{ offset: 0n, value: 'one' }, { offset: 1n, value: 'two' }, { offset: 2n, value: 'three' }])

    const offsets = await admin.listOffsets({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -1n }, { partitionIndex: 1, timestamp: -2n }] }] })
    assert.deepEqual(offsets[0].partitions.map((partition) => [partition.partitionIndex, partition.offset]), [[0, 3n], [1, 0n]])

    await admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }] })
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'cleanup.policy'] }] })
    assert.deepEqual(described.configs.map((config) => [config.name, config.value]).sort(), [['cleanup.policy', 'delete'], ['retention.ms', '3600000']])
    await assert.rejects(admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.lightyears', configOperation: 0, value: '1' }] }] }))

    await admin.createTopics({ topics: ['scratch'] })
    await admin.deleteTopics({ topics: ['scratch'] })
    assert.deepEqual(await admin.listTopics(), ['orders'])
  } finally {
    await admin.close()
  }

  await broker.close()
  broker = await startTestBroker({ dataDir })
  const restartedAdmin = new Admin(clientOptions(broker))
  try {
    const metadataTopics = await restartedAdmin.listTopics()
    assert.deepEqual(metadataTopics, ['orders'])
    const [described] = await restartedAdmin.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] }] })
    assert.equal(described.configs[0].value, '3600000')
    await produce(broker, 'orders', ['four'])
    const topicId = (await restartedAdmin.metadata({ topics: ['orders'] })).topics.get('orders')!.id
    const values = await fetchValues(broker, topicId, 0, 0n)
    assert.deepEqual(values.map((entry) => [entry.offset, entry.value]), [[0n, 'one'], [1n, 'two'], [2n, 'three'], [3n, 'four']])
  } finally {
    await restartedAdmin.close()
    await broker.destroy()
  }
})

test('the cluster id stays the same across restarts', async () => {
  const first = await startTestBroker()
  const clusterId = first.clusterId
  await first.close()
  const second = await startTestBroker({ dataDir: first.dataDir })
  try {
    assert.equal(second.clusterId, clusterId)
  } finally {
    await second.destroy()
  }
})
