// The codec registry: compress / decompress by Kafka compression id, with bounded output.
import { ProtocolEncodeError } from '../errors.ts'
import { COMPRESSION_TYPE_NAMES, CompressionType, isCompressionType } from './compression-type.ts'
import { CompressionError, CompressionErrorReason, limitExceeded } from './compression-error.ts'
import { gzipCompress, gzipDecompress } from './gzip.ts'
import { lz4Compress, lz4Decompress } from './lz4.ts'
import { snappyCompress, snappyDecompress } from './snappy.ts'
import { zstdCompress, zstdDecompress } from './zstd.ts'

/** Default cap of one decompression's output: 64 MiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

export interface DecompressOptions {
  /** Output larger than this fails with CompressionError (LimitExceeded). Default 64 MiB. */
  maxDecompressedBytes?: number
}

interface Codec {
  compress(data: Uint8Array): Uint8Array
  decompress(data: Uint8Array, maxDecompressedBytes: number): Uint8Array
}

const CODECS: Readonly<Record<CompressionType, Codec>> = {
  [CompressionType.None]: {
    compress: (data) => data,
    decompress(data, maxDecompressedBytes) {
      if (data.length > maxDecompressedBytes) throw limitExceeded('none', maxDecompressedBytes)
      return data
    },
  },
  [CompressionType.Gzip]: { compress: gzipCompress, decompress: gzipDecompress },
  [CompressionType.Snappy]: { compress: snappyCompress, decompress: snappyDecompress },
  [CompressionType.Lz4]: { compress: lz4Compress, decompress: lz4Decompress },
  [CompressionType.Zstd]: { compress: zstdCompress, decompress: zstdDecompress },
}

/**
 * Compresses `data` with codec `compressionType` (0 none … 4 zstd). Snappy is written as a raw
 * block (as librdkafka does; see snappy.ts), lz4 as an LZ4 frame. An unknown id throws ProtocolEncodeError.
 * @example compress(CompressionType.Zstd, recordsBytes)
 */
export function compress(compressionType: number, data: Uint8Array): Uint8Array {
  if (!isCompressionType(compressionType)) {
    throw new ProtocolEncodeError(`unknown compression type ${compressionType}: known are 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd`)
  }
  return plain(CODECS[compressionType].compress(data))
}

/**
 * Decompresses `data` written with codec `compressionType`. Throws CompressionError for an
 * unknown id, corrupt input, or output beyond `maxDecompressedBytes` (default 64 MiB), which is
 * enforced without materialising the oversized output.
 */
export function decompress(compressionType: number, data: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  if (!isCompressionType(compressionType)) {
    throw new CompressionError(CompressionErrorReason.UnknownCompressionType, 0, {
      detail: `compression type ${compressionType} is not one of 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd`,
    })
  }
  const maxDecompressedBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  const output = CODECS[compressionType].decompress(data, maxDecompressedBytes)
  if (output.length > maxDecompressedBytes) throw limitExceeded(COMPRESSION_TYPE_NAMES[compressionType], maxDecompressedBytes)
  return plain(output)
}

/** A plain Uint8Array view of a Buffer, so results compare equal to Uint8Array inputs. */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}
