// Random sequences of InitProducerId / AddPartitionsToTxn / EndTxn / marker acknowledgements /
// time: epochs of a producer id never go backwards, every transaction can be finished, and a
// restart that replays `__transaction_state` reproduces exactly the live state.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TransactionHarness } from '../testing/transaction-harness.ts'

type Operation =
  | { kind: 'init'; id: number }
  | { kind: 'add'; id: number; partition: number }
  | { kind: 'end'; id: number; committed: boolean }
  | { kind: 'markers' }
  | { kind: 'advance'; ms: number }
  | { kind: 'restart' }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('init' as const), id: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 2 }), partition: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('end' as const), id: fc.integer({ min: 0, max: 2 }), committed: fc.boolean() }),
  fc.record({ kind: fc.constant('markers' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8_000 }) }),
  fc.record({ kind: fc.constant('restart' as const) }),
)

test('property: epochs only grow and replaying __transaction_state reproduces the live state', () => {
  fc.assert(fc.property(fc.array(operation, { maxLength: 50 }), (operations) => {
    const harness = new TransactionHarness()
    harness.run(harness.coordinator.activate(harness.now()))
    const producers = new Map<string, { producerId: number; producerEpoch: number }>()
    const highestEpoch = new Map<number, number>()
    const observe = () => {
      for (const described of harness.coordinator.describeTransactions(['tx-0', 'tx-1', 'tx-2'])) {
        if (described.errorCode !== 0) continue
        const previous = highestEpoch.get(described.producerId) ?? -1
        assert.ok(described.producerEpoch >= previous, `epoch of ${described.producerId} went from ${previous} to ${described.producerEpoch}`)
        highestEpoch.set(described.producerId, described.producerEpoch)
      }
    }
    for (const op of operations) {
      if (op.kind === 'init') {
        const result = harness.init(`tx-${op.id}`, { transactionTimeoutMs: 5_000 })
        if (result.errorCode === 0) producers.set(`tx-${op.id}`, result)
      } else if (op.kind === 'add' || op.kind === 'end') {
        const producer = producers.get(`tx-${op.id}`)
        if (producer === undefined) continue
        if (op.kind === 'add') harness.add(`tx-${op.id}`, producer.producerId, producer.producerEpoch, { topic: [op.partition] })
        else harness.end(`tx-${op.id}`, producer.producerId, producer.producerEpoch, op.committed)
      } else if (op.kind === 'markers') harness.writeMarkers()
      else if (op.kind === 'advance') harness.advance(op.ms)
      else harness.restart()
      observe()
    }
    const live = harness.coordinator.describeTransactions(['tx-0', 'tx-1', 'tx-2'])
    harness.restart()
    assert.deepEqual(harness.coordinator.describeTransactions(['tx-0', 'tx-1', 'tx-2']), live)
    // Drain: timeouts abort what is open, markers complete what is prepared.
    harness.advance(10_000)
    harness.writeMarkers()
    for (const described of harness.coordinator.describeTransactions(['tx-0', 'tx-1', 'tx-2'])) {
      if (described.errorCode !== 0) continue
      assert.ok(['Empty', 'CompleteCommit', 'CompleteAbort'].includes(described.transactionState), described.transactionState)
    }
  }), { numRuns: 200 })
})
