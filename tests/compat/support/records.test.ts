// The compat suites' verdicts rest on verifyConsumed: it must see every kind of damage.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expectedOffsetsForTime, makeRecords, recordIndex, verifyConsumed } from './records.ts'
import type { ConsumedRecord } from './client-driver.ts'

const produced = makeRecords(3000, 'gzip')
const partitionOf = (key: string) => Number(key.slice(4)) % 4
function consumeAll(): ConsumedRecord[] {
  const nextOffset = [0, 0, 0, 0]
  return produced.map((record) => {
    const partition = partitionOf(record.key)
    return { partition, offset: nextOffset[partition]++, key: record.key, value: record.value, timestampMs: 1000 + recordIndex(record.value) }
  })
}

test('records carry their index and repeat 1000 keys', () => {
  assert.equal(recordIndex(produced[2999].value), 2999)
  assert.equal(new Set(produced.map((record) => record.key)).size, 1000)
})

test('an intact consumption passes', () => verifyConsumed(produced, consumeAll()))

test('loss, duplication, corruption, a wrong key, reordering and a key split across partitions all fail', () => {
  const damage: ((records: ConsumedRecord[]) => void)[] = [
    (records) => { records.pop() },
    (records) => { records.push({ ...records[5] }) },
    (records) => { records[7] = { ...records[7], value: records[7].value.replace('payload', 'paylOad') } },
    (records) => { records[9] = { ...records[9], key: 'key-x' } },
    (records) => { const a = records.findIndex((r) => r.partition === 1); const b = records.findIndex((r, i) => i > a && r.partition === 1); [records[a].offset, records[b].offset] = [records[b].offset, records[a].offset] },
    (records) => { records[11] = { ...records[11], partition: (records[11].partition + 1) % 4, offset: 99_999 } },
  ]
  for (const [index, harm] of damage.entries()) {
    const records = consumeAll()
    harm(records)
    assert.throws(() => verifyConsumed(produced, records), /consumed records differ/, `damage #${index} went unnoticed`)
  }
})

test('expected offsets for a time: the first offset at or after it, -1 when none', () => {
  const consumed = consumeAll()
  const expected = expectedOffsetsForTime(consumed, 5, 1000 + 2000)
  assert.equal(expected.get(4), -1)
  const first = consumed.find((record) => record.partition === 0 && record.timestampMs >= 3000)
  assert.equal(expected.get(0), first?.offset)
})
