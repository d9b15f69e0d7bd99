import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ErrorCode } from '../error-codes.ts'
import { incrementSequence, PartitionProducerState } from './partition-producer-state.ts'
import type { LoggedBatch, ProducerBatchHeader } from './partition-producer-state.ts'

function header(fields: Partial<ProducerBatchHeader> = {}): ProducerBatchHeader {
  return { producerId: 1000, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 0, isTransactional: false, maxTimestampMs: 1_000, ...fields }
}

/** A tiny log: checks each batch, appends at the log end offset when allowed. */
class Log {
  readonly state = new PartitionProducerState()
  logEndOffset = 0
  produce(fields: Partial<ProducerBatchHeader>) {
    const batch = header(fields)
    const check = this.state.check(batch)
    if (check.kind === 'append') {
      this.state.append(batch, this.logEndOffset)
      const baseOffset = this.logEndOffset
      this.logEndOffset += batch.lastOffsetDelta + 1
      return { ...check, baseOffset }
    }
    return check
  }
  marker(producerId: number, producerEpoch: number, isCommit: boolean, coordinatorEpoch = 0) {
    const marker = { producerId, producerEpoch, coordinatorEpoch, isCommit }
    const checked = this.state.checkEndTransactionMarker(marker)
    if (checked.errorCode !== ErrorCode.None) return checked
    const completed = this.state.appendEndTransactionMarker(marker, this.logEndOffset, 1_000, this.logEndOffset + 1)
    this.logEndOffset++
    return completed
  }
}

