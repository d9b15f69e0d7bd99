// A fresh transactional producer must ask for a producer id with -1/-1 (KIP-360): the wrapped
// library's default 0/0 made our broker fence every new incarnation of a transactional id whose
// producer id is 0. Here a second producer with the same transactional id takes over an open
// transaction (which is aborted) and the first one is fenced as a zombie.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker } from '@tributary/testing'
import { createAdmin, createConsumer, createProducer, KafkaProtocolError } from '../src/index.ts'

test('a new incarnation of a transactional id fences the old one and commits', async () => {
  const broker = await startTestBroker()
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
  const zombie = createProducer({ bootstrapServers: broker.bootstrapServers, transactionalId: 'fencing' })
  const successor = createProducer({ bootstrapServers: broker.bootstrapServers, transactionalId: 'fencing' })
  try {
    await admin.createTopics([{ topic: 'fenced', partitions: 1 }])
    await zombie.beginTransaction()
    await zombie.send([{ topic: 'fenced', value: new Uint8Array([1]) }])
    await successor.beginTransaction()
    await successor.send([{ topic: 'fenced', value: new Uint8Array([2]) }])
    await successor.commitTransaction()
    assert.ok(successor.producerIdentity!.producerEpoch > zombie.producerIdentity!.producerEpoch)
    await assert.rejects(zombie.commitTransaction(), (error: unknown) => error instanceof KafkaProtocolError && (error.code === 90 || error.code === 47))
    const consumer = createConsumer({ bootstrapServers: broker.bootstrapServers, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' })
    try {
      consumer.assign([{ topic: 'fenced', partition: 0 }])
      const values: number[] = []
      const deadline = Date.now() + 10_000
      while (values.length < 1 && Date.now() < deadline) for (const record of await consumer.poll({ timeoutMs: 200 })) values.push(record.value![0])
      assert.deepEqual(values, [2], 'only the successor’s committed record is visible')
    } finally {
      await consumer.close()
    }
  } finally {
    await zombie.close().catch(() => undefined)
    await successor.close()
    await admin.close()
    await broker.close()
  }
})
