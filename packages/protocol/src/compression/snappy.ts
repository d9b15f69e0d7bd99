// snappy (codec 2). Compression via the `snappy` package (napi-rs bindings to the Rust snap
// crate); decompression by our TypeScript block decoder (snappy-block.ts), bounded up front.
//
// Two framings occur in Kafka record batches:
// - raw: one snappy block (a varint uncompressed length, then the compressed elements);
// - xerial: the framing of Java's snappy-java `SnappyOutputStream`, which Kafka's Java client
//   writes: an 8-byte magic (0x82 "SNAPPY" 0x00), int32 version and int32 compatible version
//   (both 1), then blocks of [int32 compressed length, raw snappy block], all big-endian.
// On decode we detect the xerial magic and accept both.
//
// On encode we write RAW snappy, as librdkafka does (its producer calls its raw block compressor;
// it never writes xerial framing). Every reader we know accepts raw: the Java client
// (SnappyInputStream falls back to a raw block when the magic is absent), librdkafka, kafkajs and
// @platformatic/kafka. Xerial is not accepted everywhere: @platformatic/kafka 1.35 failed on
// xerial-framed batches (2.12 reads both). Verified: librdkafka 2.0.2 consumes both our raw and
// our xerial output (records/testdata/capture-librdkafka.py --verify). `snappyCompressXerial`
// produces the Java client's exact framing (32 KiB blocks) for tests and peers that want it.
//
// Bounding: a raw block starts with its uncompressed length, so the total output is known before
// any allocation; we refuse past maxDecompressedBytes without decoding.
import { compressSync } from 'snappy'
import { corrupt, limitExceeded } from './compression-error.ts'
import { decodeSnappyBlock, decodeSnappyBlockInto, snappyUncompressedLength } from './snappy-block.ts'

/** 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 */
export const XERIAL_MAGIC = Uint8Array.of(0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00)
const XERIAL_HEADER_BYTES = 16
const XERIAL_VERSION = 1
const XERIAL_COMPATIBLE_VERSION = 1
/** Uncompressed bytes per xerial block (snappy-java's default block size). */
export const XERIAL_BLOCK_BYTES = 32 * 1024

/** Compresses to one raw snappy block (see the file comment for why not xerial). */
export function snappyCompress(data: Uint8Array): Uint8Array {
  return compressSync(data)
}

/** Compresses to xerial framing with 32 KiB blocks, byte-compatible with the Java client's output. */
export function snappyCompressXerial(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = []
  let total = XERIAL_HEADER_BYTES
  for (let start = 0; start < data.length; start += XERIAL_BLOCK_BYTES) {
    const block = compressSync(data.subarray(start, Math.min(data.length, start + XERIAL_BLOCK_BYTES)))
    blocks.push(block)
    total += 4 + block.length
  }
  const output = new Uint8Array(total)
  const view = new DataView(output.buffer)
  output.set(XERIAL_MAGIC, 0)
  view.setInt32(8, XERIAL_VERSION)
  view.setInt32(12, XERIAL_COMPATIBLE_VERSION)
  let position = XERIAL_HEADER_BYTES
  for (const block of blocks) {
    view.setInt32(position, block.length)
    output.set(block, position + 4)
    position += 4 + block.length
  }
  return output
}

/** Decompresses raw or xerial-framed snappy, failing past `maxDecompressedBytes`. */
export function snappyDecompress(data: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  if (!isXerialFramed(data)) return decodeSnappyBlock(data, maxDecompressedBytes)
  // First pass: validate the framing and add up the declared block lengths.
  const blocks: Array<[start: number, end: number]> = []
  let total = 0
  let position = XERIAL_HEADER_BYTES
  while (position < data.length) {
    if (data.length - position < 4) throw corrupt('snappy', `truncated xerial block length at ${position}`)
    const blockLength = new DataView(data.buffer, data.byteOffset + position, 4).getInt32(0)
    const start = position + 4
    if (blockLength < 0 || blockLength > data.length - start) throw corrupt('snappy', `xerial block of ${blockLength} bytes at ${position} overruns the input`)
    total += snappyUncompressedLength(data, start, start + blockLength).length
    if (total > maxDecompressedBytes) throw limitExceeded('snappy', maxDecompressedBytes, `xerial blocks declare ${total}+ bytes`)
    blocks.push([start, start + blockLength])
    position = start + blockLength
  }
  const output = new Uint8Array(total)
  let written = 0
  for (const [start, end] of blocks) written += decodeSnappyBlockInto(data, start, end, output, written)
  return output
}

/** True when `data` starts with the xerial magic and a full 16-byte header. */
export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_BYTES) return false
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false
  return true
}
