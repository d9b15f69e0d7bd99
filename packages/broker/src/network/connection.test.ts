// Connection behaviour over real loopback sockets with a plain dispatcher (no Kafka messages):
// request-order answers under out-of-order completion, partial frames, oversized frames,
// in-flight bound, idle timeout, frames written by reference, request buffers reused for a
// dispatcher that releases its frames.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { startListener } from './listener.ts'
import type { Listener } from './listener.ts'
import type { RequestDispatcher, ConnectionLimits } from './connection.ts'
import { systemClock } from '../system-clock.ts'
import { createLogger } from '../logger.ts'
import { FrameDecoder } from './frame-decoder.ts'
import { readBufferPool } from '@tributary/log'

const limits: ConnectionLimits = { maxRequestBytes: 1024, maxInFlightRequests: 4, idleTimeoutMs: 60_000 }

async function withListener(dispatch: RequestDispatcher, body: (listener: Listener) => Promise<void>, overrides: Partial<ConnectionLimits> = {}): Promise<void> {
  const listener = await startListener({
    host: '127.0.0.1', port: 0, limits: { ...limits, ...overrides }, maxConnections: 10, dispatch, clock: systemClock, logger: createLogger('silent'),
  })
  try {
    await body(listener)
  } finally {
    await listener.close(100)
  }
}

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  out.set(body, 4)
  return out
}

async function open(listener: Listener): Promise<Socket> {
  const socket = connect(listener.port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  return socket
}

/** Reads `count` response frames, or fewer if the socket closes. */
function readFrames(socket: Socket, count: number): Promise<{ frames: Buffer[]; closed: boolean }> {
  const decoder = new FrameDecoder(1 << 20)
  const frames: Buffer[] = []
  return new Promise((resolve) => {
    const finish = (closed: boolean): void => {
      socket.removeAllListeners('data')
      resolve({ frames, closed })
    }
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk)
      for (let next = decoder.next(); next !== undefined; next = decoder.next()) frames.push(Buffer.from(next))
      if (frames.length >= count) finish(false)
    })
    socket.once('close', () => finish(true))
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// First byte of a request = delay in ms before its echo; answers must keep request order.
const delayedEcho: RequestDispatcher = async (frameBytes) => {
  await sleep(frameBytes[0])
  return { kind: 'response', bytes: Buffer.from(frameBytes) }
}

test('pipelined requests are answered in request order when handlers finish out of order', async () => {
  await withListener(delayedEcho, async (listener) => {
    const socket = await open(listener)
    const delays = [40, 5, 30, 0, 10, 0, 20, 1]
    const reading = readFrames(socket, delays.length)
    socket.write(Buffer.concat(delays.map((delay, index) => frame(Uint8Array.of(delay, index)))))
    const { frames } = await reading
    assert.deepEqual(frames.map((f) => f[1]), delays.map((_, index) => index))
    socket.destroy()
  })
})

test('a frame sent one byte at a time is assembled', async () => {
  await withListener(delayedEcho, async (listener) => {
    const socket = await open(listener)
    const reading = readFrames(socket, 1)
    const bytes = frame(Uint8Array.of(0, 1, 2, 3, 4, 5))
    for (const byte of bytes) {
      socket.write(Uint8Array.of(byte))
      await sleep(1)
    }
    const { frames } = await reading
    assert.deepEqual([...frames[0]], [0, 1, 2, 3, 4, 5])
    socket.destroy()
  })
})

test('an oversized size prefix closes that connection only', async () => {
  await withListener(delayedEcho, async (listener) => {
    const bad = await open(listener)
    const good = await open(listener)
    const badResult = readFrames(bad, 1)
    bad.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]))
    assert.equal((await badResult).closed, true)
    const goodResult = readFrames(good, 1)
    good.write(frame(Uint8Array.of(0, 42)))
    assert.equal((await goodResult).frames[0][1], 42)
    good.destroy()
  })
})

test('no more than maxInFlightRequests are dispatched at once', async () => {
  let active = 0
  let peak = 0
  const dispatch: RequestDispatcher = async (frameBytes) => {
    active++
    peak = Math.max(peak, active)
    await sleep(2)
    active--
    return { kind: 'response', bytes: Buffer.from(frameBytes) }
  }
  await withListener(dispatch, async (listener) => {
    const socket = await open(listener)
    const count = 50
    const reading = readFrames(socket, count)
    socket.write(Buffer.concat(Array.from({ length: count }, (_, index) => frame(Uint8Array.of(index)))))
    const { frames } = await reading
    assert.equal(frames.length, count)
    assert.deepEqual(frames.map((f) => f[0]), Array.from({ length: count }, (_, index) => index))
    assert.ok(peak <= limits.maxInFlightRequests, `peak ${peak}`)
    socket.destroy()
  })
})

test('a request with no response keeps later responses in order', async () => {
  const dispatch: RequestDispatcher = (frameBytes) => (frameBytes[0] === 0 ? { kind: 'none' } : { kind: 'response', bytes: Buffer.from(frameBytes) })
  await withListener(dispatch, async (listener) => {
    const socket = await open(listener)
    const reading = readFrames(socket, 2)
    socket.write(Buffer.concat([frame(Uint8Array.of(1)), frame(Uint8Array.of(0)), frame(Uint8Array.of(2))]))
    const { frames } = await reading
    assert.deepEqual(frames.map((f) => f[0]), [1, 2])
    socket.destroy()
  })
})

