// lz4 (codec 3) in the LZ4 frame format (magic 0x184D2204), which Kafka uses for magic 2
// batches. Compression: `lz4-napi` (napi-rs bindings to the Rust lz4_flex crate), whose frames
// are standard (independent 64 KiB+ blocks, no checksums). Decompression: our TypeScript frame
// decoder (lz4-frame-decoder.ts), bounded by maxDecompressedBytes. The header-checksum bug of
// Kafka's old LZ4 framing (KAFKA-3160) concerns only magic 0/1 message sets, which we reject.
import { compressFrameSync } from 'lz4-napi'
import { decodeLz4Frames } from './lz4-frame-decoder.ts'

/** Compresses to one LZ4 frame. */
export function lz4Compress(data: Uint8Array): Uint8Array {
  return compressFrameSync(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length))
}

/** Decompresses LZ4 frames (concatenated and skippable frames allowed), failing past `maxDecompressedBytes`. */
export function lz4Decompress(data: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  return decodeLz4Frames(data, maxDecompressedBytes)
}
