// Golden batches produced by a real client (librdkafka 2.0.2 via python3-confluent-kafka, one
// per codec; raw snappy, LZ4 frame) and captured from librdkafka's mock broker by
// testdata/capture-librdkafka.py. The records are those of `expected_records()` in that script.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeRecordBatches, recordOffset, recordTimestamp } from './record-batch.ts'
import { compressionOf, validateRecordBatch } from './record-batch-header.ts'
import { isXerialFramed } from '../compression/snappy.ts'

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes))

for (const [compression, codec] of CODECS.entries()) {
  test(`decodes librdkafka's ${codec} batch`, () => {
    const blob = new Uint8Array(readFileSync(join(import.meta.dirname, 'testdata', `librdkafka-${codec}.bin`)))
    assert.equal(validateRecordBatch(blob).ok, true)
    const batches = decodeRecordBatches(blob)
    assert.equal(batches.length, 1)
    const batch = batches[0]
    assert.equal(compressionOf(batch.attributes), compression)
    assert.equal(batch.lastOffsetDelta, 4)
    assert.equal(batch.baseSequence, 0, 'idempotent producer')
    assert.ok(batch.producerId >= 0n)
    const decoded = batch.records.map((record) => ({
      offset: recordOffset(batch, record),
      timestamp: recordTimestamp(batch, record),
      key: text(record.key),
      value: text(record.value),
      headers: record.headers.map((header) => [header.key, text(header.value)]),
    }))
    const expected = [0, 1, 2, 3, 4].map((i) => ({
      offset: BigInt(i),
      timestamp: 1_700_000_000_000 + i,
      key: `key-${i}`,
      value: i === 3 ? null : `value-${i} `.repeat(40),
      headers: i % 2 === 0 ? [['trace-id', `t-${i}`], ['empty', null]] : [],
    }))
    assert.deepEqual(decoded, expected)
  })
}

test('librdkafka writes raw snappy (no xerial framing) and standard LZ4 frames', () => {
  const snappy = new Uint8Array(readFileSync(join(import.meta.dirname, 'testdata', 'librdkafka-snappy.bin')))
  assert.equal(isXerialFramed(snappy.subarray(61)), false)
  const lz4 = new Uint8Array(readFileSync(join(import.meta.dirname, 'testdata', 'librdkafka-lz4.bin')))
  assert.deepEqual([...lz4.subarray(61, 65)], [0x04, 0x22, 0x4d, 0x18])
})
