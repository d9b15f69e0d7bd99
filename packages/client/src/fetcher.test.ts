import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodePartition } from './fetcher.ts'

// Batches built by hand (the mock broker writes no transaction markers, so this is where
// read_committed filtering is checked).
function batch(firstOffset: bigint, producerId: bigint, attributes: number, values: string[]) {
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 3,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n,
    producerId,
    producerEpoch: 0,
    firstSequence: 0,
    records: values.map((value, index) => ({ length: 0, attributes: 0, timestampDelta: BigInt(index), offsetDelta: index, key: null, value: Buffer.from(value), headers: [] })),
  }
}

const transactional = 0x10
const control = 0x20
const response = {
  partitionIndex: 0,
  errorCode: 0,
  highWatermark: 8n,
  abortedTransactions: [{ producerId: 1n, firstOffset: 0n }],
  records: [
    batch(0n, 1n, transactional, ['aborted-0', 'aborted-1']),
    batch(2n, 2n, transactional, ['committed-2']),
    batch(3n, 1n, transactional | control, ['abort-marker']),
    batch(4n, 2n, transactional | control, ['commit-marker']),
    batch(5n, 1n, transactional, ['committed-5']),
    batch(6n, 9n, 0, ['plain-6', 'plain-7']),
  ],
}

test('read_committed drops aborted transactions and all control batches', () => {
  const result = decodePartition('t', response, 0n, 1)
  assert.deepEqual(result.records.map((record) => [record.offset, record.value!.toString()]), [
    [2n, 'committed-2'],
    [5n, 'committed-5'],
    [6n, 'plain-6'],
    [7n, 'plain-7'],
  ])
  assert.equal(result.nextOffset, 8n)
})

test('read_uncommitted keeps aborted data but never control batches', () => {
  const result = decodePartition('t', response, 0n, 0)
  assert.deepEqual(result.records.map((record) => record.offset), [0n, 1n, 2n, 5n, 6n, 7n])
})

test('records before the fetch offset (inside the first batch) are not returned', () => {
  const result = decodePartition('t', response, 7n, 0)
  assert.deepEqual(result.records.map((record) => record.offset), [7n])
  assert.equal(result.records[0].timestamp, 1001n)
  assert.equal(result.nextOffset, 8n)
})

test('a batch of only skipped records still advances the next offset', () => {
  const onlyMarker = { ...response, abortedTransactions: [], records: [batch(3n, 1n, transactional | control, ['marker'])] }
  const result = decodePartition('t', onlyMarker, 3n, 1)
  assert.deepEqual(result.records, [])
  assert.equal(result.nextOffset, 4n)
})
