// Splits a TCP byte stream into Kafka frames: a big-endian int32 size, then that many bytes.
// Frames are returned without their size prefix.

/** Larger frames are treated as a broken stream (Kafka's default socket.request.max.bytes is 100 MiB). */
export const frameBytesMax = 100 * 1024 * 1024

export class FrameSplitter {
  #pending: Buffer[] = []
  #pendingBytes = 0

  /** Feeds bytes; returns every frame that is now complete, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#pending.push(chunk)
    this.#pendingBytes += chunk.length
    const frames: Buffer[] = []
    let buffer = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending, this.#pendingBytes)
    let offset = 0
    while (buffer.length - offset >= 4) {
      const size = buffer.readInt32BE(offset)
      if (size < 0 || size > frameBytesMax) throw new Error(`invalid frame size ${size}`)
      if (buffer.length - offset - 4 < size) break
      frames.push(buffer.subarray(offset + 4, offset + 4 + size))
      offset += 4 + size
    }
    buffer = buffer.subarray(offset)
    this.#pending = buffer.length > 0 ? [buffer] : []
    this.#pendingBytes = buffer.length
    return frames
  }

  /** Bytes received that do not yet form a complete frame. */
  get pendingBytes(): number {
    return this.#pendingBytes
  }
}

/** Prefixes a frame with its int32 size. */
export function encodeFrame(frame: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(frame.length)
  return Buffer.concat([size, frame])
}
