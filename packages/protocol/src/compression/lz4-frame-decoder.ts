// Decoder of the LZ4 frame format, in TypeScript (lz4_frame_format.md, block format in
// lz4_Block_format.md). As with snappy, the napi call cost dominates at Kafka batch sizes, and a
// JS decoder writes into one buffer sized from the frame structure and capped by the limit.
//
// Frame: magic 0x184D2204 (LE) | FLG | BD | [content size u64 LE] | [dictionary id u32] | HC |
//   blocks: u32 LE size (bit 31 = stored uncompressed; 0 = end mark) + data [+ u32 checksum] |
//   [u32 content checksum]. Skippable frames (magic 0x184D2A5x) are skipped.
// Block: sequences of token (literal length high nibble, match length-4 low nibble, 15 = more
//   bytes follow, each 255 = continue), literals, u16 LE offset, ...; the last sequence has
//   literals only. Matches may reach back into earlier blocks of the frame (linked mode), which
//   decoding into one contiguous buffer supports naturally.
// Checksums (xxHash32) are not verified: the record batch CRC-32C already covers these bytes.
// Frames with a dictionary id are rejected (Kafka never uses them).
import { corrupt, limitExceeded } from './compression-error.ts'
import { copyMatch } from './snappy-block.ts'

const FRAME_MAGIC = 0x184d2204
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_UNCOMPRESSED_FLAG = 0x80000000
const BLOCK_MAX_BYTES: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 }
/** An LZ4 sequence emits at most 255 bytes per input byte (match-length extension bytes). */
const LZ4_MAX_EXPANSION = 255

/**
 * Decodes LZ4 frames. The output buffer is sized to min(upper bound from the block sizes,
 * maxDecompressedBytes); output beyond maxDecompressedBytes throws LimitExceeded.
 */
export function decodeLz4Frames(source: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  const bound = lz4FrameOutputBound(source)
  const output = new Uint8Array(Math.min(bound, maxDecompressedBytes))
  const view = new DataView(source.buffer, source.byteOffset, source.length)
  let input = 0
  let position = 0
  while (input < source.length) {
    const magic = view.getUint32(input, true)
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      input += 8 + view.getUint32(input + 4, true)
      continue
    }
    const flags = source[input + 4]
    const blockChecksum = (flags & 0x10) !== 0
    input += 4 + 2 + (flags & 0x08 ? 8 : 0) + 1
    const frameStart = position
    for (;;) {
      const word = view.getUint32(input, true)
      input += 4
      if (word === 0) break
      const size = (word & ~BLOCK_UNCOMPRESSED_FLAG) >>> 0
      if (word & BLOCK_UNCOMPRESSED_FLAG) {
        if (size > output.length - position) throw overflow(output.length, maxDecompressedBytes)
        output.set(source.subarray(input, input + size), position)
        position += size
      } else {
        position = decodeLz4Block(source, input, input + size, output, position, frameStart, maxDecompressedBytes)
      }
      input += size + (blockChecksum ? 4 : 0)
    }
    input += flags & 0x04 ? 4 : 0
  }
  // The bound overshoots by up to a block per frame: don't keep a mostly empty buffer alive.
  return position < output.length * 0.75 ? output.slice(0, position) : output.subarray(0, position)
}

/**
 * An upper bound of the decompressed size, from the frame structure alone; also validates that
 * structure (magic, version, block sizes, lengths), so decodeLz4Frames can trust it.
 */