describe('idempotent producer state', () => {
  test('batches in sequence are appended', () => {
    const log = new Log()
    assert.equal(log.produce({ baseSequence: 0, lastOffsetDelta: 4 }).kind, 'append')
    assert.equal(log.produce({ baseSequence: 5, lastOffsetDelta: 0 }).kind, 'append')
    assert.equal(log.state.producer(1000)?.batches.at(-1)?.lastSequence, 5)
  })

  test('a retried batch is a duplicate answered with the offsets of the original', () => {
    const log = new Log()
    log.produce({ baseSequence: 0, lastOffsetDelta: 2 })
    log.produce({ baseSequence: 3, lastOffsetDelta: 2 })
    assert.deepEqual(log.produce({ baseSequence: 0, lastOffsetDelta: 2 }), { kind: 'duplicate', firstOffset: 0, lastOffset: 2, timestampMs: 1_000 })
    assert.equal(log.logEndOffset, 6)
  })

  test('only the last five batches are remembered for duplicate detection', () => {
    const log = new Log()
    for (let sequence = 0; sequence < 6; sequence++) log.produce({ baseSequence: sequence })
    assert.equal(log.state.producer(1000)?.batches.length, 5)
    const retryOfFirst = log.produce({ baseSequence: 0 })
    assert.equal(retryOfFirst.kind, 'error')
    assert.equal(retryOfFirst.kind === 'error' && retryOfFirst.errorCode, ErrorCode.OutOfOrderSequenceNumber)
    assert.equal(log.produce({ baseSequence: 1 }).kind, 'duplicate')
  })

  test('a gap in sequence numbers is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const log = new Log()
    log.produce({ baseSequence: 0 })
    const gap = log.produce({ baseSequence: 2 })
    assert.ok(gap.kind === 'error')
    assert.equal(gap.errorCode, ErrorCode.OutOfOrderSequenceNumber)
  })

  test('a batch from an older epoch is INVALID_PRODUCER_EPOCH', () => {
    const log = new Log()
    log.produce({ producerEpoch: 3, baseSequence: 0 })
    const zombie = log.produce({ producerEpoch: 2, baseSequence: 1 })
    assert.ok(zombie.kind === 'error')
    assert.equal(zombie.errorCode, ErrorCode.InvalidProducerEpoch)
  })

  test('an epoch bump restarts sequences at 0; any other first sequence is out of order', () => {
    const log = new Log()
    log.produce({ producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 9 })
    const wrong = log.produce({ producerEpoch: 1, baseSequence: 10 })
    assert.ok(wrong.kind === 'error')
    assert.equal(wrong.errorCode, ErrorCode.OutOfOrderSequenceNumber)
    assert.equal(log.produce({ producerEpoch: 1, baseSequence: 0 }).kind, 'append')
    assert.deepEqual(log.state.producer(1000)?.batches.map((batch) => batch.firstSequence), [0])
  })

  test('an unknown producer may start at any sequence (Kafka ≥ 2.5, KIP-360)', () => {
    const log = new Log()
    assert.equal(log.produce({ producerId: 5, baseSequence: 1234 }).kind, 'append')
    assert.equal(log.produce({ producerId: 5, baseSequence: 1235 }).kind, 'append')
  })

  test('sequence numbers wrap from int32 max to 0', () => {
    const log = new Log()
    log.produce({ baseSequence: 2_147_483_646, lastOffsetDelta: 1 })
    assert.equal(log.produce({ baseSequence: 0 }).kind, 'append')
    assert.equal(incrementSequence(2_147_483_647, 1), 0)
    assert.equal(incrementSequence(2_147_483_640, 10), 2)
  })

  test('non-idempotent batches (producerId -1) carry no state', () => {
    const log = new Log()
    assert.equal(log.produce({ producerId: -1, baseSequence: -1 }).kind, 'append')
    assert.equal(log.produce({ producerId: -1, baseSequence: -1 }).kind, 'append')
    assert.deepEqual(log.state.producers(), [])
  })

  test('idle producers without open transactions expire after producer.id.expiration.ms', () => {
    const state = new PartitionProducerState({ producerIdExpirationMs: 1_000 })
    state.append(header({ producerId: 1, maxTimestampMs: 0 }), 0)
    state.append(header({ producerId: 2, maxTimestampMs: 0, isTransactional: true }), 1)
    state.append(header({ producerId: 3, maxTimestampMs: 900 }), 2)
    assert.deepEqual(state.removeExpiredProducers(1_000), [1])
  })

  test('property: any in-order stream of batches is accepted and every retry is a duplicate', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2_147_483_647 }), (sizes, start) => {
      const log = new Log()
      let sequence = start
      const appended: Array<{ baseSequence: number; lastOffsetDelta: number; baseOffset: number }> = []
      for (const lastOffsetDelta of sizes) {
        const result = log.produce({ producerId: 9, baseSequence: sequence, lastOffsetDelta })
        assert.equal(result.kind, 'append')
        appended.push({ baseSequence: sequence, lastOffsetDelta, baseOffset: (result as { baseOffset: number }).baseOffset })
        sequence = incrementSequence(sequence, lastOffsetDelta + 1)
      }
      for (const batch of appended.slice(-5)) {
        const retry = log.produce({ producerId: 9, baseSequence: batch.baseSequence, lastOffsetDelta: batch.lastOffsetDelta })
        assert.deepEqual(retry, { kind: 'duplicate', firstOffset: batch.baseOffset, lastOffset: batch.baseOffset + batch.lastOffsetDelta, timestampMs: 1_000 })
      }
    }))
  })
})

