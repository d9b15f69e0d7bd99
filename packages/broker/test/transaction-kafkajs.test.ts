// KafkaJS transactions: a consume-transform-produce loop (eachBatch, sendOffsets, commit) with
// an aborted "noise" transaction between real ones; read_committed readers (our wire reader and
// a KafkaJS consumer) see every transformed record exactly once and no aborted record; the
// group's offsets are committed through the transactions; a second producer with the same
// transactional id fences the first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { readPartition, startCoordinatedBroker, waitFor } from './eos-fixtures.ts'

const inputRecords = 60

test('KafkaJS transactional consume-transform-produce, aborts and fencing', async () => {
  const broker = await startCoordinatedBroker()
  const kafka = new Kafka({ clientId: 'kjs-eos', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } })
  const admin = kafka.admin()
  const plainProducer = kafka.producer({ allowAutoTopicCreation: false })
  const producer = kafka.producer({ transactionalId: 'kjs-transform', maxInFlightRequests: 1, idempotent: true, allowAutoTopicCreation: false })
  const consumer = kafka.consumer({ groupId: 'kjs-eos-group', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
  const verifier = kafka.consumer({ groupId: 'kjs-verifier', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kjs-in', numPartitions: 2 }, { topic: 'kjs-out', numPartitions: 2 }] })
    await plainProducer.connect()
    await plainProducer.send({ topic: 'kjs-in', acks: -1, messages: Array.from({ length: inputRecords }, (_, index) => ({ value: `in-${index}`, partition: index % 2 })) })

    await producer.connect()
    await consumer.connect()
    await consumer.subscribe({ topic: 'kjs-in', fromBeginning: true })
    let processed = 0
    let aborted = 0
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const noise = await producer.transaction()
        await noise.send({ topic: 'kjs-out', messages: [{ value: `noise-${aborted}`, partition: batch.partition }] })
        await noise.abort()
        aborted++
        const transaction = await producer.transaction()
        await transaction.send({ topic: 'kjs-out', messages: batch.messages.map((message) => ({ value: `T:${message.value!.toString()}`, partition: batch.partition })) })
        await transaction.sendOffsets({ consumerGroupId: 'kjs-eos-group', topics: [{ topic: 'kjs-in', partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }] })
        await transaction.commit()
        processed += batch.messages.length
        await heartbeat()
      },
    })
    await waitFor('every input processed', () => processed === inputRecords, 30_000)
    await consumer.disconnect()

    const expected = Array.from({ length: inputRecords }, (_, index) => `T:in-${index}`).sort()
    const committedView: string[] = []
    for (const partition of [0, 1]) committedView.push(...(await readPartition(broker.port, 'kjs-out', partition, 1)).records.map((record) => record.value!))
    assert.deepEqual(committedView.sort(), expected)
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-eos-group', topics: ['kjs-in'] })
    assert.deepEqual(offsets[0].partitions.map((partition) => [partition.partition, partition.offset]).sort(), [[0, String(inputRecords / 2)], [1, String(inputRecords / 2)]])

    // A KafkaJS read_committed consumer sees the same: no noise, nothing twice.
    const seen: string[] = []
    await verifier.connect()
    await verifier.subscribe({ topic: 'kjs-out', fromBeginning: true })
    await verifier.run({ eachMessage: async ({ message }) => {
      seen.push(message.value!.toString())
    } })
    await waitFor('the verifier read everything', () => seen.length >= inputRecords, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(seen.sort(), expected)

    // Fencing: a successor with the same transactional id aborts and fences the open transaction.
    const first = kafka.producer({ transactionalId: 'kjs-fenced', maxInFlightRequests: 1, idempotent: true })
    const successor = kafka.producer({ transactionalId: 'kjs-fenced', maxInFlightRequests: 1, idempotent: true })
    await first.connect()
    const open = await first.transaction()
    await open.send({ topic: 'kjs-out', messages: [{ value: 'zombie', partition: 0 }] })
    await successor.connect()
    const fresh = await successor.transaction() // KafkaJS runs InitProducerId here: this fences `first`
    await assert.rejects(open.commit(), (error: Error & { type?: string }) => /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/.test(error.type ?? error.message))
    await fresh.send({ topic: 'kjs-out', messages: [{ value: 'successor', partition: 0 }] })
    await fresh.commit()
    const partition0 = (await readPartition(broker.port, 'kjs-out', 0, 1)).records.map((record) => record.value)
    assert.ok(partition0.includes('successor'))
    assert.ok(!partition0.includes('zombie'))
    await first.disconnect().catch(() => {})
    await successor.disconnect()
  } finally {
    await verifier.disconnect().catch(() => {})
    await consumer.disconnect().catch(() => {})
    await producer.disconnect().catch(() => {})
    await plainProducer.disconnect()
    await admin.disconnect()
    await broker.destroy()
  }
})
