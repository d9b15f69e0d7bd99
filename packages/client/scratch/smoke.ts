import { startRefbroker } from '../test/refbroker.ts'
import { createClient } from '../src/index.ts'
const target = await startRefbroker({ brokers: 1 })
if ('skip' in target) throw new Error(target.skip)
await target.createTopic('t1', 2)
const client = createClient({ bootstrapServers: target.bootstrapServers, clientId: 'smoke' })
const producer = client.producer({ idempotent: true })
const sent = await producer.send([{ topic: 't1', key: Buffer.from('a'), value: Buffer.from('1'), headers: [{ key: 'h', value: Buffer.from('x') }] }, { topic: 't1', key: Buffer.from('b'), value: Buffer.from('2') }, { topic: 't1', key: Buffer.from('a'), value: Buffer.from('3') }])
console.log('sent', sent, producer.producerIdentity)
const consumer = client.consumer({ groupId: 'g1', autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 })
consumer.subscribe(['t1'], { onPartitionsAssigned: (p) => console.log('assigned', p) })
const t0 = Date.now()
let got = 0
while (got < 3 && Date.now() - t0 < 20000) {
  const records = await consumer.poll({ timeoutMs: 1000 })
  for (const r of records) console.log(r.topic, r.partition, r.offset, r.key?.toString(), r.value?.toString(), r.headers)
  got += records.length
}
console.log('elapsed', Date.now() - t0)
await consumer.commit()
console.log('committed', await consumer.committed([{ topic: 't1', partition: 0 }, { topic: 't1', partition: 1 }]))
console.log(consumer.groupMetadata())
await consumer.close()
await producer.close()
await target.stop()
