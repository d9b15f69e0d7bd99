// Consumer groups of real clients (KafkaJS and @platformatic/kafka): three members join and
// leave while a producer keeps writing, forcing rebalances. Each member commits the offset after
// every record it processes. Every record must be processed and committed, and no record may be
// processed-and-committed twice by owners of its partition: once a commit past a record was
// accepted, the broker hands that partition to the next owner at that offset, and a stale
// owner's late commits are refused by generation. "Committed" means the broker accepted the
// commit, as each client reports it (see the notes in each test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import type { Consumer as KafkaJsConsumer } from 'kafkajs'
import { Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { ApiKey } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { startCoordinatedBroker, waitFor } from './eos-fixtures.ts'
import type { CoordinatedBroker } from './eos-fixtures.ts'

const partitions = 6
const totalRecords = 600
const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs))

/** Tracks processing: records seen, records whose offset commit was accepted, and records accepted twice. */
class Ledger {
  readonly seen = new Set<string>()
  readonly committed = new Map<string, string>()
  readonly violations: string[] = []

  consumed(value: string): void {
    this.seen.add(value)
  }

  /** The commit past `value` (by `member`) was accepted by the broker. */
  commitAccepted(value: string, member: string): void {
    if (this.committed.has(value)) this.violations.push(`${value} was processed and committed by ${this.committed.get(value)}, then again by ${member}`)
    this.committed.set(value, member)
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
  // The value at each `partition:offset`, to name the record a committed offset goes past.
  const valueAt = new Map<string, string>()
  const startMember = async (name: string): Promise<KafkaJsConsumer> => {
    const consumer = kafka.consumer({ groupId: 'kjs-group', sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 8000, maxWaitTimeInMs: 200 })
    // A commit counts once the broker accepted it, which KafkaJS reports with this event (emitted
    // after an OffsetCommit response without error), not when `commitOffsets()` resolves: once
    // disconnect() has stopped a consumer's runner (b below), KafkaJS 2.x resolves
    // `commitOffsets()` without sending the commit, and swallows the error of one in flight. The
    // record being processed then looks committed although the broker never accepted a commit
    // past it, and the partition's next owner rightly starts at it and processes it again (seen
    // as "processed and committed by b, then again by a/c"; the broker's trace had no
    // OffsetCommit from b for it). KafkaJS finishes its fetched batches before it rejoins, so it
    // never commits a partition it no longer owns: the ownership check of the
    // @platformatic/kafka test below is not needed here.
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        if (topic !== 'kjs-stream') continue
        for (const { partition, offset } of partitions) {
          const value = valueAt.get(`${partition}:${BigInt(String(offset)) - 1n}`)
          if (value !== undefined) ledger.commitAccepted(value, name)
        }
      }
    })
    await consumer.connect()
    await consumer.subscribe({ topic: 'kjs-stream', fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value!.toString()
        ledger.consumed(value)
        valueAt.set(`${partition}:${message.offset}`, value)
        try {
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
        } catch {
          // A stale member's commit is refused (REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION): not done.
        }
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
    await waitFor('every record processed and committed', () => ledger.committed.size === totalRecords || ledger.violations.length > 0, 60_000)
    assert.deepEqual(ledger.violations, [])
    for (let index = 0; index < totalRecords; index++) assert.ok(ledger.committed.has(`v${index}`), `v${index} committed`)
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
      ledger.consumed(message.value)
      message.commit((error?: Error) => {
        // Only commits of a partition the member still owns count: this client may deliver (and
        // commit) buffered records of a partition it just lost, which Kafka accepts too.
        const owned = consumer.assignments?.some((assignment) => assignment.topic === 'pk-stream' && assignment.partitions.includes(message.partition)) ?? false
        if ((error === undefined || error === null) && owned) ledger.commitAccepted(message.value, name)
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
    await sleep(500)
    assert.deepEqual(ledger.violations, [])
  } finally {
    for (const consumer of consumers) await consumer.close(true).catch(() => {})
    await producer.close()
    await broker.destroy()
  }
})
