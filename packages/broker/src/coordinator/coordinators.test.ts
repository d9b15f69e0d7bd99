// The three coordinators working together the way the broker shell wires them: a transactional
// producer writes to a partition and commits consumer offsets in the same transaction; the
// transaction coordinator's markers close the transaction in the partition's producer state and
// in the group coordinator.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from './error-codes.ts'
import { GroupCoordinator } from './group/group-coordinator.ts'
import { PartitionProducerState } from './producer-state/partition-producer-state.ts'
import type { EndTransactionMarker } from './producer-state/partition-producer-state.ts'
import { TransactionCoordinator } from './transaction/transaction-coordinator.ts'
import type { WriteTxnMarkersEffect } from './transaction/transaction-types.ts'

test('a committed read-process-write transaction moves the last stable offset and makes its offsets visible', () => {
  const nowMs = 1_700_000_000_000
  const groups = new GroupCoordinator()
  const transactions = new TransactionCoordinator({ offsetsPartitionFor: (groupId) => groups.partitionFor(groupId) })
  const partition = new PartitionProducerState()
  let logEndOffset = 0

  const { producerId, producerEpoch } = transactions.initProducerId({ transactionalId: 'app', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, nowMs).response
  assert.equal(transactions.addPartitionsToTxn({ transactionalId: 'app', producerId, producerEpoch, topics: [{ name: 'out', partitions: [0] }] }, nowMs).response, ErrorCode.None)
  const batch = { producerId, producerEpoch, baseSequence: 0, lastOffsetDelta: 2, isTransactional: true, maxTimestampMs: nowMs }
  assert.equal(partition.check(batch).kind, 'append')
  partition.append(batch, logEndOffset)
  logEndOffset += 3
  assert.equal(partition.lastStableOffset(logEndOffset), 0)

  assert.equal(transactions.addOffsetsToTxn({ transactionalId: 'app', producerId, producerEpoch, groupId: 'g' }, nowMs).response, ErrorCode.None)
  groups.commitTransactionalOffsets({
    transactionalId: 'app', groupId: 'g', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }] }],
  }, nowMs)
  assert.equal(groups.fetchOffsets([{ groupId: 'g', topics: [{ name: 'in', partitionIndexes: [0] }] }], true)[0].topics[0].partitions[0].errorCode, ErrorCode.UnstableOffsetCommit)

  const ended = transactions.endTxn({ transactionalId: 'app', producerId, producerEpoch, committed: true }, nowMs)
  assert.equal(ended.response, ErrorCode.None)
  const markers = ended.effects.find((effect): effect is WriteTxnMarkersEffect => effect.type === 'writeTxnMarkers')
  assert.ok(markers !== undefined)
  for (const target of markers.partitions) {
    const marker: EndTransactionMarker = { producerId, producerEpoch: markers.producerEpoch, coordinatorEpoch: markers.coordinatorEpoch, isCommit: markers.committed }
    if (target.topic === '__consumer_offsets') {
      assert.equal(target.partition, groups.partitionFor('g'))
      groups.completeTransaction(producerId, markers.committed)
    } else {
      assert.equal(partition.checkEndTransactionMarker(marker).errorCode, ErrorCode.None)
      partition.appendEndTransactionMarker(marker, logEndOffset, nowMs)
      logEndOffset++
    }
  }
  transactions.onMarkersWritten('app', producerId, markers.producerEpoch, nowMs)

  assert.equal(transactions.describeTransactions(['app'])[0].transactionState, 'CompleteCommit')
  assert.equal(partition.lastStableOffset(logEndOffset), 4)
  assert.deepEqual(partition.abortedTransactions(0, logEndOffset), [])
  assert.equal(groups.committedOffsets('g')[0].offset, 42)
})
