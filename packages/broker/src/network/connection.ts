// One client connection: reads size-prefixed frames, hands each to the dispatcher, and writes
// the responses back in request order even when handlers finish out of order (a long-poll
// fetch followed by a metadata request). Every buffer is bounded:
// - a frame larger than `maxRequestBytes` closes the connection before its body is buffered;
// - at most `maxInFlightRequests` requests are dispatched and unanswered; past that the socket
//   is paused, so the kernel's TCP window pushes back on the client;
// - while the socket cannot take more writes (the client does not read), reading stops too.
// A connection with no traffic and nothing in flight for `idleTimeoutMs` is closed.
// Writes are coalesced: responses are queued and handed to the socket by a setImmediate
// callback, so all responses finished in one event-loop round (a pipelined burst of produce
// requests read in several socket reads, the chunks of a fetch response) leave in one write.
import type { Socket } from 'node:net'
import type { Clock } from '@tributary/protocol'
import { FrameDecoder, framePrefixBytes } from './frame-decoder.ts'
import type { Logger } from '../logger.ts'

/** Queued response bytes up to this total are copied into one buffer rather than written as a writev of chunks. */
const copyQueuedBytesAtMost = 16 * 1024

/** What the dispatcher decided for one request. */
export type RequestOutcome =
  /** Bytes of the response (header + body, without the size prefix). */
  | { readonly kind: 'response'; readonly bytes: Uint8Array }
  /**
   * The whole response frame, size prefix included, as consecutive chunks (written as they are,
   * without copying: the chunks must not change until written). `recyclable`: nothing but this
   * frame uses the chunks' buffers, so once written they go to `onFrameWritten` for reuse.
   */
  | { readonly kind: 'frame'; readonly chunks: readonly Uint8Array[]; readonly recyclable?: boolean }
  /** The request takes no response (Produce with acks=0). */
  | { readonly kind: 'none' }
  /** Close the connection after answering the requests before this one. */
  | { readonly kind: 'close'; readonly reason: string }

/** Facts about the connection that handlers may read. */
export interface ConnectionInfo {
  readonly connectionId: number
  readonly remoteAddress: string
  /** Aborted when the connection closes, so long-poll handlers can stop waiting. */
  readonly signal: AbortSignal
}

/**
 * Decodes one request frame and produces its outcome. Must not throw (throwing closes the
 * connection). `releasesFrame(frame)`, when present and true for a frame, promises that once the
 * dispatcher has returned (even a promise) nothing reads or keeps that frame's bytes, so the
 * connection may reuse its buffer.
 */
export type RequestDispatcher = ((frame: Buffer, connection: ConnectionInfo) => RequestOutcome | Promise<RequestOutcome>) & {
  readonly releasesFrame?: (frame: Buffer) => boolean
}

/** Limits of one connection. */
export interface ConnectionLimits {
  /** Largest accepted request frame, in bytes (Kafka's socket.request.max.bytes). */
  readonly maxRequestBytes: number
  /** Requests dispatched but not yet answered before reading pauses. */
  readonly maxInFlightRequests: number
  /** Close a connection with no traffic and nothing in flight for this long (connections.max.idle.ms). */
  readonly idleTimeoutMs: number
}

interface Slot {
  outcome: RequestOutcome | undefined
}

/** Drives one socket. Create with `new Connection(...)`; it starts reading immediately. */
export class Connection {
  readonly info: ConnectionInfo
  readonly #socket: Socket
  readonly #dispatch: RequestDispatcher
  readonly #limits: ConnectionLimits
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #decoder: FrameDecoder
  readonly #abort = new AbortController()
  /** Requests in arrival order; the head is answered first. */
  readonly #slots: Slot[] = []
  #closing = false
  #writeBlocked = false
  #lastActivityMs: number
  #cancelIdleTimer: (() => void) | undefined
  #onClose: (connection: Connection) => void
  readonly #onFrameWritten: ((chunks: readonly Uint8Array[]) => void) | undefined

