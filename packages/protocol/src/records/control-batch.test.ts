import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolDecodeError } from '../errors.ts'
import { ControlRecordType, decodeControlRecord, encodeControlBatch, isControlBatch } from './control-batch.ts'
import { decodeRecordBatch } from './record-batch.ts'
import { parseAttributes, readRecordBatchHeader, validateRecordBatch } from './record-batch-header.ts'

test('a COMMIT marker: transactional control batch with one control record', () => {
  const encoded = encodeControlBatch({ producerId: 4242n, producerEpoch: 3, baseOffset: 77n, timestamp: 1_700_000_000_000n, commit: true, coordinatorEpoch: 9 })
  assert.equal(validateRecordBatch(encoded).ok, true)
  const header = readRecordBatchHeader(encoded)
  assert.deepEqual(parseAttributes(header.attributes), { compression: 0, timestampType: 0, isTransactional: true, isControl: true, hasDeleteHorizonMs: false })
  assert.equal(header.baseSequence, -1)
  assert.equal(header.recordsCount, 1)
  assert.equal(header.lastOffset, 77n)
  const batch = decodeRecordBatch(encoded)
  assert.equal(isControlBatch(batch), true)
  assert.deepEqual([...(batch.records[0].key ?? [])], [0, 0, 0, 1])
  assert.deepEqual([...(batch.records[0].value ?? [])], [0, 0, 0, 0, 0, 9])
  assert.deepEqual(decodeControlRecord(batch.records[0]), { version: 0, type: ControlRecordType.Commit, coordinatorEpoch: 9 })
  assert.equal(batch.producerId, 4242n)
  assert.equal(batch.producerEpoch, 3)
  assert.equal(batch.maxTimestamp, 1_700_000_000_000n)
})

test('an ABORT marker', () => {
  const batch = decodeRecordBatch(encodeControlBatch({ producerId: 1n, producerEpoch: 0, baseOffset: 0n, timestamp: 5n, commit: false, coordinatorEpoch: -1 }))
  assert.deepEqual(decodeControlRecord(batch.records[0]), { version: 0, type: ControlRecordType.Abort, coordinatorEpoch: -1 })
})

test('other control types pass through; malformed control records are typed errors', () => {
  const base = { attributes: 0, timestampDelta: 0, offsetDelta: 0, headers: [] }
  assert.deepEqual(decodeControlRecord({ ...base, key: Uint8Array.of(0, 0, 0, 2), value: null }), { version: 0, type: ControlRecordType.LeaderChange })
  assert.throws(() => decodeControlRecord({ ...base, key: Uint8Array.of(0, 0), value: null }), ProtocolDecodeError)
  assert.throws(() => decodeControlRecord({ ...base, key: null, value: null }), ProtocolDecodeError)
  assert.throws(() => decodeControlRecord({ ...base, key: Uint8Array.of(0, 0, 0, 1), value: Uint8Array.of(0, 0) }), ProtocolDecodeError)
})
