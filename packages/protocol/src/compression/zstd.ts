// zstd (codec 4) via node:zlib (Node >= 22.15 / 23.8). Output is capped natively.
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { zlibError } from './gzip.ts'

/** zstd at the library's default level (3), as Kafka's Java client does by default. */
export function zstdCompress(data: Uint8Array): Uint8Array {
  return zstdCompressSync(data)
}

/** Decompresses zstd frames (with or without a content size), failing past `maxDecompressedBytes`. */
export function zstdDecompress(data: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  try {
    return zstdDecompressSync(data, { maxOutputLength: Math.max(1, maxDecompressedBytes) })
  } catch (error) {
    throw zlibError('zstd', error, maxDecompressedBytes)
  }
}
