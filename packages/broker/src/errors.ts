// Operating errors of the broker. Kafka error codes are data in responses (handlers put
// `errorCode` per partition); these classes are for failures of the broker itself: a peer
// that breaks framing, a bad option, a data directory we cannot use.

/** Stable codes of the broker's operating errors (documented in docs/reference/errors.md). */
export const BrokerErrorCode = {
  /** A size prefix larger than `maxRequestBytes` (Kafka's socket.request.max.bytes) or negative. */
  FrameTooLarge: 'BROKER_FRAME_TOO_LARGE',
  /** A broker option out of range (port, limits, flush policy). */
  InvalidOption: 'BROKER_INVALID_OPTION',
  /** The data directory cannot be read or written (cluster id file, log). */
  DataDirectory: 'BROKER_DATA_DIRECTORY',
} as const
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode]

/** An operating error of the broker, with a stable `code`. */
export class BrokerError extends Error {
  readonly code: BrokerErrorCode
  readonly domain: 'user' | 'external' | 'internal'
  readonly retriable: boolean

  constructor(code: BrokerErrorCode, message: string, options?: { cause?: unknown; domain?: 'user' | 'external' | 'internal'; retriable?: boolean }) {
    super(message, { cause: options?.cause })
    this.name = 'BrokerError'
    this.code = code
    this.domain = options?.domain ?? 'external'
    this.retriable = options?.retriable ?? false
  }
}
