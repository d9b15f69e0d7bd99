// Operating errors of the log layer (STYLE.md G12). The broker maps each `code` to a Kafka error
// code in its responses (LOG_OFFSET_OUT_OF_RANGE → OFFSET_OUT_OF_RANGE, LOG_RECORD_TOO_LARGE →
// RECORD_TOO_LARGE / RECORD_BATCH_TOO_LARGE, LOG_UNKNOWN_TOPIC_OR_PARTITION → UNKNOWN_TOPIC_OR_PARTITION…).

/** Stable codes of the log package's operating errors. */
export const LogErrorCode = {
  /** A fetch, ListOffsets or DeleteRecords offset outside [logStartOffset, logEndOffset]. */
  OffsetOutOfRange: 'LOG_OFFSET_OUT_OF_RANGE',
  /** Bytes on disk (or handed to append) that do not frame as record batches v2. */
  Corrupt: 'LOG_CORRUPT',
  /** One batch larger than the topic's max.message.bytes, or larger than a whole segment. */
  RecordTooLarge: 'LOG_RECORD_TOO_LARGE',
  UnknownTopicOrPartition: 'LOG_UNKNOWN_TOPIC_OR_PARTITION',
  TopicAlreadyExists: 'LOG_TOPIC_ALREADY_EXISTS',
  InvalidTopic: 'LOG_INVALID_TOPIC',
  InvalidPartitions: 'LOG_INVALID_PARTITIONS',
  InvalidConfig: 'LOG_INVALID_CONFIG',
  /** The log manager or partition log is closed. */
  Closed: 'LOG_CLOSED',
  /** A file system call failed (ENOSPC, EIO, a failed fsync…). The partition refuses writes after it. */
  Io: 'LOG_IO',
} as const
export type LogErrorCode = (typeof LogErrorCode)[keyof typeof LogErrorCode]

/** Who has to act: the caller (`user`), the environment (`external`, e.g. a full disk) or us (`internal`). */
export type LogErrorDomain = 'user' | 'external' | 'internal'

const RETRIABLE: Readonly<Record<LogErrorCode, boolean>> = {
  LOG_OFFSET_OUT_OF_RANGE: false,
  LOG_CORRUPT: false,
  LOG_RECORD_TOO_LARGE: false,
  LOG_UNKNOWN_TOPIC_OR_PARTITION: true,
  LOG_TOPIC_ALREADY_EXISTS: false,
  LOG_INVALID_TOPIC: false,
  LOG_INVALID_PARTITIONS: false,
  LOG_INVALID_CONFIG: false,
  LOG_CLOSED: false,
  LOG_IO: false,
}

const DOMAIN: Readonly<Record<LogErrorCode, LogErrorDomain>> = {
  LOG_OFFSET_OUT_OF_RANGE: 'user',
  LOG_CORRUPT: 'external',
  LOG_RECORD_TOO_LARGE: 'user',
  LOG_UNKNOWN_TOPIC_OR_PARTITION: 'user',
  LOG_TOPIC_ALREADY_EXISTS: 'user',
  LOG_INVALID_TOPIC: 'user',
  LOG_INVALID_PARTITIONS: 'user',
  LOG_INVALID_CONFIG: 'user',
  LOG_CLOSED: 'internal',
  LOG_IO: 'external',
}

/** An operating error of the log layer; `code` is stable, `retriable` says whether a retry may succeed. */
export class LogError extends Error {
  readonly code: LogErrorCode
  readonly domain: LogErrorDomain
  readonly retriable: boolean

  constructor(code: LogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause })
    this.name = 'LogError'
    this.code = code
    this.domain = DOMAIN[code]
    this.retriable = RETRIABLE[code]
  }
}

/** A fetch/list/delete offset outside the log; carries the bounds so the broker can answer with them. */
export class LogOffsetOutOfRangeError extends LogError {
  readonly requestedOffset: bigint
  readonly logStartOffset: bigint
  readonly logEndOffset: bigint

  constructor(requestedOffset: bigint, logStartOffset: bigint, logEndOffset: bigint, where: string) {
    super(LogErrorCode.OffsetOutOfRange, `${where}: offset ${requestedOffset} is outside [${logStartOffset}, ${logEndOffset}]`)
    this.name = 'LogOffsetOutOfRangeError'
    this.requestedOffset = requestedOffset
    this.logStartOffset = logStartOffset
    this.logEndOffset = logEndOffset
  }
}

/** Wraps a failed file system call (keeps the errno error as `cause`). */
export function ioError(what: string, cause: unknown): LogError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new LogError(LogErrorCode.Io, `${what}: ${detail}`, { cause })
}
