// The producer-state seam end to end: a test ProducerStateManager (a fake with fixed rules, not
// the coordinator) decides duplicates, errors and the last stable offset; the broker must obey.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, decodeRecordBatches } from '@tributary/protocol'
import type { FetchResponse, ListOffsetsResponse, ProduceResponse, RecordBatchHeader } from '@tributary/protocol'
import type { ProducerStateManager } from '@tributary/broker'
import { WireClient } from './fixtures/wire-client.ts'
import { recordBatch, startTestBroker } from './fixtures/test-broker.ts'
import { createTopicsRequest, fetchRequest, listOffsetsRequest, produceRequest } from './fixtures/requests.ts'

/** producerId 7: first batch appends, the same batch again is a duplicate; producerId 13 is fenced; LSO pinned at 1. */
function fakeProducerState(): ProducerStateManager & { appended: bigint[] } {
  const appended: bigint[] = []
  let firstOffset: bigint | undefined
  return {
    appended,
    check: (_topic, _partition, header: RecordBatchHeader) => {
      if (header.producerId === 13n) return { kind: 'error', errorCode: ErrorCode.ProducerFenced, errorMessage: 'fenced by a newer epoch' }
      if (firstOffset !== undefined) return { kind: 'duplicate', baseOffset: firstOffset }
      return { kind: 'append' }
    },
    onAppend: (_topic, _partition, _header, baseOffset) => {
      appended.push(baseOffset)
      firstOffset ??= baseOffset
    },
    lastStableOffset: (_topic, _partition, highWatermark) => (highWatermark < 1n ? highWatermark : 1n),
  }
}

test('duplicates, producer errors and the last stable offset come from the producer state manager', async () => {
  const producerState = fakeProducerState()
  const broker = await startTestBroker({ producerStateManager: producerState })
  const client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'idempotent' }]))
    const send = async (producerId: bigint, value: string) =>
      (await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('idempotent', { 0: recordBatch([value], Date.now(), { producerId }) }))).responses[0].partitionResponses[0]
    assert.equal((await send(-1n, 'plain')).baseOffset, 0n)
    assert.equal((await send(7n, 'first')).baseOffset, 1n)
    const retry = await send(7n, 'first')
    assert.deepEqual([retry.errorCode, retry.baseOffset], [ErrorCode.None, 1n])
    assert.deepEqual(producerState.appended, [1n], 'the duplicate was not appended')
    assert.equal((await send(13n, 'zombie')).errorCode, ErrorCode.ProducerFenced)

    const uncommitted = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'idempotent', partition: 0, fetchOffset: 0n }]))
    assert.equal(decodeRecordBatches(uncommitted.responses[0].partitions[0].records!).length, 2)
    const committed = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'idempotent', partition: 0, fetchOffset: 0n }], { isolationLevel: 1 }))
    const partition = committed.responses[0].partitions[0]
    assert.deepEqual([partition.highWatermark, partition.lastStableOffset], [2n, 1n])
    assert.deepEqual(decodeRecordBatches(partition.records!).map((batch) => batch.baseOffset), [0n], 'read_committed stops at the last stable offset')
    assert.deepEqual(partition.abortedTransactions, [])
    const latest = await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, { ...listOffsetsRequest('idempotent', 0, -1n), isolationLevel: 1 })
    assert.equal(latest.topics[0].partitions[0].offset, 1n)
  } finally {
    client.close()
    await broker.destroy()
  }
})
