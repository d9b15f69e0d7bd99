import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeFrame, FrameSplitter } from './frame-splitter.ts'

test('frames split at any chunk boundary come out whole and in order', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (frames, cuts) => {
    const stream = Buffer.concat(frames.map((frame) => encodeFrame(Buffer.from(frame))))
    const splitter = new FrameSplitter()
    const out: Buffer[] = []
    for (let offset = 0, i = 0; offset < stream.length; i++) {
      const size = cuts[i % cuts.length]
      out.push(...splitter.push(stream.subarray(offset, offset + size)))
      offset += size
    }
    assert.deepEqual(out.map((frame) => [...frame]), frames.map((frame) => [...frame]))
    assert.equal(splitter.pendingBytes, 0)
  }))
})

test('a negative or oversized frame size is an error', () => {
  assert.throws(() => new FrameSplitter().push(Buffer.from([0xff, 0xff, 0xff, 0xff])), /invalid frame size -1/)
  assert.throws(() => new FrameSplitter().push(Buffer.from([0x7f, 0, 0, 0])), /invalid frame size/)
})
