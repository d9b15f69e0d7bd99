// Transactions over a real socket with our own codecs: InitProducerId, AddPartitionsToTxn (v3
// and batched v4+ verifyOnly), transactional Produce (only to added partitions), read_committed
// Fetch (LSO, abortedTransactions) and ListOffsets, EndTxn commit/abort, DescribeTransactions,
// ListTransactions and fencing by a second InitProducerId.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import type {
  AddPartitionsToTxnResponse, DescribeTransactionsResponse, EndTxnResponse, FetchResponse, InitProducerIdResponse, ListOffsetsResponse,
  ListTransactionsResponse, ProduceResponse,
} from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest, fetchRequest } from './fixtures/requests.ts'
import { readPartition, startCoordinatedBroker } from './eos-scratch-fixtures.ts'

interface Producer { producerId: bigint; producerEpoch: number }

function transactionalBatch(producer: Producer, baseSequence: number, values: string[]): Uint8Array {
  return encodeRecordBatch(createRecordBatch({
    records: values.map((value) => ({ value: Buffer.from(value) })), timestamp: Date.now(), isTransactional: true, ...producer, baseSequence,
  }))
}

function produce(client: WireClient, transactionalId: string | null, partition: number, records: Uint8Array): Promise<ProduceResponse> {
  return client.request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 'ledger', partitionData: [{ index: partition, records }] }] })
}

function addPartitions(client: WireClient, producer: Producer, partitions: number[], topic = 'ledger'): Promise<AddPartitionsToTxnResponse> {
  return client.request<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 3, {
    transactions: [], v3AndBelowTransactionalId: 'wire-tx', v3AndBelowProducerId: producer.producerId, v3AndBelowProducerEpoch: producer.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  })
}

function endTxn(client: WireClient, producer: Producer, committed: boolean): Promise<EndTxnResponse> {
  return client.request<EndTxnResponse>(ApiKey.EndTxn, 3, { transactionalId: 'wire-tx', ...producer, committed })
}