export function lz4FrameOutputBound(source: Uint8Array): number {
  const view = new DataView(source.buffer, source.byteOffset, source.length)
  let input = 0
  let bound = 0
  if (source.length < 4) throw corrupt('lz4', 'truncated frame magic')
  while (input < source.length) {
    need(source, input, 4, 'frame magic')
    const magic = view.getUint32(input, true)
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      need(source, input + 4, 4, 'skippable frame size')
      input += 8 + view.getUint32(input + 4, true)
      if (input > source.length) throw corrupt('lz4', 'truncated skippable frame')
      continue
    }
    if (magic !== FRAME_MAGIC) throw corrupt('lz4', `bad frame magic 0x${magic.toString(16)} at ${input}`)
    need(source, input + 4, 3, 'frame descriptor')
    const flags = source[input + 4]
    if (flags >> 6 !== 1) throw corrupt('lz4', `unsupported frame version ${flags >> 6}`)
    if (flags & 0x01) throw corrupt('lz4', 'frames with a dictionary id are not supported')
    const blockMaxBytes = BLOCK_MAX_BYTES[(source[input + 5] >> 4) & 0x07]
    if (blockMaxBytes === undefined) throw corrupt('lz4', `invalid block maximum size id ${(source[input + 5] >> 4) & 0x07}`)
    input += 4 + 2 + (flags & 0x08 ? 8 : 0) + 1
    for (;;) {
      need(source, input, 4, 'block size')
      const word = view.getUint32(input, true)
      input += 4
      if (word === 0) break
      const size = (word & ~BLOCK_UNCOMPRESSED_FLAG) >>> 0
      if (size > blockMaxBytes) throw corrupt('lz4', `block of ${size} bytes exceeds the frame's ${blockMaxBytes}`)
      input += size + (flags & 0x10 ? 4 : 0)
      if (input > source.length) throw corrupt('lz4', 'truncated block')
      bound += word & BLOCK_UNCOMPRESSED_FLAG ? size : Math.min(blockMaxBytes, size * LZ4_MAX_EXPANSION)
    }
    input += flags & 0x04 ? 4 : 0
    if (input > source.length) throw corrupt('lz4', 'truncated content checksum')
  }
  return bound
}

/** Decodes one compressed block into `output` at `position`; returns the position after it. */
function decodeLz4Block(source: Uint8Array, input: number, end: number, output: Uint8Array, position: number, frameStart: number, maxDecompressedBytes: number): number {
  const capacity = output.length
  while (input < end) {
    const token = source[input++]
    let literalLength = token >>> 4
    if (literalLength === 15) {
      let byte = 255
      while (byte === 255) {
        if (input >= end) throw corrupt('lz4', 'truncated literal length')
        byte = source[input++]
        literalLength += byte
      }
    }
    if (literalLength > end - input) throw corrupt('lz4', 'literals overrun the block')
    if (literalLength > capacity - position) throw overflow(capacity, maxDecompressedBytes)
    if (literalLength < 64) {
      for (let i = 0; i < literalLength; i++) output[position + i] = source[input + i]
    } else {
      output.set(source.subarray(input, input + literalLength), position)
    }
    input += literalLength
    position += literalLength
    if (input === end) break // the last sequence has no match
    if (input + 2 > end) throw corrupt('lz4', 'truncated match offset')
    const offset = source[input] | (source[input + 1] << 8)
    input += 2
    let matchLength = (token & 15) + 4
    if ((token & 15) === 15) {
      let byte = 255
      while (byte === 255) {
        if (input >= end) throw corrupt('lz4', 'truncated match length')
        byte = source[input++]
        matchLength += byte
      }
    }
    if (offset === 0 || offset > position - frameStart) throw corrupt('lz4', 'match offset outside the output')
    if (matchLength > capacity - position) throw overflow(capacity, maxDecompressedBytes)
    copyMatch(output, position, offset, matchLength)
    position += matchLength
  }
  return position
}

/** Output past the buffer: the limit when the buffer is the limit, else a block broke its bound. */
function overflow(capacity: number, maxDecompressedBytes: number): Error {
  return capacity >= maxDecompressedBytes ? limitExceeded('lz4', maxDecompressedBytes) : corrupt('lz4', 'a block decodes past its declared maximum size')
}

function need(source: Uint8Array, position: number, bytes: number, what: string): void {
  if (source.length - position < bytes) throw corrupt('lz4', `truncated ${what} at ${position}`)
}
