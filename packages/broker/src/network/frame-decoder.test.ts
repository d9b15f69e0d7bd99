import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FrameDecoder, assemblyBufferMaxBytes } from './frame-decoder.ts'
import { BrokerError } from '../errors.ts'

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  out.set(body, 4)
  return out
}

test('frames split at any byte boundary come out whole and in order', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (bodies, cuts) => {
      const stream = Buffer.concat(bodies.map(frame))
      const decoder = new FrameDecoder(1000)
      const out: Buffer[] = []
      let position = 0
      let cut = 0
      while (position < stream.length) {
        const size = cuts[cut++ % cuts.length]
        decoder.push(stream.subarray(position, position + size))
        position += size
        for (let next = decoder.next(); next !== undefined; next = decoder.next()) out.push(Buffer.from(next))
      }
      assert.deepEqual(out.map((b) => [...b]), bodies.map((b) => [...b]))
      assert.equal(decoder.bufferedBytes, 0)
    }),
  )
})

test('a size prefix over the limit throws before the body arrives', () => {
  const decoder = new FrameDecoder(100)
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(101, 0)
  decoder.push(prefix)
  assert.throws(() => decoder.next(), (error: unknown) => error instanceof BrokerError && error.code === 'BROKER_FRAME_TOO_LARGE')
})

test('a negative size prefix throws', () => {
  const decoder = new FrameDecoder(100)
  decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))
  assert.throws(() => decoder.next(), BrokerError)
})

test('a frame exactly at the limit is accepted', () => {
  const decoder = new FrameDecoder(8)
  decoder.push(frame(new Uint8Array(8).fill(7)))
  assert.deepEqual([...decoder.next()!], [7, 7, 7, 7, 7, 7, 7, 7])
})

test('a frame spanning reads is copied once into a buffer of its own, not into a merge of everything buffered', () => {
  const decoder = new FrameDecoder(100_000)
  const big = frame(new Uint8Array(50_000).fill(5))
  const small = frame(Uint8Array.of(1, 2, 3))
  decoder.push(big.subarray(0, 20_000))
  assert.equal(decoder.next(), undefined)
  const tail = Buffer.concat([big.subarray(20_000), small])
  decoder.push(tail)
  const first = decoder.next()!
  assert.equal(first.length, 50_000)
  // The connection's assembly buffer (64 KiB here), never the socket read it was cut from.
  assert.equal(first.byteOffset, 0)
  assert.notEqual(first.buffer, tail.buffer)
  assert.equal(first.buffer.byteLength, 64 * 1024)
  assert.ok(first.every((byte) => byte === 5))
  const second = decoder.next()!
  assert.deepEqual([...second], [1, 2, 3])
  assert.equal(decoder.bufferedBytes, 0)
})

/** Pushes `frames` so that each one spans two socket reads; returns the frames as decoded, not copied. */
function decodeSpanning(decoder: FrameDecoder, frames: Buffer[], release: boolean): Buffer[] {
  const out: Buffer[] = []
  for (const whole of frames) {
    decoder.push(Buffer.from(whole.subarray(0, 10)))
    assert.equal(decoder.next(), undefined)
    decoder.push(Buffer.from(whole.subarray(10)))
    const next = decoder.next()!
    out.push(next)
    if (release) decoder.release(next)
  }
  return out
}

test('released frames that spanned reads share one assembly buffer', () => {
  const decoder = new FrameDecoder(100_000)
  const [first, second] = decodeSpanning(decoder, [frame(new Uint8Array(30_000).fill(1)), frame(new Uint8Array(20_000).fill(2))], true)
  assert.equal(first.buffer, second.buffer, 'the second frame reuses the first one\'s buffer')
  assert.ok(second.every((byte) => byte === 2))
})

test('a frame not released keeps its bytes while later frames are assembled', () => {
  const decoder = new FrameDecoder(100_000)
  const [first, second, third] = decodeSpanning(decoder, [frame(new Uint8Array(30_000).fill(1)), frame(new Uint8Array(20_000).fill(2)), frame(new Uint8Array(20_000).fill(3))], false)
  assert.notEqual(first.buffer, second.buffer)
  assert.notEqual(second.buffer, third.buffer)
  assert.ok(first.every((byte) => byte === 1))
  assert.ok(second.every((byte) => byte === 2))
  assert.ok(third.every((byte) => byte === 3))
})

test('releasing a frame that is not in the assembly buffer does not free it', () => {
  const decoder = new FrameDecoder(100_000)
  const [held] = decodeSpanning(decoder, [frame(new Uint8Array(30_000).fill(1))], false)
  // A whole frame in one read is a view of that read; releasing it must not free `held`'s buffer.
  decoder.push(frame(Uint8Array.of(9)))
  decoder.release(decoder.next()!)
  const [next] = decodeSpanning(decoder, [frame(new Uint8Array(30_000).fill(2))], false)
  assert.notEqual(next.buffer, held.buffer)
  assert.ok(held.every((byte) => byte === 1))
})

test('frames larger than the assembly bound get buffers of their own', () => {
  const decoder = new FrameDecoder(assemblyBufferMaxBytes * 2)
  const [first, second] = decodeSpanning(decoder, [frame(new Uint8Array(assemblyBufferMaxBytes + 1).fill(1)), frame(new Uint8Array(assemblyBufferMaxBytes + 1).fill(2))], true)
  assert.equal(first.buffer.byteLength, assemblyBufferMaxBytes + 1)
  assert.notEqual(first.buffer, second.buffer)
})