  constructor(options: {
    socket: Socket
    connectionId: number
    dispatch: RequestDispatcher
    limits: ConnectionLimits
    clock: Clock
    logger: Logger
    onClose: (connection: Connection) => void
    /** Called with a recyclable 'frame' outcome's chunks once the socket has taken all of them (not when it closes first). */
    onFrameWritten?: (chunks: readonly Uint8Array[]) => void
  }) {
    this.#socket = options.socket
    this.#dispatch = options.dispatch
    this.#limits = options.limits
    this.#clock = options.clock
    this.#logger = options.logger
    this.#onClose = options.onClose
    this.#onFrameWritten = options.onFrameWritten
    this.#decoder = new FrameDecoder(options.limits.maxRequestBytes)
    this.#lastActivityMs = this.#clock.nowMs()
    this.info = {
      connectionId: options.connectionId,
      remoteAddress: `${this.#socket.remoteAddress}:${this.#socket.remotePort}`,
      signal: this.#abort.signal,
    }
    this.#socket.setNoDelay(true)
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    this.#socket.on('drain', () => this.#onDrain())
    this.#socket.on('error', (error) => this.#logger.debug('connection error', { connectionId: this.info.connectionId, error: error.message }))
    this.#socket.on('close', () => this.#onSocketClose())
    this.#scheduleIdleCheck(this.#limits.idleTimeoutMs)
  }

  /** Requests received and not yet answered. */
  get inFlightRequests(): number {
    return this.#slots.length
  }

  /** Bytes received and not yet framed. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes
  }

  /** Closes the connection now; unanswered requests are dropped. */
  close(reason: string): void {
    if (this.#closing) return
    this.#closing = true
    this.#logger.debug('closing connection', { connectionId: this.info.connectionId, remoteAddress: this.info.remoteAddress, reason })
    // Hand responses finished so far to the socket before destroying it (closeGracefully).
    this.#flush()
    this.#socket.destroy()
  }

  /** Answers what is in flight, then closes (graceful shutdown). */
  async closeGracefully(timeoutMs: number): Promise<void> {
    this.#draining = true
    this.#socket.pause()
    if (this.#slots.length > 0) {
      await new Promise<void>((resolve) => {
        const cancel = this.#clock.setTimer(timeoutMs, resolve)
        this.#afterFlush = () => {
          cancel()
          resolve()
        }
      })
    }
    this.close('broker shutting down')
  }

  #afterFlush: (() => void) | undefined
  /** Set by closeGracefully: no new request starts. */
  #draining = false