test('a close outcome answers earlier requests, then closes', async () => {
  const dispatch: RequestDispatcher = (frameBytes) => (frameBytes[0] === 9 ? { kind: 'close', reason: 'test' } : { kind: 'response', bytes: Buffer.from(frameBytes) })
  await withListener(dispatch, async (listener) => {
    const socket = await open(listener)
    const reading = readFrames(socket, 3)
    socket.write(Buffer.concat([frame(Uint8Array.of(1)), frame(Uint8Array.of(9)), frame(Uint8Array.of(2))]))
    const { frames, closed } = await reading
    assert.deepEqual(frames.map((f) => f[0]), [1])
    assert.equal(closed, true)
  })
})

test('an idle connection is closed after idleTimeoutMs', async () => {
  await withListener(delayedEcho, async (listener) => {
    const socket = await open(listener)
    const started = Date.now()
    const { closed } = await readFrames(socket, 1)
    assert.equal(closed, true)
    assert.ok(Date.now() - started >= 80, 'closed too early')
    for (let wait = 0; wait < 50 && listener.connections.size > 0; wait++) await sleep(2)
    assert.equal(listener.connections.size, 0)
  }, { idleTimeoutMs: 100 })
})

test('a connection with traffic is not idle', async () => {
  await withListener(delayedEcho, async (listener) => {
    const socket = await open(listener)
    for (let round = 0; round < 6; round++) {
      const reading = readFrames(socket, 1)
      socket.write(frame(Uint8Array.of(0)))
      assert.equal((await reading).closed, false)
      await sleep(50)
    }
    socket.destroy()
  }, { idleTimeoutMs: 150 })
})

test('frame outcomes go out as their chunks; pooled read buffers of recyclable frames return to the pool once sent', async () => {
  const recycled = readBufferPool.take(64 * 1024).fill(9)
  const kept = readBufferPool.take(64 * 1024).fill(8)
  const dispatch: RequestDispatcher = (frameBytes) => {
    const recyclable = frameBytes[0] === 1
    const body = [Uint8Array.of(1, 2), (recyclable ? recycled : kept).subarray(0, 50_000), Uint8Array.of(3)]
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(50_003, 0)
    return { kind: 'frame', chunks: [prefix, ...body], recyclable }
  }
  await withListener(dispatch, async (listener) => {
    const socket = await open(listener)
    const reading = readFrames(socket, 2)
    const pooledBefore = readBufferPool.pooledBuffers
    socket.write(Buffer.concat([frame(Uint8Array.of(1)), frame(Uint8Array.of(2))]))
    const { frames } = await reading
    for (const [index, fill] of [[0, 9], [1, 8]]) {
      assert.equal(frames[index].length, 50_003)
      assert.deepEqual([...frames[index].subarray(0, 3)], [1, 2, fill])
      assert.deepEqual([...frames[index].subarray(50_001)], [fill, 3])
    }
    // Only the recyclable frame's buffer is free again: the next pooled take reuses it.
    assert.equal(readBufferPool.pooledBuffers, pooledBefore + 1)
    assert.equal(readBufferPool.take(64 * 1024).buffer, recycled.buffer)
    socket.destroy()
  })
})

test('a dispatcher that releases its frames sees every frame intact while the connection reuses the assembly buffer', async () => {
  // Each request body is 40,000 bytes of one value (above what Node's shared allocation pool
  // serves, half of Buffer.poolSize = 64 KiB, so a frame copied anew gets a buffer of its own),
  // written in pieces so that every frame spans socket reads.
  const bodies = Array.from({ length: 12 }, (_, index) => new Uint8Array(40_000).fill(index + 1))
  const buffers = new Set<ArrayBufferLike>()
  const seen: number[] = []
  const dispatch: RequestDispatcher = Object.assign(
    (request: Buffer) => {
      // The frame must hold exactly its own body when dispatched, even though its buffer is reused.
      seen.push(request.every((byte) => byte === request[0]) && request.length === 40_000 ? request[0] : -1)
      buffers.add(request.buffer)
      return { kind: 'response' as const, bytes: Uint8Array.of(request[0]) }
    },
    { releasesFrame: () => true },
  )
  await withListener(dispatch, async (listener) => {
    const socket = await open(listener)
    const responses = readFrames(socket, bodies.length)
    const stream = Buffer.concat(bodies.map(frame))
    // 16,000-byte writes with a pause after each, so the broker reads them one at a time.
    for (let position = 0; position < stream.length; position += 16_000) {
      socket.write(stream.subarray(position, position + 16_000))
      await sleep(20)
    }
    const { frames } = await responses
    assert.deepEqual(frames.map((response) => response[0]), bodies.map((body) => body[0]))
    socket.destroy()
  }, { maxRequestBytes: 65_536 })
  assert.deepEqual(seen, bodies.map((body) => body[0]))
  // One assembly buffer served every frame (each spanned reads); without reuse there would be 12.
  assert.equal(buffers.size, 1)
})
