// Typed errors for record batches. They extend ProtocolDecodeError so that "decoders throw only
// ProtocolDecodeError" holds for record batches too; `reason` tells the cases apart, and the
// broker maps them to Kafka error codes (crc mismatch → CORRUPT_MESSAGE, unsupported magic →
// UNSUPPORTED_FOR_MESSAGE_FORMAT, the rest → INVALID_RECORD / CORRUPT_MESSAGE).
import { ProtocolDecodeError } from '../errors.ts'

/** Why a record batch was rejected: the `reason` of a RecordBatchError. */
export const RecordBatchErrorReason = {
  Truncated: 'record batch truncated',
  UnsupportedMagic: 'unsupported record batch magic',
  InvalidLength: 'invalid record batch length',
  CrcMismatch: 'record batch crc mismatch',
  InvalidRecord: 'invalid record',
  RecordCountMismatch: 'record count mismatch',
} as const
export type RecordBatchErrorReason = (typeof RecordBatchErrorReason)[keyof typeof RecordBatchErrorReason]

/** A record batch (magic 2) that cannot be read: see `reason`. `offset` is a byte position in the input. */
export class RecordBatchError extends ProtocolDecodeError {
  /** The reason, typed (the inherited `reason` carries the same string). */
  readonly batchReason: RecordBatchErrorReason

  constructor(reason: RecordBatchErrorReason, offset: number, options?: { cause?: unknown; detail?: string }) {
    super(reason, offset, options)
    this.name = 'RecordBatchError'
    this.batchReason = reason
  }
}
