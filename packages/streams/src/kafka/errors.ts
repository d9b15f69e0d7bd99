// Operating errors of the Kafka runtime. Each has a stable `code` and says whether retrying
// the same call later can succeed (`retriable`): a store being restored or migrating is
// retriable, a wrong store name or a stopped instance is not.

export const KafkaStreamsErrorCode = {
  /** The instance is not in a state that allows the call (not started, closed, failed). */
  IllegalState: 'KAFKA_STREAMS_ILLEGAL_STATE',
  /** The store is unknown, or is being restored / migrated (retriable). */
  InvalidStateStore: 'KAFKA_STREAMS_INVALID_STATE_STORE',
  /** Source topics that must have the same partition count do not. */
  NotCopartitioned: 'KAFKA_STREAMS_NOT_COPARTITIONED',
  /** A source topic is missing, or an internal topic exists with the wrong partition count. */
  MissingSourceTopic: 'KAFKA_STREAMS_MISSING_SOURCE_TOPIC',
  InternalTopicMismatch: 'KAFKA_STREAMS_INTERNAL_TOPIC_MISMATCH',
  /** Another instance took over this instance's tasks or transactional id. */
  TaskMigrated: 'KAFKA_STREAMS_TASK_MIGRATED',
  /** Writing output failed and the production policy is 'fail'. */
  Production: 'KAFKA_STREAMS_PRODUCTION_FAILED',
  /** An interactive query could not be answered by the owner instance. */
  Query: 'KAFKA_STREAMS_QUERY_FAILED',
  InvalidConfig: 'KAFKA_STREAMS_INVALID_CONFIG',
  /** Another live instance uses the same stateDir and applicationId. */
  StateDirectoryLocked: 'KAFKA_STREAMS_STATE_DIRECTORY_LOCKED',
} as const
export type KafkaStreamsErrorCode = (typeof KafkaStreamsErrorCode)[keyof typeof KafkaStreamsErrorCode]

export class KafkaStreamsError extends Error {
  readonly code: KafkaStreamsErrorCode
  readonly retriable: boolean

  constructor(code: KafkaStreamsErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, { cause: options?.cause })
    this.name = 'KafkaStreamsError'
    this.code = code
    this.retriable = options?.retriable ?? false
  }
}
