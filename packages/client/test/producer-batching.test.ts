// Records queued while a produce request is in flight can add up to far more than one request
// may carry: the producer must split them into requests of at most maxBatchBytes, or the broker
// refuses the oversized batch (MESSAGE_TOO_LARGE over max.message.bytes).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker } from '@tributary/testing'
import { createAdmin, createProducer } from '../src/index.ts'

test('sends queued behind an in-flight request go out in requests of at most maxBatchBytes', async () => {
  const broker = await startTestBroker()
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, idempotent: true, lingerMs: 5 })
  try {
    await admin.createTopics([{ topic: 'bulk', partitions: 1 }])
    const value = new Uint8Array(1000).fill(7)
    // 40 sends of 100 records (~4 MB) issued at once: far above max.message.bytes (1 MiB) in total.
    const sends = Array.from({ length: 40 }, (_, send) =>
      producer.send(Array.from({ length: 100 }, (_, index) => ({ topic: 'bulk', key: new TextEncoder().encode(`${send}-${index}`), value }))))
    const results = await Promise.all(sends)
    const offsets = results.flat().map((metadata) => metadata.offset)
    assert.equal(offsets.length, 4000)
    assert.deepEqual(offsets, offsets.map((_, index) => BigInt(index)), 'every record acknowledged once, in send order')
    const [latest] = await admin.listOffsets([{ topic: 'bulk', partition: 0, at: 'latest' }])
    assert.equal(latest.offset, 4000n)
  } finally {
    await producer.close()
    await admin.close()
    await broker.close()
  }
})
