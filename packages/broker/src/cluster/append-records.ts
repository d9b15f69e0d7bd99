// Produce to one partition: check every batch of the request (framing, CRC, size against
// max.message.bytes, no control batches, known compression, producer sequence seam), append
// them in one go, then wait for durability as acks asks. Results carry Kafka error codes:
// CORRUPT_MESSAGE (bad CRC or framing), MESSAGE_TOO_LARGE, INVALID_RECORD (with the batch index).
import { ErrorCode, RecordBatchErrorReason, isCompressionType, parseAttributes, validateRecordBatch } from '@tributary/protocol'
import type { Clock, RecordBatchHeader } from '@tributary/protocol'
import type { PartitionLog } from '@tributary/log'
import { findRecordWithoutKey } from '@tributary/log'
import type { Logger } from '../logger.ts'
import type { ProducerStateManager } from './producer-state-manager.ts'
import type { AppendResult } from './cluster-types.ts'
import { appendFailure, errorResultOf } from './error-results.ts'

export interface AppendRequest {
  readonly topic: string
  readonly partition: number
  /** The request's records: one or more record batches v2, back to back. */
  readonly records: Uint8Array | null
  /** -1 (all), 0 or 1. With -1 the append is durable (per the flush policy) before the answer. */
  readonly acks: number
  readonly transactionalId: string | null
}

export interface AppendServices {
  readonly clock: Clock
  readonly producerStateManager: ProducerStateManager
  readonly logger: Logger
}

/** The log's leader epoch stamped into appended batches (one node, never re-elected). */
const leaderEpoch = 0

/**
 * The result at once when nothing is awaited (acks 0 or 1, or a flush policy under which an
 * append is as durable as acks=all asks when written: `os`, `interval`), else a promise of it.
 * The records are consumed (validated, written) before this returns either way.
 */
export function appendRecords(log: PartitionLog, request: AppendRequest, services: AppendServices): AppendResult | Promise<AppendResult> {
  const records = request.records
  if (records === null || records.length === 0) return appendFailure(ErrorCode.InvalidRecord, 'Produce request carries no record batch')
  const checked = checkBatches(records, log.config.maxMessageBytes, request, services.producerStateManager)
  if ('errorCode' in checked) return checked
  if (checked.duplicateOf !== undefined) {
    const result: AppendResult = { errorCode: ErrorCode.None, errorMessage: null, baseOffset: checked.duplicateOf, logAppendTimeMs: -1n, logStartOffset: log.logStartOffset, recordErrors: [] }
    // A retry may arrive before the original batch's fsync: acks=all still means durable.
    if (request.acks === -1 && !log.isDurable) return log.awaitDurable().then(() => result)
    return result
  }
  if (log.config.cleanupPolicy.includes('compact')) {
    // Kafka rejects keyless records on compacted topics: the cleaner could never supersede them.
    const keyless = findRecordWithoutKey(records)
    if (keyless !== undefined) {
      const message = `batch ${keyless.batchIndex} record ${keyless.recordIndex}: ${keyless.message}`
      return appendFailure(ErrorCode.InvalidRecord, message, [{ batchIndex: keyless.batchIndex, batchIndexErrorMessage: message }])
    }
  }
  if (log.logEndOffset === log.logStartOffset) services.producerStateManager.prepare?.(request.topic, request.partition)
  let appended
  try {
    appended = log.append(records, { timestampType: log.config.messageTimestampType, nowMs: services.clock.nowMs(), partitionLeaderEpoch: leaderEpoch })
  } catch (error) {
    const { errorCode, errorMessage } = errorResultOf(error)
    services.logger.warn('append failed', { topic: request.topic, partition: request.partition, errorMessage })
    return appendFailure(errorCode, errorMessage ?? 'append failed')
  }
  let nextOffset = appended.baseOffset
  for (const header of checked.headers) {
    if (header.producerId >= 0n) services.producerStateManager.onAppend(request.topic, request.partition, header, nextOffset)
    nextOffset += BigInt(header.lastOffsetDelta) + 1n
  }
  const result: AppendResult = {
    errorCode: ErrorCode.None,
    errorMessage: null,
    baseOffset: appended.baseOffset,
    logAppendTimeMs: BigInt(appended.logAppendTimeMs),
    logStartOffset: appended.logStartOffset,
    recordErrors: noRecordErrors,
  }
  if (request.acks !== -1 || log.isDurable) return result
  return log.awaitDurable().then(() => result, (error: unknown) => {
    services.logger.error('flush failed', { topic: request.topic, partition: request.partition, error: (error as Error).message })
    return appendFailure(ErrorCode.KafkaStorageError, `flush failed: ${(error as Error).message}`)
  })
}

const noRecordErrors: AppendResult['recordErrors'] = Object.freeze([])

/**
 * Validates each batch; returns their headers (or the original offset when the one batch is a
 * producer retry already in the log), or the failure to answer with.
 */
function checkBatches(
  records: Uint8Array,
  maxMessageBytes: number,
  request: AppendRequest,
  producerStateManager: ProducerStateManager,
): { headers: RecordBatchHeader[]; duplicateOf: bigint | undefined } | AppendResult {
  const headers: RecordBatchHeader[] = []
  let duplicateOf: bigint | undefined
  let position = 0
  for (let batchIndex = 0; position < records.length; batchIndex++) {
    const validation = validateRecordBatch(records, position)
    if (!validation.ok) {
      const reason = validation.error.batchReason
      const errorCode = reason === RecordBatchErrorReason.UnsupportedMagic ? ErrorCode.UnsupportedForMessageFormat : ErrorCode.CorruptMessage
      return appendFailure(errorCode, `batch ${batchIndex}: ${validation.error.message}`)
    }
    const header = validation.header
    if (header.sizeInBytes > maxMessageBytes) {
      return appendFailure(ErrorCode.MessageTooLarge, `batch ${batchIndex} is ${header.sizeInBytes} bytes, larger than max.message.bytes ${maxMessageBytes}`)
    }
    const attributes = parseAttributes(header.attributes)
    const invalid = (message: string): AppendResult => appendFailure(ErrorCode.InvalidRecord, message, [{ batchIndex, batchIndexErrorMessage: message }])
    if (attributes.isControl) return invalid('producers may not write control batches')
    if (!isCompressionType(attributes.compression)) return appendFailure(ErrorCode.UnsupportedCompressionType, `batch ${batchIndex} uses unknown compression ${attributes.compression}`)
    if (header.recordsCount < 0 || header.lastOffsetDelta < 0) return invalid(`batch ${batchIndex} has ${header.recordsCount} records and lastOffsetDelta ${header.lastOffsetDelta}`)
    if (header.producerId >= 0n) {
      const verdict = producerStateManager.check(request.topic, request.partition, header, request.transactionalId)
      if (verdict.kind === 'error') return appendFailure(verdict.errorCode, verdict.errorMessage)
      if (verdict.kind === 'duplicate') duplicateOf = verdict.baseOffset
    }
    headers.push(header)
    position += header.sizeInBytes
  }
  // Producers send one batch per partition; a retry mixed with new batches cannot be half-applied.
  if (duplicateOf !== undefined && headers.length > 1) return appendFailure(ErrorCode.DuplicateSequenceNumber, 'a retried batch arrived together with other batches')
  return { headers, duplicateOf }
}
