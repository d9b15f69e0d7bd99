// Operating errors of the streams library. Each has a stable `code`, a `domain` saying whose
// fix it is, and `retriable`. Invariant violations are plain assertions (`assert` below).

/** Stable codes of the streams package's operating errors. */
export const StreamsErrorCode = {
  Topology: 'STREAMS_TOPOLOGY_INVALID',
  MissingSerde: 'STREAMS_MISSING_SERDE',
  Serialization: 'STREAMS_SERIALIZATION_FAILED',
  Deserialization: 'STREAMS_DESERIALIZATION_FAILED',
  Processing: 'STREAMS_PROCESSING_FAILED',
  UnknownStore: 'STREAMS_UNKNOWN_STORE',
  UnknownTopic: 'STREAMS_UNKNOWN_TOPIC',
  BufferFull: 'STREAMS_BUFFER_FULL',
  Unsupported: 'STREAMS_UNSUPPORTED',
  InvalidArgument: 'STREAMS_INVALID_ARGUMENT',
  StoreClosed: 'STREAMS_STORE_CLOSED',
} as const
export type StreamsErrorCode = (typeof StreamsErrorCode)[keyof typeof StreamsErrorCode]

type Domain = 'user' | 'external' | 'internal'

const domainOf: Record<StreamsErrorCode, Domain> = {
  STREAMS_TOPOLOGY_INVALID: 'user',
  STREAMS_MISSING_SERDE: 'user',
  STREAMS_SERIALIZATION_FAILED: 'user',
  STREAMS_DESERIALIZATION_FAILED: 'external',
  STREAMS_PROCESSING_FAILED: 'user',
  STREAMS_UNKNOWN_STORE: 'user',
  STREAMS_UNKNOWN_TOPIC: 'user',
  STREAMS_BUFFER_FULL: 'internal',
  STREAMS_UNSUPPORTED: 'user',
  STREAMS_INVALID_ARGUMENT: 'user',
  STREAMS_STORE_CLOSED: 'internal',
}

/** An operating error of the streams library (bad topology, missing serde, failed record…). */
export class StreamsError extends Error {
  readonly code: StreamsErrorCode
  readonly domain: Domain
  readonly retriable: boolean

  constructor(code: StreamsErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, { cause: options?.cause })
    this.name = 'StreamsError'
    this.code = code
    this.domain = domainOf[code]
    this.retriable = options?.retriable ?? false
  }
}

/** Invariant check: throws an error nothing should catch. Not for input validation. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** Argument validation for the public API (durations, names). */
export function requireArgument(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StreamsError(StreamsErrorCode.InvalidArgument, message)
}
