import { test } from 'node:test'
import assert from 'node:assert/strict'
import { READ_BUFFER_MIN_POOLED_BYTES, ReadBufferPool } from './read-buffer-pool.ts'

test('a buffer given back is handed out again; others are allocated', () => {
  const pool = new ReadBufferPool(64 * 1024, 2)
  const first = pool.take(40_000)
  assert.equal(first.length, 40_000)
  const second = pool.take(30_000)
  assert.notEqual(second.buffer, first.buffer)
  pool.give(first.subarray(10, 20))
  assert.equal(pool.pooledBuffers, 1)
  const third = pool.take(50_000)
  assert.equal(third.buffer, first.buffer)
  assert.equal(third.length, 50_000)
  assert.equal(pool.pooledBuffers, 0)
})

test('giving back twice, or bytes the pool never lent, changes nothing', () => {
  const pool = new ReadBufferPool(64 * 1024, 4)
  const lent = pool.take(40_000)
  pool.give(lent)
  pool.give(lent)
  pool.give(new Uint8Array(40_000))
  pool.give(Buffer.alloc(100))
  assert.equal(pool.pooledBuffers, 1)
  // Handed out once only: two takes get different buffers.
  assert.notEqual(pool.take(40_000).buffer, pool.take(40_000).buffer)
})

test('small and oversized reads are not pooled, and the free list is bounded', () => {
  const pool = new ReadBufferPool(64 * 1024, 2)
  const small = pool.take(READ_BUFFER_MIN_POOLED_BYTES - 1)
  const large = pool.take(64 * 1024 + 1)
  pool.give(small)
  pool.give(large)
  assert.equal(pool.pooledBuffers, 0)
  const lent = [pool.take(20_000), pool.take(20_000), pool.take(20_000)]
  for (const bytes of lent) pool.give(bytes)
  assert.equal(pool.pooledBuffers, 2)
})
