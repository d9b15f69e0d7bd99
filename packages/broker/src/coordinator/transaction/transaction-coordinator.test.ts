import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { TransactionHarness } from '../testing/transaction-harness.ts'
import { decodeTransactionRecord, transactionRecord } from './transaction-records.ts'
import type { TransactionMetadata } from './transaction-types.ts'

function ongoing(harness: TransactionHarness, transactionalId = 'tx', topics: Record<string, number[]> = { orders: [0, 1] }) {
  const { producerId, producerEpoch } = harness.init(transactionalId)
  assert.equal(harness.add(transactionalId, producerId, producerEpoch, topics), ErrorCode.None)
  return { producerId, producerEpoch }
}

describe('InitProducerId', () => {
  test('InitProducerId without transactional id hands out a fresh producer id with epoch 0 each time', () => {
    const harness = new TransactionHarness()
    const first = harness.init(null)
    const second = harness.init(null)
    assert.deepEqual([first.errorCode, first.producerEpoch, second.producerEpoch], [0, 0, 0])
    assert.notEqual(first.producerId, second.producerId)
  })

  test('InitProducerId for a transactional id keeps its producer id and bumps the epoch', () => {
    const harness = new TransactionHarness()
    const first = harness.init('tx')
    const second = harness.init('tx')
    assert.equal(first.producerEpoch, 0)
    assert.equal(second.producerId, first.producerId)
    assert.equal(second.producerEpoch, 1)
    assert.equal(harness.state('tx'), 'Empty')
  })

  test('an empty transactional id is INVALID_REQUEST and a timeout beyond transaction.max.timeout.ms is INVALID_TRANSACTION_TIMEOUT', () => {
    const harness = new TransactionHarness({ config: { transactionMaxTimeoutMs: 10_000 } })
    assert.equal(harness.init('').errorCode, ErrorCode.InvalidRequest)
    assert.equal(harness.init('tx', { transactionTimeoutMs: 10_001 }).errorCode, ErrorCode.InvalidTransactionTimeout)
    assert.equal(harness.init('tx', { transactionTimeoutMs: 0 }).errorCode, ErrorCode.InvalidTransactionTimeout)
  })

  test('InitProducerId while a transaction is ongoing aborts it under a bumped epoch and answers CONCURRENT_TRANSACTIONS', () => {
    const harness = new TransactionHarness()
    const zombie = ongoing(harness)
    assert.equal(harness.init('tx').errorCode, ErrorCode.ConcurrentTransactions)
    assert.equal(harness.state('tx'), 'PrepareAbort')
    const [markers] = harness.markerRequests
    assert.deepEqual([markers.committed, markers.producerEpoch], [false, zombie.producerEpoch + 1])
    assert.equal(harness.init('tx').errorCode, ErrorCode.ConcurrentTransactions, 'still aborting')
    harness.writeMarkers()
    assert.equal(harness.state('tx'), 'CompleteAbort')
    const retried = harness.init('tx')
    assert.deepEqual([retried.errorCode, retried.producerId, retried.producerEpoch], [ErrorCode.None, zombie.producerId, zombie.producerEpoch + 2])
    assert.equal(harness.end('tx', zombie.producerId, zombie.producerEpoch, true), ErrorCode.ProducerFenced)
  })

  test('KIP-360: InitProducerId with the current producer id and epoch bumps the epoch; a retry gets the same answer', () => {
    const harness = new TransactionHarness()
    const first = harness.init('tx')
    const bumped = harness.init('tx', { producerId: first.producerId, producerEpoch: first.producerEpoch })
    assert.deepEqual([bumped.producerId, bumped.producerEpoch], [first.producerId, first.producerEpoch + 1])
    const retry = harness.init('tx', { producerId: first.producerId, producerEpoch: first.producerEpoch })
    assert.deepEqual([retry.errorCode, retry.producerEpoch], [ErrorCode.None, bumped.producerEpoch])
    assert.equal(harness.init('tx', { producerId: first.producerId + 99, producerEpoch: 0 }).errorCode, ErrorCode.ProducerFenced)
    harness.init('tx', { producerId: first.producerId, producerEpoch: bumped.producerEpoch })
    assert.equal(harness.init('tx', { producerId: first.producerId, producerEpoch: first.producerEpoch }).errorCode, ErrorCode.ProducerFenced)
  })

  test('an exhausted epoch rotates the transactional id to a new producer id at epoch 0', () => {
    const harness = new TransactionHarness()
    const { producerId } = harness.init('tx')
    const exhausted: TransactionMetadata = {
      transactionalId: 'tx', producerId, previousProducerId: -1, producerEpoch: 32_766, lastProducerEpoch: 32_765, transactionTimeoutMs: 60_000,
      state: 'CompleteCommit', partitions: new Map(), transactionStartTimeMs: -1, transactionLastUpdateTimeMs: harness.now(),
    }
    harness.log.push({ type: 'appendRecords', topic: '__transaction_state', partition: 0, records: [transactionRecord('tx', exhausted)], transaction: null })
    harness.restart()
    const rotated = harness.init('tx', { producerId, producerEpoch: 32_766 })
    assert.notEqual(rotated.producerId, producerId)
    assert.equal(rotated.producerEpoch, 0)
    const retry = harness.init('tx', { producerId, producerEpoch: 32_766 })
    assert.deepEqual([retry.errorCode, retry.producerId, retry.producerEpoch], [ErrorCode.None, rotated.producerId, 0])
  })
})