async function initProducer(client: WireClient, transactionalId: string | null): Promise<Producer> {
  for (;;) {
    const response = await client.request<InitProducerIdResponse>(ApiKey.InitProducerId, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
    if (response.errorCode === ErrorCode.ConcurrentTransactions) continue
    assert.equal(response.errorCode, ErrorCode.None)
    return { producerId: response.producerId, producerEpoch: response.producerEpoch }
  }
}

test('transactions over the wire', async () => {
  const broker = await startCoordinatedBroker()
  const client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: 'ledger', numPartitions: 2 }]))
    const idempotent = await initProducer(client, null)
    assert.equal(idempotent.producerEpoch, 0)
    const producer = await initProducer(client, 'wire-tx')
    assert.notEqual(producer.producerId, idempotent.producerId)

    const unknown = await addPartitions(client, producer, [0], 'no-such-topic')
    assert.equal(unknown.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.UnknownTopicOrPartition)
    const notAdded = await produce(client, 'wire-tx', 0, transactionalBatch(producer, 0, ['too-early']))
    assert.equal(notAdded.responses[0].partitionResponses[0].errorCode, ErrorCode.InvalidTxnState)

    const added = await addPartitions(client, producer, [0])
    assert.equal(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.None)
    const verified = await client.request<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 4, {
      v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
      transactions: [{ transactionalId: 'wire-tx', ...producer, verifyOnly: true, topics: [{ name: 'ledger', partitions: [0, 1] }] }],
    })
    assert.deepEqual(verified.resultsByTransaction[0].topicResults[0].resultsByPartition.map((result) => [result.partitionIndex, result.partitionErrorCode]),
      [[0, ErrorCode.None], [1, ErrorCode.InvalidTxnState]])

    const first = await produce(client, 'wire-tx', 0, transactionalBatch(producer, 0, ['c1', 'c2']))
    assert.equal(first.responses[0].partitionResponses[0].errorCode, ErrorCode.None)
    const wrongPartition = await produce(client, 'wire-tx', 1, transactionalBatch(producer, 0, ['stray']))
    assert.equal(wrongPartition.responses[0].partitionResponses[0].errorCode, ErrorCode.InvalidTxnState)

    const open = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'ledger', partition: 0, fetchOffset: 0n }], { isolationLevel: 1 }))
    assert.deepEqual([open.responses[0].partitions[0].highWatermark, open.responses[0].partitions[0].lastStableOffset, open.responses[0].partitions[0].records?.length], [2n, 0n, 0])
    const latestCommitted = await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel: 1, timeoutMs: 0, topics: [{ name: 'ledger', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }] })
    assert.equal(latestCommitted.topics[0].partitions[0].offset, 0n)
    assert.deepEqual((await readPartition(broker.port, 'ledger', 0, 0)).records.map((record) => record.value), ['c1', 'c2'])

    const described = await client.request<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0, { transactionalIds: ['wire-tx', 'nope'] })
    assert.deepEqual(described.transactionStates.map((state) => [state.transactionalId, state.errorCode, state.transactionState, state.topics.map((topic) => [topic.topic, topic.partitions])]),
      [['wire-tx', 0, 'Ongoing', [['ledger', [0]]]], ['nope', ErrorCode.TransactionalIdNotFound, '', []]])
    const listed = await client.request<ListTransactionsResponse>(ApiKey.ListTransactions, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1n })
    assert.deepEqual([listed.unknownStateFilters, listed.transactionStates.map((state) => state.transactionalId)], [['Bogus'], ['wire-tx']])

    assert.equal((await endTxn(client, producer, true)).errorCode, ErrorCode.None)
    let committed = await readPartition(broker.port, 'ledger', 0, 1)
    assert.deepEqual(committed.records.map((record) => record.value), ['c1', 'c2'])
    assert.equal(committed.lastStableOffset, 3n, 'two records and the COMMIT marker')

    await addPartitions(client, producer, [0])
    await produce(client, 'wire-tx', 0, transactionalBatch(producer, 2, ['a1']))
    assert.equal((await endTxn(client, producer, false)).errorCode, ErrorCode.None)
    const aborted = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'ledger', partition: 0, fetchOffset: 0n }], { isolationLevel: 1 }))
    assert.deepEqual(aborted.responses[0].partitions[0].abortedTransactions, [{ producerId: producer.producerId, firstOffset: 3n }])
    const uncommittedView = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'ledger', partition: 0, fetchOffset: 0n }], { isolationLevel: 0 }))
    assert.equal(uncommittedView.responses[0].partitions[0].abortedTransactions, null)
    committed = await readPartition(broker.port, 'ledger', 0, 1)
    assert.deepEqual(committed.records.map((record) => record.value), ['c1', 'c2'])
    assert.deepEqual((await readPartition(broker.port, 'ledger', 0, 0)).records.map((record) => record.value), ['c1', 'c2', 'a1'])

    // A second InitProducerId with the same transactional id fences the first producer.
    await addPartitions(client, producer, [1])
    await produce(client, 'wire-tx', 1, transactionalBatch(producer, 0, ['zombie-1']))
    const successor = await initProducer(client, 'wire-tx')
    assert.equal(successor.producerId, producer.producerId)
    assert.ok(successor.producerEpoch > producer.producerEpoch)
    const fencedProduce = await produce(client, 'wire-tx', 1, transactionalBatch(producer, 1, ['zombie-2']))
    assert.equal(fencedProduce.responses[0].partitionResponses[0].errorCode, ErrorCode.InvalidProducerEpoch)
    assert.equal((await endTxn(client, producer, true)).errorCode, ErrorCode.ProducerFenced)
    assert.deepEqual((await readPartition(broker.port, 'ledger', 1, 1)).records, [], 'the fenced transaction was aborted')
  } finally {
    client.close()
    await broker.destroy()
  }
})
