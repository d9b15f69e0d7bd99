// Typed errors of the compression codecs. Decompression failures extend ProtocolDecodeError (they
// happen while decoding a record batch from a peer); encoding with an unknown codec is a
// ProtocolEncodeError raised by the codec registry.
import { ProtocolDecodeError } from '../errors.ts'

/** Why decompression failed: the `reason` of a CompressionError. */
export const CompressionErrorReason = {
  UnknownCompressionType: 'unknown compression type',
  LimitExceeded: 'decompressed size limit exceeded',
  Corrupt: 'corrupt compressed data',
} as const
export type CompressionErrorReason = (typeof CompressionErrorReason)[keyof typeof CompressionErrorReason]

/** Compressed bytes that cannot (or may not) be decompressed: see `compressionReason`. */
export class CompressionError extends ProtocolDecodeError {
  readonly compressionReason: CompressionErrorReason

  constructor(reason: CompressionErrorReason, offset: number, options?: { cause?: unknown; detail?: string }) {
    super(reason, offset, options)
    this.name = 'CompressionError'
    this.compressionReason = reason
  }
}

/** The error for output that would exceed `maxDecompressedBytes`. */
export function limitExceeded(codec: string, maxDecompressedBytes: number, detail?: string): CompressionError {
  return new CompressionError(CompressionErrorReason.LimitExceeded, 0, {
    detail: `${codec} output exceeds maxDecompressedBytes ${maxDecompressedBytes}${detail === undefined ? '' : `: ${detail}`}`,
  })
}

/** The error for bytes the codec rejects; `cause` is the codec's own error. */
export function corrupt(codec: string, detail: string, cause?: unknown): CompressionError {
  const causeText = cause instanceof Error ? `: ${cause.message}` : ''
  return new CompressionError(CompressionErrorReason.Corrupt, 0, { detail: `${codec}: ${detail}${causeText}`, cause })
}