describe('transactional producer state', () => {
  test('the last stable offset stops at the first offset of the oldest open transaction', () => {
    const log = new Log()
    log.produce({ producerId: 1, baseSequence: 0, lastOffsetDelta: 1 }) // 0-1 non-transactional
    log.produce({ producerId: 2, isTransactional: true, lastOffsetDelta: 2 }) // 2-4
    log.produce({ producerId: 3, isTransactional: true }) // 5
    assert.equal(log.state.lastStableOffset(log.logEndOffset), 2)
    log.marker(2, 0, true) // 6
    assert.equal(log.state.lastStableOffset(log.logEndOffset), 5)
    log.marker(3, 0, true)
    assert.equal(log.state.lastStableOffset(log.logEndOffset), log.logEndOffset)
  })

  test('an abort marker records the aborted transaction for read_committed fetches', () => {
    const log = new Log()
    log.produce({ producerId: 1, isTransactional: true, lastOffsetDelta: 2 }) // 0-2
    log.produce({ producerId: 2, isTransactional: true }) // 3
    const completed = log.marker(1, 0, false) // 4
    assert.deepEqual(completed, { producerId: 1, firstOffset: 0, lastOffset: 4, isAborted: true })
    log.marker(2, 0, true) // 5
    log.produce({ producerId: 3, isTransactional: true }) // 6
    log.marker(3, 0, false) // 7
    assert.deepEqual(log.state.abortedTransactions(0, 8).map((aborted) => [aborted.producerId, aborted.firstOffset, aborted.lastOffset]), [[1, 0, 4], [3, 6, 7]])
    assert.deepEqual(log.state.abortedTransactions(5, 8).map((aborted) => aborted.producerId), [3])
    assert.deepEqual(log.state.abortedTransactions(0, 4).map((aborted) => aborted.producerId), [1])
    assert.deepEqual(log.state.abortedTransactions(5, 6), [])
    assert.equal(log.state.abortedTransactions(0, 8)[0].lastStableOffset, 3, 'producer 2 was still open')
  })

  test('a non-transactional batch from a producer with an open transaction is INVALID_TXN_STATE', () => {
    const log = new Log()
    log.produce({ isTransactional: true, baseSequence: 0 })
    const result = log.produce({ isTransactional: false, baseSequence: 1 })
    assert.ok(result.kind === 'error')
    assert.equal(result.errorCode, ErrorCode.InvalidTxnState)
  })

  test('a marker with an older producer epoch is rejected; a newer one (fencing abort) bumps the epoch', () => {
    const log = new Log()
    log.produce({ producerEpoch: 4, isTransactional: true })
    assert.deepEqual(log.marker(1000, 3, true), { errorCode: ErrorCode.InvalidProducerEpoch })
    const fenced = log.marker(1000, 5, false)
    assert.ok('isAborted' in fenced && fenced.isAborted)
    assert.equal(log.state.producer(1000)?.producerEpoch, 5)
    const zombie = log.produce({ producerEpoch: 4, baseSequence: 1, isTransactional: true })
    assert.ok(zombie.kind === 'error')
    assert.equal(zombie.errorCode, ErrorCode.InvalidProducerEpoch)
  })

  test('a marker from an older coordinator epoch is TRANSACTION_COORDINATOR_FENCED', () => {
    const log = new Log()
    log.produce({ isTransactional: true })
    log.marker(1000, 0, true, 5)
    log.produce({ isTransactional: true, baseSequence: 1 })
    assert.deepEqual(log.marker(1000, 0, true, 4), { errorCode: ErrorCode.TransactionCoordinatorFenced })
  })

  test('aborted-transaction entries before the log start offset are dropped', () => {
    const log = new Log()
    log.produce({ isTransactional: true })
    log.marker(1000, 0, false)
    log.state.onLogStartOffsetIncremented(2)
    assert.deepEqual(log.state.abortedTransactions(0, 10), [])
  })
})

describe('rebuildFrom', () => {
  test('scanning the log rebuilds sequences, open transactions and the aborted index', () => {
    const log = new Log()
    const batches: LoggedBatch[] = []
    const produce = (fields: Partial<ProducerBatchHeader>) => {
      const result = log.produce(fields)
      assert.ok(result.kind === 'append')
      batches.push({ ...header(fields), baseOffset: result.baseOffset, control: null })
    }
    const marker = (producerId: number, isCommit: boolean) => {
      batches.push({ ...header({ producerId, isTransactional: true, lastOffsetDelta: 0, baseSequence: -1 }), baseOffset: log.logEndOffset, control: { isCommit, coordinatorEpoch: 0 } })
      log.marker(producerId, 0, isCommit)
    }
    produce({ producerId: 1, baseSequence: 0, lastOffsetDelta: 3 })
    produce({ producerId: 2, isTransactional: true, baseSequence: 0 })
    marker(2, false)
    produce({ producerId: 3, isTransactional: true, baseSequence: 0, lastOffsetDelta: 1 })
    batches.push({ ...header({ producerId: -1, baseSequence: -1 }), baseOffset: log.logEndOffset, control: null })
    const rebuilt = new PartitionProducerState()
    rebuilt.rebuildFrom(batches)
    assert.deepEqual(rebuilt.check(header({ producerId: 1, baseSequence: 0, lastOffsetDelta: 3 })), { kind: 'duplicate', firstOffset: 0, lastOffset: 3, timestampMs: 1_000 })
    assert.equal(rebuilt.check(header({ producerId: 1, baseSequence: 4 })).kind, 'append')
    assert.equal(rebuilt.lastStableOffset(100), 6)
    assert.deepEqual(rebuilt.abortedTransactions(0, 100), log.state.abortedTransactions(0, 100))
  })
})
