// Consumer groups of real clients (KafkaJS and @platformatic/kafka): three members join and
// leave while a producer keeps writing, forcing rebalances. Every record must be consumed, and
// no record may be consumed again once an offset past it was committed (the broker hands out the
// committed offsets, never older ones).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import type { Consumer as KafkaJsConsumer } from 'kafkajs'
import { Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { ApiKey } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { startCoordinatedBroker, waitFor } from './eos-scratch-fixtures.ts'
import type { CoordinatedBroker } from './eos-scratch-fixtures.ts'

const partitions = 6
const totalRecords = 600
const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs))

/** Tracks consumption: every (partition, offset) seen, and violations of "never below a committed offset". */
class Ledger {
  readonly seen = new Map<string, number>()
  readonly committed = new Map<number, bigint>()
  readonly violations: string[] = []

  consumed(partition: number, offset: bigint, value: string, member: string): void {
    const committed = this.committed.get(partition) ?? -1n
    if (offset < committed) this.violations.push(`${member} consumed ${partition}@${offset} (${value}) after offset ${committed} was committed`)
    this.seen.set(value, (this.seen.get(value) ?? 0) + 1)
  }

  commit(partition: number, offset: bigint): void {
    if (offset > (this.committed.get(partition) ?? -1n)) this.committed.set(partition, offset)
  }
}

async function createTopic(broker: CoordinatedBroker, name: string): Promise<void> {
  const client = await WireClient.connect(broker.port)
  await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name, numPartitions: partitions }]))
  client.close()
}

/** Produces `totalRecords` values `v0..` in small acks=all batches spread over the partitions, slowly. */
async function produceSlowly(send: (values: string[]) => Promise<void>): Promise<void> {
  for (let next = 0; next < totalRecords; next += 20) {
    await send(Array.from({ length: 20 }, (_, index) => `v${next + index}`))
    await sleep(60)
  }
}

test('KafkaJS: three members with rebalances while producing', async () => {
  const broker = await startCoordinatedBroker()
  await createTopic(broker, 'kjs-stream')
  const kafka = new Kafka({ clientId: 'kjs-group', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  const ledger = new Ledger()
  const consumers: KafkaJsConsumer[] = []
  const startMember = async (name: string): Promise<KafkaJsConsumer> => {
    const consumer = kafka.consumer({ groupId: 'kjs-group', sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 8000, maxWaitTimeInMs: 200 })
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      for (const topic of event.payload.topics) for (const partition of topic.partitions) ledger.commit(Number(partition.partition), BigInt(partition.offset))
    })
    await consumer.connect()
    await consumer.subscribe({ topic: 'kjs-stream', fromBeginning: true })
    await consumer.run({
      autoCommitThreshold: 5,
      eachMessage: async ({ partition, message }) => {
        ledger.consumed(partition, BigInt(message.offset), message.value!.toString(), name)
      },
    })
    consumers.push(consumer)
    return consumer
  }
  try {
    await producer.connect()
    const producing = produceSlowly(async (values) => {
      await producer.send({ topic: 'kjs-stream', acks: -1, messages: values.map((value, index) => ({ value, partition: index % partitions })) })
    })
    await startMember('a')
    await sleep(700)
    const b = await startMember('b')
    await sleep(700)
    await startMember('c')
    await sleep(1000)
    await b.disconnect()
    await sleep(700)
    await startMember('d')
    await producing
    await waitFor('every record consumed', () => ledger.seen.size === totalRecords, 60_000)
    assert.deepEqual(ledger.violations, [])
    for (let index = 0; index < totalRecords; index++) assert.ok(ledger.seen.has(`v${index}`), `v${index} consumed`)
  } finally {
    for (const consumer of consumers) await consumer.disconnect().catch(() => {})
    await producer.disconnect()
    await broker.destroy()
  }
})

test('@platformatic/kafka: three members with rebalances while producing', async () => {
  const broker = await startCoordinatedBroker()
  await createTopic(broker, 'pk-stream')
  const clientOptions = { bootstrapBrokers: [`127.0.0.1:${broker.port}`], retries: 10, retryDelay: 100, timeout: 10_000 }
  const producer = new Producer({ ...clientOptions, clientId: 'pk-producer', serializers: stringSerializers })
  const ledger = new Ledger()
  const consumers: Consumer<string, string, string, string>[] = []
  const startMember = async (name: string): Promise<Consumer<string, string, string, string>> => {
    const consumer = new Consumer({ ...clientOptions, clientId: `pk-${name}`, groupId: 'pk-group', deserializers: stringDeserializers, sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 8000, maxWaitTime: 200 })
    const stream = await consumer.consume({ topics: ['pk-stream'], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
    stream.on('data', (message) => {
      ledger.consumed(message.partition, message.offset, message.value, name)
      message.commit((error?: Error) => {
        if (error === undefined || error === null) ledger.commit(message.partition, message.offset + 1n)
      })
    })
    stream.on('error', () => {})
    consumers.push(consumer)
    return consumer
  }
  try {
    const producing = produceSlowly(async (values) => {
      await producer.send({ acks: ProduceAcks.ALL, messages: values.map((value, index) => ({ topic: 'pk-stream', partition: index % partitions, value })) })
    })
    await startMember('a')
    await sleep(700)
    const b = await startMember('b')
    await sleep(700)
    await startMember('c')
    await sleep(1000)
    await b.close(true)
    await sleep(700)
    await startMember('d')
    await producing
    await waitFor('every record consumed', () => ledger.seen.size === totalRecords, 60_000)
    assert.deepEqual(ledger.violations, [])
  } finally {
    for (const consumer of consumers) await consumer.close(true).catch(() => {})
    await producer.close()
    await broker.destroy()
  }
})
