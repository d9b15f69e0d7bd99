// Decoder of one raw snappy block, in TypeScript. The napi binding costs more per call than
// decoding takes for Kafka-sized batches (measured ~90 MB/s through napi vs several hundred in
// JS), and a JS decoder lets us size the output exactly and refuse oversized output up front.
//
// Format (github.com/google/snappy, format_description.txt): a varint32 uncompressed length, then
// elements, each starting with a tag byte whose low 2 bits select:
//   00 literal: length-1 in the upper 6 bits (< 60), or in the next 1-4 bytes (LE) when 60..63;
//   01 copy, 1-byte offset: length 4..11 in bits 2-4, offset bits 8-10 in bits 5-7 + next byte;
//   10 copy, 2-byte offset: length 1..64 in the upper 6 bits, offset in the next 2 bytes (LE);
//   11 copy, 4-byte offset: length 1..64 in the upper 6 bits, offset in the next 4 bytes (LE).
// A copy repeats `length` bytes starting `offset` bytes back in the output (may overlap itself).
import { corrupt, limitExceeded } from './compression-error.ts'

/** The declared uncompressed length of the raw block in `source[start, end)`. */
export function snappyUncompressedLength(source: Uint8Array, start: number, end: number): { length: number; headerBytes: number } {
  let value = 0
  for (let shift = 0, i = start; shift <= 28; shift += 7, i++) {
    if (i >= end) throw corrupt('snappy', `truncated block length at ${start}`)
    const byte = source[i]
    value += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) {
      if (value > 0xffffffff) break
      return { length: value, headerBytes: i + 1 - start }
    }
  }
  throw corrupt('snappy', `invalid block length at ${start}`)
}

/** Decodes a whole raw block into a new array, refusing a declared length above `maxDecompressedBytes`. */
export function decodeSnappyBlock(source: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  const { length } = snappyUncompressedLength(source, 0, source.length)
  if (length > maxDecompressedBytes) throw limitExceeded('snappy', maxDecompressedBytes, `block declares ${length} bytes`)
  const output = new Uint8Array(length)
  decodeSnappyBlockInto(source, 0, source.length, output, 0)
  return output
}

/**
 * Decodes the raw block `source[start, end)` into `output` at `outputStart`; `output` must have
 * room for the declared length. Returns the number of bytes written (= the declared length).
 */
export function decodeSnappyBlockInto(source: Uint8Array, start: number, end: number, output: Uint8Array, outputStart: number): number {
  const { length, headerBytes } = snappyUncompressedLength(source, start, end)
  const outputEnd = outputStart + length
  if (outputEnd > output.length) throw corrupt('snappy', 'block longer than its buffer')
  let input = start + headerBytes
  let position = outputStart
  while (input < end) {
    const tag = source[input++]
    const kind = tag & 3
    if (kind === 0) {
      let literalLength = tag >>> 2
      if (literalLength >= 60) {
        const extraBytes = literalLength - 59
        if (input + extraBytes > end) throw corrupt('snappy', 'truncated literal length')
        literalLength = 0
        for (let i = 0; i < extraBytes; i++) literalLength += source[input + i] * 2 ** (8 * i)
        input += extraBytes
      }
      literalLength += 1
      if (literalLength > end - input || literalLength > outputEnd - position) throw corrupt('snappy', 'literal overruns the block')
      if (literalLength < 64) {
        for (const to = position + literalLength; position < to; ) output[position++] = source[input++]
      } else {
        output.set(source.subarray(input, input + literalLength), position)
        input += literalLength
        position += literalLength
      }
      continue
    }
    let copyLength: number
    let offset: number
    if (kind === 1) {
      if (input >= end) throw corrupt('snappy', 'truncated copy')
      copyLength = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | source[input++]
    } else if (kind === 2) {
      if (input + 2 > end) throw corrupt('snappy', 'truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = source[input] | (source[input + 1] << 8)
      input += 2
    } else {
      if (input + 4 > end) throw corrupt('snappy', 'truncated copy')
      copyLength = (tag >>> 2) + 1
      offset = (source[input] | (source[input + 1] << 8) | (source[input + 2] << 16) | (source[input + 3] << 24)) >>> 0
      input += 4
    }
    if (offset === 0 || offset > position - outputStart || copyLength > outputEnd - position) throw corrupt('snappy', 'copy outside the output')
    if (copyLength <= 64) {
      for (let from = position - offset, to = position + copyLength; position < to; ) output[position++] = output[from++]
    } else {
      copyMatch(output, position, offset, copyLength)
      position += copyLength
    }
  }
  if (position !== outputEnd) throw corrupt('snappy', `block decodes to ${position - outputStart} bytes, declared ${length}`)
  return length
}

/** Copies `length` bytes from `offset` back; byte by byte when the ranges overlap. */
export function copyMatch(output: Uint8Array, position: number, offset: number, length: number): void {
  const from = position - offset
  if (offset >= length && length > 64) {
    output.copyWithin(position, from, from + length)
    return
  }
  for (let i = 0; i < length; i++) output[position + i] = output[from + i]
}
