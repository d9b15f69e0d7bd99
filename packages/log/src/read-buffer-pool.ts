// Reusable buffers for the Fetch read path. Each partition read copies up to a partition's fetch
// budget (1 MiB by default) out of the segment file into a buffer that lives only until the
// response has gone to the socket. At hundreds of MB/s these short-lived external buffers make
// V8 run full garbage collections just to free them. Reads take their buffer from this pool; the
// holder of the bytes gives the buffer back once nothing reads it any more (the broker's
// connection does, after the socket has taken the response). A buffer never given back is
// garbage collected like any other: giving back is an optimisation, never an obligation.
// Invariant: a buffer is handed out again only after `give` was called with a view of it, so the
// caller of `give` must be the last user of every view of that buffer.

/** Size of each pooled buffer; larger reads get a buffer of their own. */
export const READ_BUFFER_BYTES = 1024 * 1024
/** Reads smaller than this are cheap to allocate (Node's own pool serves the smallest ones). */
export const READ_BUFFER_MIN_POOLED_BYTES = 16 * 1024
/**
 * Free buffers kept at most (READ_BUFFER_BYTES each): bounds the memory the pool holds when idle.
 * One Fetch response may hold a buffer per partition up to fetch.max.bytes (50 MiB by default):
 * with 32, a consumer of 64 partitions had a third of its reads allocate fresh 1 MiB buffers on
 * every fetch, and those external allocations drove V8's full collections (~20% of consume CPU).
 */
export const READ_BUFFERS_POOLED_MAX = 64

export class ReadBufferPool {
  readonly bufferBytes: number
  readonly maxPooledBuffers: number
  readonly #free: ArrayBuffer[] = []
  /** Buffers handed out and not given back. */
  readonly #lent = new WeakSet<ArrayBuffer>()

  constructor(bufferBytes = READ_BUFFER_BYTES, maxPooledBuffers = READ_BUFFERS_POOLED_MAX) {
    this.bufferBytes = bufferBytes
    this.maxPooledBuffers = maxPooledBuffers
  }

  /** Free buffers held. */
  get pooledBuffers(): number {
    return this.#free.length
  }

  /** A buffer of `length` bytes with unspecified contents. */
  take(length: number): Buffer {
    if (length < READ_BUFFER_MIN_POOLED_BYTES || length > this.bufferBytes) return Buffer.allocUnsafe(length)
    const backing = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes).buffer
    this.#lent.add(backing)
    return Buffer.from(backing, 0, length)
  }

  /** Gives back the buffer behind `bytes` (a view returned by `take`, or of one); other bytes are ignored. */
  give(bytes: Uint8Array): void {
    const backing = bytes.buffer
    if (!(backing instanceof ArrayBuffer) || !this.#lent.has(backing)) return
    this.#lent.delete(backing)
    if (this.#free.length < this.maxPooledBuffers) this.#free.push(backing)
  }
}

/** The pool behind `PartitionLog.read`. */
export const readBufferPool = new ReadBufferPool()
