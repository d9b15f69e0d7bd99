// Strings decoded through the reader's short-ASCII table (see #utf8 in reader.ts) must always be
// the bytes' own text, whatever was decoded before: repeats, table collisions, non-ASCII.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Reader } from './reader.ts'
import { Writer } from './writer.ts'

function encodeStrings(values: readonly string[]): Uint8Array {
  const writer = new Writer()
  for (const value of values) writer.writeCompactString(value)
  return Uint8Array.from(writer.finish())
}

function decodeStrings(bytes: Uint8Array, count: number): string[] {
  const reader = new Reader(bytes)
  return Array.from({ length: count }, () => reader.readCompactString())
}

test('short strings decode to their own text, repeated and interleaved', () => {
  const word = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('orders', 'orders-1', 'ordert', 'rdkafka', 'é-topic', ''))
  fc.assert(
    fc.property(fc.array(word, { maxLength: 40 }), (values) => {
      const doubled = [...values, ...values.toReversed()]
      assert.deepEqual(decodeStrings(encodeStrings(doubled), doubled.length), doubled.map((value) => new TextDecoder().decode(new TextEncoder().encode(value))))
    }),
  )
})

test('more distinct strings than table slots (so some share a slot) all decode correctly, twice', () => {
  // 2,000 same-length names cannot fit 1,024 slots: by pigeonhole some collide, whatever the hash.
  const names = Array.from({ length: 2000 }, (_, index) => `topic-${String(index).padStart(4, '0')}`)
  const sequence = [...names, ...names.toReversed(), ...names]
  assert.deepEqual(decodeStrings(encodeStrings(sequence), sequence.length), sequence)
})
