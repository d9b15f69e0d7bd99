import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CoordinatorRecordError } from '../record-codec.ts'
import { decodeTransactionRecord, producerIdBlockRecord, transactionRecord } from './transaction-records.ts'
import type { TransactionMetadata } from './transaction-types.ts'

test('transaction log records round-trip, tombstones and producer id blocks included', () => {
  const metadata: TransactionMetadata = {
    transactionalId: 'tx-ü', producerId: 2 ** 40, previousProducerId: 7, producerEpoch: 32_767, lastProducerEpoch: -1,
    transactionTimeoutMs: 60_000, state: 'PrepareCommit', partitions: new Map([['orders', new Set([0, 3])], ['__consumer_offsets', new Set([12])]]),
    transactionStartTimeMs: 1_700_000_000_000, transactionLastUpdateTimeMs: 1_700_000_000_500,
  }
  assert.deepEqual(decodeTransactionRecord(transactionRecord('tx-ü', metadata)), { type: 'transaction', transactionalId: 'tx-ü', value: metadata })
  assert.deepEqual(decodeTransactionRecord(transactionRecord('tx', null)), { type: 'transaction', transactionalId: 'tx', value: null })
  assert.deepEqual(decodeTransactionRecord(producerIdBlockRecord(1000, 2000)), { type: 'producerIdBlock', blockStart: 1000, blockEnd: 2000 })
})

test('a corrupt transaction log record is rejected with CoordinatorRecordError', () => {
  const record = producerIdBlockRecord(0, 10)
  assert.throws(() => decodeTransactionRecord({ key: record.key, value: record.value!.subarray(0, 9) }), CoordinatorRecordError)
  assert.throws(() => decodeTransactionRecord({ key: new Uint8Array([0, 7]), value: null }), CoordinatorRecordError)
})
