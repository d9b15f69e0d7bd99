// Kafka error codes for log failures, and the shape of a failed append.
import { ErrorCode } from '@tributary/protocol'
import { LogError, LogErrorCode } from '@tributary/log'
import type { AppendResult, ErrorResult } from './cluster-types.ts'

/** Maps a log error to a Kafka error code and message; anything else is rethrown (a bug or I/O). */
export function errorResultOf(error: unknown): ErrorResult {
  if (!(error instanceof LogError)) throw error
  const byCode: Record<string, number> = {
    [LogErrorCode.OffsetOutOfRange]: ErrorCode.OffsetOutOfRange,
    [LogErrorCode.Corrupt]: ErrorCode.CorruptMessage,
    [LogErrorCode.RecordTooLarge]: ErrorCode.MessageTooLarge,
    [LogErrorCode.UnknownTopicOrPartition]: ErrorCode.UnknownTopicOrPartition,
    [LogErrorCode.TopicAlreadyExists]: ErrorCode.TopicAlreadyExists,
    [LogErrorCode.InvalidTopic]: ErrorCode.InvalidTopicException,
    [LogErrorCode.InvalidPartitions]: ErrorCode.InvalidPartitions,
    [LogErrorCode.InvalidConfig]: ErrorCode.InvalidConfig,
    [LogErrorCode.Closed]: ErrorCode.NotLeaderOrFollower,
    [LogErrorCode.Io]: ErrorCode.KafkaStorageError,
  }
  return { errorCode: byCode[error.code] ?? ErrorCode.UnknownServerError, errorMessage: error.message }
}

export function appendFailure(errorCode: number, errorMessage: string, recordErrors: AppendResult['recordErrors'] = []): AppendResult {
  return { errorCode, errorMessage, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors }
}
