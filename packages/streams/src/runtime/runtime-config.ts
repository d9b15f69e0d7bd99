// What a runtime (the test driver now, Kafka tasks next) tells its tasks.
import type { Serde } from '../serde/serde.ts'
import type { Headers } from './record.ts'
import type { TimestampExtractor } from './processor.ts'

/**
 * What to do with a record that cannot be deserialized or whose processing throws:
 * stop the task, log it and go on, or write the raw input record to a dead-letter topic with
 * the reason in `__streams.errors.*` headers. A record is never dropped without a trace.
 */
export type ErrorPolicy = 'fail' | 'logAndContinue' | { readonly deadLetterTopic: string }

export interface StreamsLogger {
  warn(message: string): void
}

export interface RuntimeConfig {
  readonly applicationId: string
  readonly defaultKeySerde?: Serde<any>
  readonly defaultValueSerde?: Serde<any>
  readonly defaultTimestampExtractor?: TimestampExtractor
  readonly deserializationErrorPolicy: ErrorPolicy
  readonly processingErrorPolicy: ErrorPolicy
  /**
   * A sink record whose key or value cannot be serialized (Kafka's
   * ProductionExceptionHandler.handleSerializationException): the dead-letter record is the
   * input record being processed. Default 'fail'.
   */
  readonly productionErrorPolicy?: ErrorPolicy
  readonly logger: StreamsLogger
  /**
   * Budget of the record cache shared by this runtime's tasks (Kafka's
   * `statestore.cache.max.bytes`); 0 disables caching. KafkaStreams and the test driver default
   * to 10 MiB; a bare StreamTask caches only when this is set.
   */
  readonly cacheMaxBytes?: number
  /** Wall-clock time of the runtime (a mock in the test driver). */
  systemTimeMs(): number
}

/** Where sinks send serialized records (a producer in the Kafka runtime). */
export interface RecordCollector {
  send(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers): void
}

/** Header names of dead-letter records, as in Kafka Streams (KIP-1034). */
export const DeadLetterHeader = {
  Exception: '__streams.errors.exception',
  Message: '__streams.errors.message',
  Topic: '__streams.errors.topic',
  Partition: '__streams.errors.partition',
  Offset: '__streams.errors.offset',
} as const
