// gzip (codec 1) via node:zlib. Output is capped natively by zlib's maxOutputLength.
import { gunzipSync, gzipSync } from 'node:zlib'
import { corrupt, limitExceeded } from './compression-error.ts'

/** gzip at zlib's default level (6), as Kafka's Java client does by default. */
export function gzipCompress(data: Uint8Array): Uint8Array {
  return gzipSync(data)
}

/** Decompresses one or more concatenated gzip members, failing past `maxDecompressedBytes`. */
export function gzipDecompress(data: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, maxDecompressedBytes) })
  } catch (error) {
    throw zlibError('gzip', error, maxDecompressedBytes)
  }
}

/** Maps a node:zlib failure to a typed error (shared with zstd). */
export function zlibError(codec: string, error: unknown, maxDecompressedBytes: number): Error {
  if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return limitExceeded(codec, maxDecompressedBytes)
  return corrupt(codec, 'invalid stream', error)
}
