// Operating errors of the protocol layer. Kafka error codes are data (see generated/error-codes.ts);
// these classes are for bytes that cannot be decoded and values that cannot be encoded.

/** Stable codes of the protocol package's operating errors. */
export const ProtocolErrorCode = {
  Decode: 'PROTOCOL_DECODE_ERROR',
  Encode: 'PROTOCOL_ENCODE_ERROR',
} as const
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode]

/**
 * Bytes that do not form a valid message: truncated input, a negative or oversized length,
 * an unknown version. Decoders throw only this error, whatever the input.
 */
export class ProtocolDecodeError extends Error {
  readonly code = ProtocolErrorCode.Decode
  /** Input from a peer is `external`: fix the sender, not us. */
  readonly domain = 'external'
  /** The same bytes will fail the same way. */
  readonly retriable = false
  /** Byte offset in the input where decoding failed. */
  readonly offset: number
  /** Short machine-friendly reason, such as `'truncated'` or `'negative length'`. */
  readonly reason: string

  constructor(reason: string, offset: number, options?: { cause?: unknown; detail?: string }) {
    super(`cannot decode: ${reason}${options?.detail === undefined ? '' : ` (${options.detail})`} at offset ${offset}`, { cause: options?.cause })
    this.name = 'ProtocolDecodeError'
    this.reason = reason
    this.offset = offset
  }
}

/**
 * A value that cannot be written at the requested version: a null in a non-nullable field, a
 * non-default value in a field the version lacks, a number out of range, a message too large.
 */
export class ProtocolEncodeError extends Error {
  readonly code = ProtocolErrorCode.Encode
  /** The caller built a value the protocol cannot carry. */
  readonly domain = 'user'
  readonly retriable = false

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause })
    this.name = 'ProtocolEncodeError'
  }
}
