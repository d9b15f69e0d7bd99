// Size-prefixed framing: every Kafka request is an int32 big-endian length followed by that
// many bytes. The decoder collects socket chunks and hands out whole frames. It never holds
// more than one partial frame plus the bytes of one socket read, because the connection stops
// reading (pauses the socket) while it has too many requests in flight.
import { BrokerError, BrokerErrorCode } from '../errors.ts'

/** Bytes of the size prefix. */
export const framePrefixBytes = 4
/**
 * Largest buffer kept for assembling frames that span socket reads (see `release`); larger
 * frames get a buffer of their own. Node hands socket data out in reads of up to 64 KiB, so a
 * producer's 30 KiB requests span two reads about half the time.
 */
export const assemblyBufferMaxBytes = 1024 * 1024
const assemblyBufferMinBytes = 64 * 1024

/** Splits a byte stream into size-prefixed frames, rejecting frames over `maxFrameBytes`. */
export class FrameDecoder {
  readonly maxFrameBytes: number
  #chunks: Buffer[] = []
  #bufferedBytes = 0
  /** Reused for frames that span socket reads, while no handed-out frame is a view of it. */
  #assembly: Buffer | undefined
  #assemblyInUse = false

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes received but not yet handed out as frames. */
  get bufferedBytes(): number {
    return this.#bufferedBytes
  }

  /** Adds bytes read from the socket. Frames come out of `next()`. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#bufferedBytes += chunk.length
  }

  /**
   * The next whole frame (without its size prefix), or undefined when more bytes are needed.
   * Throws BrokerError(FrameTooLarge) as soon as a size prefix exceeds the limit, before
   * buffering the body, so a huge prefix costs no memory.
   */
  next(): Buffer | undefined {
    if (this.#bufferedBytes < framePrefixBytes) return undefined
    const frameBytes = this.#peekInt32()
    if (frameBytes < 0 || frameBytes > this.maxFrameBytes) {
      throw new BrokerError(
        BrokerErrorCode.FrameTooLarge,
        `request size ${frameBytes} is outside [0, ${this.maxFrameBytes}] (socket.request.max.bytes)`,
      )
    }
    if (this.#bufferedBytes < framePrefixBytes + frameBytes) return undefined
    const first = this.#chunks[0]
    if (first.length >= framePrefixBytes + frameBytes) {
      // The common case: the whole frame sits in one socket read; hand out a view of it.
      const frame = first.subarray(framePrefixBytes, framePrefixBytes + frameBytes)
      this.#consume(framePrefixBytes + frameBytes)
      return frame
    }
    // The frame spans socket reads: copy exactly its bytes, once, into the assembly buffer when
    // it is free (no new external memory per frame, which would drive V8's full collections),
    // else into a buffer of its size.
    this.#consume(framePrefixBytes)
    const frame = this.#assemblyFor(frameBytes)
    let filled = 0
    for (const chunk of this.#chunks) {
      if (filled === frameBytes) break
      filled += chunk.copy(frame, filled, 0, Math.min(chunk.length, frameBytes - filled))
    }
    this.#consume(frameBytes)
    return frame
  }

  /**
   * The caller is done with `frame` (a result of `next()`): nothing reads or keeps its bytes any
   * more, so a frame assembled in the reusable buffer frees that buffer for the next one.
   * Frames never released are simply not reused.
   */
  release(frame: Buffer): void {
    if (this.#assembly !== undefined && frame.buffer === this.#assembly.buffer) this.#assemblyInUse = false
  }

  #assemblyFor(frameBytes: number): Buffer {
    if (this.#assemblyInUse || frameBytes > assemblyBufferMaxBytes) return Buffer.allocUnsafe(frameBytes)
    if (this.#assembly === undefined || this.#assembly.length < frameBytes) {
      const bytes = Math.min(assemblyBufferMaxBytes, Math.max(assemblyBufferMinBytes, 2 ** Math.ceil(Math.log2(frameBytes))))
      this.#assembly = Buffer.allocUnsafeSlow(bytes)
    }
    this.#assemblyInUse = true
    return this.#assembly.subarray(0, frameBytes)
  }

  /** The int32 big-endian at the start of the buffered bytes (4 or more are buffered). */
  #peekInt32(): number {
    const first = this.#chunks[0]
    if (first.length >= framePrefixBytes) return first.readInt32BE(0)
    let value = 0
    let remaining = framePrefixBytes
    for (const chunk of this.#chunks) {
      for (let index = 0; index < chunk.length && remaining > 0; index++, remaining--) value = (value << 8) | chunk[index]
      if (remaining === 0) break
    }
    return value | 0
  }

  #consume(length: number): void {
    let remaining = length
    while (remaining > 0) {
      const first = this.#chunks[0]
      if (first.length <= remaining) {
        this.#chunks.shift()
        remaining -= first.length
      } else {
        // The rest of this chunk starts the next frame. Copy it when it is small compared to
        // the chunk, so a finished large frame is not kept alive by a view into it.
        const rest = first.subarray(remaining)
        this.#chunks[0] = rest.length * 4 < first.length ? Buffer.from(rest) : rest
        remaining = 0
      }
    }
    this.#bufferedBytes -= length
  }
}