describe('AddPartitionsToTxn / AddOffsetsToTxn', () => {
  test('adding partitions starts the transaction (Ongoing) and records them durably', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    assert.equal(harness.state('tx'), 'Ongoing')
    const appends = harness.log.length
    assert.equal(harness.add('tx', producerId, producerEpoch, { orders: [1] }), ErrorCode.None)
    assert.equal(harness.log.length, appends, 'partitions already in the transaction: nothing to write')
    assert.equal(harness.add('tx', producerId, producerEpoch, { payments: [3] }), ErrorCode.None)
    assert.deepEqual(harness.coordinator.describeTransactions(['tx'])[0].topics, [{ topic: 'orders', partitions: [0, 1] }, { topic: 'payments', partitions: [3] }])
  })

  test('AddPartitionsToTxn with a wrong producer id is INVALID_PRODUCER_ID_MAPPING and with an old epoch PRODUCER_FENCED', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = harness.init('tx')
    assert.equal(harness.add('tx', producerId + 1, producerEpoch, { t: [0] }), ErrorCode.InvalidProducerIdMapping)
    assert.equal(harness.add('unknown', producerId, producerEpoch, { t: [0] }), ErrorCode.InvalidProducerIdMapping)
    harness.init('tx')
    assert.equal(harness.add('tx', producerId, producerEpoch, { t: [0] }), ErrorCode.ProducerFenced)
    assert.equal(harness.add('', producerId, producerEpoch, { t: [0] }), ErrorCode.InvalidRequest)
  })

  test('AddOffsetsToTxn adds the group __consumer_offsets partition, which then receives a marker', () => {
    const harness = new TransactionHarness({ offsetsPartitionFor: (groupId) => groupId.length })
    const { producerId, producerEpoch } = ongoing(harness)
    const added = harness.run(harness.coordinator.addOffsetsToTxn({ transactionalId: 'tx', producerId, producerEpoch, groupId: 'group' }, harness.now())).response
    assert.equal(added, ErrorCode.None)
    harness.end('tx', producerId, producerEpoch, true)
    assert.deepEqual(harness.markerRequests[0].partitions.find((partition) => partition.topic === '__consumer_offsets'), { topic: '__consumer_offsets', partition: 5 })
  })

  test('verifyOnly reports which partitions are in the ongoing transaction', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    const verified = harness.coordinator.verifyPartitionsInTxn({ transactionalId: 'tx', producerId, producerEpoch, topics: [{ name: 'orders', partitions: [1, 7] }] })
    assert.deepEqual(verified[0].partitions.map((partition) => partition.errorCode), [ErrorCode.None, ErrorCode.InvalidTxnState])
  })
})

