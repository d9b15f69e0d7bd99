// Idempotent produce over a raw socket with our own codecs: the same batch (producer id, epoch,
// sequence) sent twice is acknowledged with the same offset and stored once; a sequence gap is
// refused with OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch with INVALID_PRODUCER_EPOCH; and
// the duplicate is still recognised after a broker restart (state rebuilt from the log).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import type { InitProducerIdResponse, ProduceResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { readPartition, startCoordinatedBroker } from './eos-scratch-fixtures.ts'

function idempotentBatch(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Uint8Array {
  return encodeRecordBatch(createRecordBatch({ records: values.map((value) => ({ value: Buffer.from(value) })), timestamp: Date.now(), producerId, producerEpoch, baseSequence }))
}

async function produce(client: WireClient, records: Uint8Array): Promise<{ errorCode: number; baseOffset: bigint }> {
  const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }] })
  return response.responses[0].partitionResponses[0]
}

test('duplicate batches are acknowledged once with their original offset; gaps and old epochs are refused', async () => {
  let broker = await startCoordinatedBroker()
  const dataDir = broker.dataDir
  let client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: 'idem', numPartitions: 1 }]))
    const init = await client.request<InitProducerIdResponse>(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
    assert.equal(init.errorCode, ErrorCode.None)
    const { producerId } = init

    const batch0 = idempotentBatch(producerId, 0, 0, ['a', 'b'])
    const batch1 = idempotentBatch(producerId, 0, 2, ['c'])
    const sent = await produce(client, batch0)
    const duplicate = await produce(client, batch0)
    assert.deepEqual([sent.errorCode, sent.baseOffset, duplicate.errorCode, duplicate.baseOffset], [0, 0n, 0, 0n])
    const first = await produce(client, batch1)
    const again = await produce(client, idempotentBatch(producerId, 0, 2, ['c']))
    assert.deepEqual([first.errorCode, first.baseOffset, again.errorCode, again.baseOffset], [0, 2n, 0, 2n])

    const gap = await produce(client, idempotentBatch(producerId, 0, 9, ['gap']))
    assert.equal(gap.errorCode, ErrorCode.OutOfOrderSequenceNumber)
    const bumped = await produce(client, idempotentBatch(producerId, 1, 0, ['new-epoch']))
    assert.deepEqual([bumped.errorCode, bumped.baseOffset], [0, 3n])
    const oldEpoch = await produce(client, idempotentBatch(producerId, 0, 3, ['zombie']))
    assert.equal(oldEpoch.errorCode, ErrorCode.InvalidProducerEpoch)

    const stored = await readPartition(broker.port, 'idem', 0, 0)
    assert.deepEqual(stored.records.map((record) => [record.offset, record.value]), [[0n, 'a'], [1n, 'b'], [2n, 'c'], [3n, 'new-epoch']])

    client.close()
    await broker.close()
    broker = await startCoordinatedBroker({ dataDir })
    client = await WireClient.connect(broker.port)
    const retried = await produce(client, idempotentBatch(producerId, 1, 0, ['new-epoch']))
    assert.deepEqual([retried.errorCode, retried.baseOffset], [0, 3n], 'recognised as a duplicate after the restart')
    const next = await produce(client, idempotentBatch(producerId, 1, 1, ['after-restart']))
    assert.deepEqual([next.errorCode, next.baseOffset], [0, 4n])
    const afterGap = await produce(client, idempotentBatch(producerId, 1, 5, ['gap']))
    assert.equal(afterGap.errorCode, ErrorCode.OutOfOrderSequenceNumber)
    assert.equal((await readPartition(broker.port, 'idem', 0, 0)).records.length, 5)
  } finally {
    client.close()
    await broker.destroy()
  }
})