  #onData(chunk: Buffer): void {
    this.#lastActivityMs = this.#clock.nowMs()
    this.#decoder.push(chunk)
    this.#readFrames()
  }

  /** Dispatches every whole frame buffered, up to the in-flight limit. */
  #readFrames(): void {
    // Synchronous handlers complete inside #start and call back here; the outer loop goes on.
    if (this.#reading) return
    this.#reading = true
    try {
      this.#readFramesNow()
    } finally {
      this.#reading = false
    }
    this.#updateFlowControl()
  }

  #reading = false

  #readFramesNow(): void {
    while (!this.#closing && !this.#draining && this.#slots.length < this.#limits.maxInFlightRequests) {
      let frame: Buffer | undefined
      try {
        frame = this.#decoder.next()
      } catch (error) {
        this.#logger.warn('closing connection: bad frame', { connectionId: this.info.connectionId, remoteAddress: this.info.remoteAddress, error: (error as Error).message })
        this.close((error as Error).message)
        return
      }
      if (frame === undefined) break
      this.#start(frame)
    }
  }

  #start(frame: Buffer): void {
    const slot: Slot = { outcome: undefined }
    this.#slots.push(slot)
    let result: RequestOutcome | Promise<RequestOutcome>
    try {
      result = this.#dispatch(frame, this.info)
    } catch (error) {
      result = { kind: 'close', reason: `dispatcher failed: ${(error as Error).message}` }
    }
    if (this.#dispatch.releasesFrame?.(frame) === true) this.#decoder.release(frame)
    if (result instanceof Promise) {
      result.then(
        (outcome) => this.#complete(slot, outcome),
        (error: unknown) => this.#complete(slot, { kind: 'close', reason: `dispatcher failed: ${(error as Error).message}` }),
      )
    } else {
      this.#complete(slot, result)
    }
  }

  #complete(slot: Slot, outcome: RequestOutcome): void {
    slot.outcome = outcome
    if (this.#closing) return
    // Answer from the head while the head is done: responses leave in request order.
    while (this.#slots.length > 0 && this.#slots[0].outcome !== undefined) {
      const done = this.#slots.shift()!.outcome!
      if (done.kind === 'close') {
        // The dispatcher has logged the reason with the request's details.
        this.#logger.debug('closing connection', { connectionId: this.info.connectionId, remoteAddress: this.info.remoteAddress, reason: done.reason })
        // Flush what earlier requests wrote, then destroy: a peer that never closes its side cannot hold the socket.
        this.#flush()
        this.#socket.destroySoon()
        this.#closing = true
        this.#abort.abort()
        return
      }
      if (done.kind === 'response') this.#write(done.bytes)
      else if (done.kind === 'frame') this.#writeFrame(done.chunks, done.recyclable === true ? this.#onFrameWritten : undefined)
    }
    if (this.#slots.length === 0 && this.#afterFlush !== undefined) this.#afterFlush()
    // Completing requests may free in-flight room for frames already buffered.
    this.#readFrames()
  }

  #write(bytes: Uint8Array): void {
    const prefix = Buffer.allocUnsafe(framePrefixBytes)
    prefix.writeInt32BE(bytes.length, 0)
    this.#writeFrame([prefix, bytes])
  }

  /** Queues a frame's chunks; they leave with everything else finished before the flush. */
  #writeFrame(chunks: readonly Uint8Array[], onWritten?: (chunks: readonly Uint8Array[]) => void): void {
    this.#lastActivityMs = this.#clock.nowMs()
    if (this.#queued.length === 0) setImmediate(this.#flush)
    for (const chunk of chunks) {
      this.#queued.push(chunk)
      this.#queuedBytes += chunk.length
    }
    if (onWritten !== undefined) this.#queuedCallbacks.push(() => onWritten(chunks))
  }

  /** Chunks of responses finished and not yet handed to the socket, in order. */
  readonly #queued: Uint8Array[] = []
  #queuedBytes = 0
  /** `onWritten` of the queued frames, called once the socket has taken their chunks. */
  readonly #queuedCallbacks: (() => void)[] = []

  /**
   * Hands the queued chunks to the socket. It runs in the check phase, after the event loop has
   * delivered every socket read of this round, so the responses to a pipelined burst (produce
   * answers of ~80 bytes each) leave in one write system call instead of one per read. Small
   * totals are copied into one buffer (one socket write, and the chunks are free at once); large
   * ones (fetch responses) go by reference in one writev.
   */
  readonly #flush = (): void => {
    const chunks = this.#queued.splice(0)
    const callbacks = this.#queuedCallbacks.splice(0)
    const bytes = this.#queuedBytes
    this.#queuedBytes = 0
    if (this.#socket.destroyed || chunks.length === 0) return
    if (chunks.length === 1 || bytes <= copyQueuedBytesAtMost) {
      const single = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)
      if (chunks.length > 1) for (const callback of callbacks) callback()
      const done = chunks.length === 1 && callbacks.length > 0 ? (error?: Error | null) => {
        if (error == null) for (const callback of callbacks) callback()
      } : undefined
      if (!this.#socket.write(single, done)) this.#onWriteBlocked()
      return
    }
    this.#socket.cork()
    const last = chunks.length - 1
    let blocked = false
    for (let index = 0; index < last; index++) if (!this.#socket.write(chunks[index])) blocked = true
    // Chunks are written in order: once the last one is taken, all of them are.
    const done = callbacks.length === 0 ? undefined : (error?: Error | null) => {
      if (error == null) for (const callback of callbacks) callback()
    }
    if (!this.#socket.write(chunks[last], done)) blocked = true
    this.#socket.uncork()
    if (blocked) this.#onWriteBlocked()
  }

  /** The socket's buffer is over its high-water mark: stop reading until it drains. */
  #onWriteBlocked(): void {
    this.#writeBlocked = true
    this.#updateFlowControl()
  }

  #onDrain(): void {
    this.#writeBlocked = false
    this.#readFrames()
  }

  /** Reads only while there is room for more requests and the client reads its responses. */
  #updateFlowControl(): void {
    if (this.#closing) return
    const full = this.#slots.length >= this.#limits.maxInFlightRequests
    if (full || this.#writeBlocked || this.#draining) this.#socket.pause()
    else this.#socket.resume()
  }

  #scheduleIdleCheck(delayMs: number): void {
    this.#cancelIdleTimer = this.#clock.setTimer(delayMs, () => {
      if (this.#closing) return
      const idleMs = this.#clock.nowMs() - this.#lastActivityMs
      if (this.#slots.length === 0 && idleMs >= this.#limits.idleTimeoutMs) {
        this.#logger.debug('closing idle connection', { connectionId: this.info.connectionId, idleMs })
        this.close(`idle for ${idleMs} ms (connections.max.idle.ms)`)
        return
      }
      this.#scheduleIdleCheck(Math.max(1, this.#limits.idleTimeoutMs - idleMs))
    })
  }

  #onSocketClose(): void {
    this.#closing = true
    this.#abort.abort()
    this.#cancelIdleTimer?.()
    this.#slots.length = 0
    this.#afterFlush?.()
    this.#onClose(this)
  }
}