describe('EndTxn', () => {
  test('EndTxn commit prepares, asks for markers on every partition, and completes once they are written', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.None)
    assert.equal(harness.state('tx'), 'PrepareCommit')
    assert.deepEqual(harness.markerRequests.map((request) => [request.committed, request.producerId, request.producerEpoch, request.partitions.length]),
      [[true, producerId, producerEpoch, 2]])
    assert.equal(harness.add('tx', producerId, producerEpoch, { orders: [5] }), ErrorCode.ConcurrentTransactions)
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.ConcurrentTransactions)
    assert.equal(harness.end('tx', producerId, producerEpoch, false), ErrorCode.InvalidTxnState)
    assert.equal(harness.init('tx').errorCode, ErrorCode.ConcurrentTransactions)
    harness.writeMarkers()
    assert.equal(harness.state('tx'), 'CompleteCommit')
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.None, 'a retried commit succeeds')
    assert.equal(harness.end('tx', producerId, producerEpoch, false), ErrorCode.InvalidTxnState)
    assert.deepEqual(harness.log.map((append) => {
      const record = decodeTransactionRecord(append.records[0])
      return record.type === 'transaction' ? record.value?.state : 'block'
    }), ['block', 'Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit'])
  })

  test('EndTxn abort completes as CompleteAbort and the next transaction starts fresh', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    harness.end('tx', producerId, producerEpoch, false)
    assert.equal(harness.markerRequests[0].committed, false)
    harness.writeMarkers()
    assert.equal(harness.state('tx'), 'CompleteAbort')
    assert.equal(harness.add('tx', producerId, producerEpoch, { other: [0] }), ErrorCode.None)
    assert.deepEqual(harness.coordinator.describeTransactions(['tx'])[0].topics, [{ topic: 'other', partitions: [0] }])
  })

  test('EndTxn without an ongoing transaction is INVALID_TXN_STATE; with a wrong id or epoch it is rejected', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = harness.init('tx')
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.InvalidTxnState)
    assert.equal(harness.end('tx', producerId + 1, producerEpoch, true), ErrorCode.InvalidProducerIdMapping)
    assert.equal(harness.end('tx', producerId, producerEpoch + 1, true), ErrorCode.ProducerFenced)
    assert.equal(harness.end('nope', producerId, producerEpoch, true), ErrorCode.InvalidProducerIdMapping)
  })

  test('a stale markers acknowledgement (other epoch) is ignored', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    harness.end('tx', producerId, producerEpoch, true)
    harness.run(harness.coordinator.onMarkersWritten('tx', producerId, producerEpoch - 1, harness.now()))
    assert.equal(harness.state('tx'), 'PrepareCommit')
  })
})

describe('transaction timeout', () => {
  test('a transaction open longer than its timeout is aborted and its producer fenced', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = harness.init('tx', { transactionTimeoutMs: 10_000 })
    harness.advance(1_000)
    harness.add('tx', producerId, producerEpoch, { orders: [0] })
    harness.advance(9_999)
    assert.equal(harness.state('tx'), 'Ongoing')
    harness.advance(1)
    assert.equal(harness.state('tx'), 'PrepareAbort')
    assert.deepEqual([harness.markerRequests[0].committed, harness.markerRequests[0].producerEpoch], [false, producerEpoch + 1])
    harness.writeMarkers()
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.ProducerFenced)
    assert.equal(harness.add('tx', producerId, producerEpoch, { orders: [0] }), ErrorCode.ProducerFenced)
    assert.equal(harness.init('tx').producerEpoch, producerEpoch + 2)
  })

  test('a transaction ended in time is not aborted by its timeout', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = harness.init('tx', { transactionTimeoutMs: 10_000 })
    harness.add('tx', producerId, producerEpoch, { orders: [0] })
    harness.end('tx', producerId, producerEpoch, true)
    harness.writeMarkers()
    harness.advance(20_000)
    assert.equal(harness.state('tx'), 'CompleteCommit')
    assert.equal(harness.markerRequests.length, 0)
  })
})

