import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Writer } from './writer.ts'
import { ProtocolEncodeError } from '../errors.ts'

/** One step of a write sequence; `bytes` steps exercise references, the others the buffer. */
type Step =
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'int32'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tagged'; readonly tag: number; readonly value: Uint8Array }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('int32' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ kind: fc.constant('string' as const), value: fc.string({ maxLength: 20 }) }),
  fc.record({ kind: fc.constant('tagged' as const), tag: fc.nat(40), value: fc.uint8Array({ maxLength: 200 }) }),
)

function run(writer: Writer, steps: readonly Step[]): void {
  const sizeAt = writer.reserveInt32()
  for (const current of steps) {
    if (current.kind === 'bytes') writer.writeCompactBytes(current.value)
    else if (current.kind === 'int32') writer.writeInt32(current.value)
    else if (current.kind === 'string') writer.writeCompactString(current.value)
    else {
      // A tagged field whose value holds a referenced byte string: endTaggedField must inline it.
      const start = writer.beginTaggedField(current.tag)
      writer.writeCompactBytes(current.value)
      writer.endTaggedField(start)
    }
  }
  writer.fillSizePrefix(sizeAt)
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(chunks.flatMap((chunk) => [...chunk]))
}

test('referencing writes the same bytes as copying, as chunks and as one array', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 30 }), fc.integer({ min: 0, max: 200 }), (steps, threshold) => {
      const copying = new Writer({ initialBytes: 8 })
      run(copying, steps)
      const referencing = new Writer({ initialBytes: 8, referenceBytesAtLeast: threshold })
      run(referencing, steps)
      const expected = copying.finish()
      assert.equal(referencing.length, expected.length)
      assert.deepEqual(concat(referencing.finishChunks()), Uint8Array.from(expected))
      assert.deepEqual(Uint8Array.from(referencing.finish()), Uint8Array.from(expected))
    }),
  )
})

test('large byte strings are not copied: the chunks hold the very same arrays', () => {
  const records = new Uint8Array(10_000).fill(7)
  const writer = new Writer({ referenceBytesAtLeast: 1024 })
  writer.writeInt32(1)
  writer.writeNullableBytes(records)
  writer.writeInt16(2)
  const chunks = writer.finishChunks()
  assert.equal(chunks.length, 3)
  assert.equal(chunks[1], records)
  assert.deepEqual([...chunks[0]], [0, 0, 0, 1, 0, 0, 0x27, 0x10])
  assert.deepEqual([...chunks[2]], [0, 2])
  assert.equal(writer.length, 8 + 10_000 + 2)
})

test('maxBytes counts referenced bytes', () => {
  const writer = new Writer({ maxBytes: 100, referenceBytesAtLeast: 50 })
  writer.writeRawBytes(new Uint8Array(60))
  assert.throws(() => writer.writeRawBytes(new Uint8Array(50)), ProtocolEncodeError)
  writer.writeRawBytes(new Uint8Array(30)) // copied: 90 bytes in all
  assert.equal(writer.length, 90)
  assert.throws(() => writer.writeRawBytes(new Uint8Array(11)), ProtocolEncodeError)
  writer.writeRawBytes(new Uint8Array(10))
  assert.equal(writer.length, 100)
})
