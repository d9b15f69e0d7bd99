// @platformatic/kafka (pure TypeScript; the library our own client package wraps), in process.
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import type { ClientDriver, ConsumedRecord } from '../client-driver.ts'
import { codecs } from '../client-driver.ts'

const topicResource = 2 // ConfigResourceTypes.TOPIC
const readCommitted = 1 // FetchIsolationLevels.READ_COMMITTED
const timeoutMs = 120_000
const produceChunkRecords = 2000

const brokers = (bootstrap: string) => bootstrap.split(',')

async function withAdmin<T>(bootstrap: string, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'compat-admin', bootstrapBrokers: brokers(bootstrap), timeout: 30_000, retries: 2 })
  try { return await body(admin) } finally { await admin.close() }
}

export const platformaticKafka: ClientDriver = {
  name: 'platformatic-kafka',
  unavailable: () => undefined,
  codecs: { supported: codecs },
  consumesThroughGroup: true,
  metadata: (bootstrap, topics) => withAdmin(bootstrap, async (admin) => {
    const metadata = await admin.metadata({ topics })
    return {
      brokers: [...metadata.brokers].map(([nodeId, broker]) => ({ nodeId, host: broker.host, port: broker.port })),
      topics: [...metadata.topics].map(([name, topic]) => ({ name, partitions: topic.partitionsCount })),
    }
  }),
  async produce(bootstrap, { topic, records, compression, idempotent }) {
    const producer = new Producer({
      clientId: 'compat-producer', bootstrapBrokers: brokers(bootstrap), serializers: stringSerializers,
      compression, idempotent: idempotent === true, acks: -1, timeout: 30_000,
    })
    try {
      for (let start = 0; start < records.length; start += produceChunkRecords) {
        const messages = records.slice(start, start + produceChunkRecords).map((record) => ({ topic, key: record.key, value: record.value }))
        await producer.send({ messages })
      }
    } finally { await producer.close() }
  },
  async consume(bootstrap, { topic, count, group, commit }) {
    const consumer = new Consumer({
      clientId: 'compat-consumer', groupId: group ?? `compat-${topic}-${process.pid}-${Date.now()}`,
      bootstrapBrokers: brokers(bootstrap), deserializers: stringDeserializers, timeout: 30_000,
      sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTime: 500,
    })
    const consumed: ConsumedRecord[] = []
    const lastOfPartition = new Map<number, { commit(): unknown }>()
    try {
      const stream = await consumer.consume(group === undefined
        ? { topics: [topic], mode: 'earliest', autocommit: false, isolationLevel: readCommitted }
        : { topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, isolationLevel: readCommitted })
      const deadline = setTimeout(() => stream.destroy(new Error(`consumed ${consumed.length} of ${count} records within ${timeoutMs} ms`)), timeoutMs)
      try {
        for await (const message of stream) {
          consumed.push({ partition: message.partition, offset: Number(message.offset), key: message.key ?? '', value: message.value ?? '', timestampMs: Number(message.timestamp) })
          lastOfPartition.set(message.partition, message)
          if (consumed.length >= count) break
        }
      } finally { clearTimeout(deadline) }
      // message.commit() commits the offset after that message.
      if (commit === true && group !== undefined) for (const message of lastOfPartition.values()) await message.commit()
      await stream.close()
    } finally { await consumer.close(true) }
    return consumed
  },
  async produceTransactions(bootstrap, { topic, transactionalId, transactions }) {
    const producer = new Producer({
      clientId: 'compat-transactions', bootstrapBrokers: brokers(bootstrap), serializers: stringSerializers,
      transactionalId, idempotent: true, acks: -1, timeout: 30_000,
    })
    try {
      for (const { records, commit } of transactions) {
        const transaction = await producer.beginTransaction()
        await transaction.send({ messages: records.map((record) => ({ topic, key: record.key, value: record.value })) })
        if (commit) await transaction.commit(); else await transaction.abort()
      }
    } finally { await producer.close() }
  },
  createTopic: (bootstrap, topic, partitions) => withAdmin(bootstrap, async (admin) => {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 })
  }),
  deleteTopic: (bootstrap, topic) => withAdmin(bootstrap, async (admin) => { await admin.deleteTopics({ topics: [topic] }) }),
  offsetsForTimes: (bootstrap, topic, partitions, timestampMs) => withAdmin(bootstrap, async (admin) => {
    const request = { name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: BigInt(timestampMs) })) }
    const [listed] = await admin.listOffsets({ topics: [request] })
    return new Map(listed.partitions.map((partition) => [partition.partitionIndex, Number(partition.offset)]))
  }),
  describeConfigs: (bootstrap, topic) => withAdmin(bootstrap, async (admin) => {
    const [description] = await admin.describeConfigs({ resources: [{ resourceType: topicResource, resourceName: topic }] })
    return Object.fromEntries(description.configs.map((config) => [config.name, config.value ?? null]))
  }),
  alterConfigs: (bootstrap, topic, configs) => withAdmin(bootstrap, async (admin) => {
    await admin.alterConfigs({ resources: [{ resourceType: topicResource, resourceName: topic, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }] })
  }),
}