describe('durability', () => {
  test('after a restart transactions are rebuilt and producer ids are never handed out twice', () => {
    const harness = new TransactionHarness({ config: { producerIdBlockSize: 3 } })
    const seen = new Set<number>()
    for (let i = 0; i < 4; i++) seen.add(harness.init(null).producerId)
    const { producerId, producerEpoch } = ongoing(harness, 'tx')
    harness.restart()
    assert.equal(harness.state('tx'), 'Ongoing')
    for (let i = 0; i < 4; i++) {
      const next = harness.init(null).producerId
      assert.ok(!seen.has(next) && next !== producerId, `producer id ${next} reused`)
      seen.add(next)
    }
    assert.equal(harness.end('tx', producerId, producerEpoch, true), ErrorCode.None)
  })

  test('a transaction caught in PrepareCommit by a restart resumes its markers', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness)
    harness.end('tx', producerId, producerEpoch, true)
    harness.restart()
    assert.equal(harness.markerRequests.length, 1)
    harness.writeMarkers()
    assert.equal(harness.state('tx'), 'CompleteCommit')
  })

  test('an ongoing transaction still times out after a restart', () => {
    const harness = new TransactionHarness()
    harness.init('tx', { transactionTimeoutMs: 10_000 })
    const { producerId, producerEpoch } = harness.coordinator.describeTransactions(['tx'])[0]
    harness.add('tx', producerId, producerEpoch, { orders: [0] })
    harness.advance(5_000)
    harness.restart()
    harness.advance(5_000)
    assert.equal(harness.state('tx'), 'PrepareAbort')
  })

  test('transactional ids idle past transactional.id.expiration.ms are removed with a tombstone', () => {
    const harness = new TransactionHarness({ config: { transactionalIdExpirationMs: 60_000, transactionalIdExpirationCheckIntervalMs: 10_000 } })
    harness.run(harness.coordinator.activate(harness.now()))
    harness.init('idle')
    ongoing(harness, 'busy')
    harness.advance(70_000)
    assert.equal(harness.coordinator.describeTransactions(['idle'])[0].errorCode, ErrorCode.TransactionalIdNotFound)
    assert.notEqual(harness.coordinator.describeTransactions(['busy'])[0].errorCode, ErrorCode.TransactionalIdNotFound)
    harness.restart()
    assert.equal(harness.coordinator.describeTransactions(['idle'])[0].errorCode, ErrorCode.TransactionalIdNotFound)
  })
})

describe('DescribeTransactions / ListTransactions', () => {
  test('DescribeTransactions reports state, producer, timeout, start time and partitions', () => {
    const harness = new TransactionHarness()
    const { producerId, producerEpoch } = ongoing(harness, 'tx', { b: [2, 1], a: [0] })
    const [described] = harness.coordinator.describeTransactions(['tx'])
    assert.deepEqual(described, {
      errorCode: 0, transactionalId: 'tx', transactionState: 'Ongoing', transactionTimeoutMs: 60_000, transactionStartTimeMs: harness.now(),
      producerId, producerEpoch, topics: [{ topic: 'b', partitions: [1, 2] }, { topic: 'a', partitions: [0] }],
    })
    assert.equal(harness.coordinator.describeTransactions(['missing'])[0].errorCode, ErrorCode.TransactionalIdNotFound)
  })

  test('ListTransactions filters by state, producer id and duration and reports unknown state filters', () => {
    const harness = new TransactionHarness()
    const first = ongoing(harness, 'one')
    harness.advance(5_000)
    ongoing(harness, 'two')
    harness.init('three')
    const list = (states: string[], producerIds: number[] = [], durationMs = -1) =>
      harness.coordinator.listTransactions(states, producerIds, durationMs, harness.now())
    assert.deepEqual(list(['Ongoing']).transactionStates.map((state) => state.transactionalId).sort(), ['one', 'two'])
    assert.deepEqual(list([], [first.producerId]).transactionStates.map((state) => state.transactionalId), ['one'])
    assert.deepEqual(list([], [], 1_000).transactionStates.map((state) => state.transactionalId), ['one'])
    assert.deepEqual(list(['Bogus']).unknownStateFilters, ['Bogus'])
    assert.equal(list([]).transactionStates.length, 3)
  })
})
