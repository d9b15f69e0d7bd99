// Configuration of a KafkaStreams instance, with Kafka Streams' names in camelCase.
import type { Serde } from '../serde/serde.ts'
import type { ErrorPolicy, StreamsLogger } from '../runtime/runtime-config.ts'
import type { TimestampExtractor } from '../runtime/processor.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS } from './topic-plan.ts'
import { DEFAULT_CACHE_MAX_BYTES } from '../state/caching/thread-cache.ts'

export const ProcessingGuarantee = { AtLeastOnce: 'at_least_once', ExactlyOnceV2: 'exactly_once_v2' } as const
export type ProcessingGuarantee = (typeof ProcessingGuarantee)[keyof typeof ProcessingGuarantee]

/**
 * What to do with an output record that cannot be serialized or that the producer could not
 * write (Kafka's ProductionExceptionHandler). A dead-letter topic receives the input record of a
 * serialization failure; a write the broker refused has no input record at hand, so under a
 * dead-letter policy it fails the instance. Under exactly_once_v2 refused writes always fail
 * (the transaction aborts and the work is redone).
 */
export type ProductionErrorPolicy = ErrorPolicy

export interface KafkaStreamsConfig {
  readonly applicationId: string
  readonly bootstrapServers: string | readonly string[]
  /** Default 'at_least_once'. */
  readonly processingGuarantee?: ProcessingGuarantee
  /** Directory for this instance's process id (and, with persistent stores, their files). */
  readonly stateDir?: string
  /** Warm copies of each task's stores on other instances. Default 0. */
  readonly numStandbyReplicas?: number
  /** `host:port` of this instance's interactive-query endpoint; enables the HTTP server. */
  readonly applicationServer?: string
  /** Default 30000 (at_least_once) / 100 (exactly_once_v2), as in Kafka Streams. */
  readonly commitIntervalMs?: number
  readonly defaultKeySerde?: Serde<any>
  readonly defaultValueSerde?: Serde<any>
  readonly defaultTimestampExtractor?: TimestampExtractor
  /** Default 'fail'. */
  readonly deserializationErrorPolicy?: ErrorPolicy
  /** Default 'fail'. */
  readonly processingErrorPolicy?: ErrorPolicy
  /** Default 'fail'. */
  readonly productionErrorPolicy?: ProductionErrorPolicy
  readonly logger?: StreamsLogger
  /** Group session timeout. Default 10000. */
  readonly sessionTimeoutMs?: number
  readonly heartbeatIntervalMs?: number
  /**
   * Bytes of the record cache shared by this instance's tasks (Kafka's
   * `statestore.cache.max.bytes`; 0 disables it). Default 10 MiB. Cached DSL stores write their
   * changelogs, and forward their results downstream, once per key per commit (or eviction).
   */
  readonly cacheMaxBytes?: number
  /** Records one poll returns at most. Default 500. */
  readonly maxPollRecords?: number
  /**
   * How often consumed records of repartition topics are deleted (DeleteRecords up to the
   * committed offsets) after a commit (Kafka's `repartition.purge.interval.ms`). Default 30000.
   */
  readonly repartitionPurgeIntervalMs?: number
  /**
   * Window and session store changelogs are `compact,delete` with retention.ms = the store's
   * retention + this (Kafka's `windowstore.changelog.additional.retention.ms`). Default 1 day.
   */
  readonly windowStoreChangelogAdditionalRetentionMs?: number
  /** Poll wait when no record is buffered. Default 100. */
  readonly pollMs?: number
  /** Partitions of internal topics are created with this replication factor. Default 1. */
  readonly replicationFactor?: number
  /**
   * Key serdes of stores to serve over the HTTP query endpoint, for stores whose builder declares
   * none (Processor API stores built without serdes); DSL stores are served with their own.
   */
  readonly queryableStores?: Readonly<Record<string, Serde<any>>>
  /** Wall clock (injectable for tests). Default Date.now. */
  readonly systemTimeMs?: () => number
}

export interface ResolvedConfig extends Required<Omit<KafkaStreamsConfig, 'queryableStores' | 'stateDir' | 'applicationServer' | 'defaultKeySerde' | 'defaultValueSerde' | 'defaultTimestampExtractor'>> {
  readonly stateDir: string | undefined
  readonly queryableStores: Readonly<Record<string, Serde<any>>>
  readonly applicationServer: string | undefined
  readonly defaultKeySerde: Serde<any> | undefined
  readonly defaultValueSerde: Serde<any> | undefined
  readonly defaultTimestampExtractor: TimestampExtractor | undefined
}

export function resolveConfig(config: KafkaStreamsConfig): ResolvedConfig {
  const guarantee = config.processingGuarantee ?? ProcessingGuarantee.AtLeastOnce
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') invalid(`processingGuarantee '${String(guarantee)}' is not 'at_least_once' or 'exactly_once_v2'`)
  if (!/^[A-Za-z0-9._-]+$/.test(config.applicationId)) invalid(`applicationId '${config.applicationId}' must be a legal topic name prefix`)
  for (const name of ['cacheMaxBytes', 'repartitionPurgeIntervalMs', 'windowStoreChangelogAdditionalRetentionMs'] as const) {
    const value = config[name]
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) invalid(`${name} ${value} is not an integer >= 0`)
  }
  if (config.applicationServer !== undefined && !/^[^:]+:\d+$/.test(config.applicationServer)) invalid(`applicationServer '${config.applicationServer}' is not host:port`)
  return {
    applicationId: config.applicationId,
    bootstrapServers: config.bootstrapServers,
    processingGuarantee: guarantee,
    stateDir: config.stateDir,
    queryableStores: config.queryableStores ?? {},
    numStandbyReplicas: config.numStandbyReplicas ?? 0,
    applicationServer: config.applicationServer,
    commitIntervalMs: config.commitIntervalMs ?? (guarantee === 'exactly_once_v2' ? 100 : 30_000),
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    deserializationErrorPolicy: config.deserializationErrorPolicy ?? 'fail',
    processingErrorPolicy: config.processingErrorPolicy ?? 'fail',
    productionErrorPolicy: config.productionErrorPolicy ?? 'fail',
    logger: config.logger ?? console,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? Math.max(100, Math.floor((config.sessionTimeoutMs ?? 10_000) / 4)),
    cacheMaxBytes: config.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
    maxPollRecords: config.maxPollRecords ?? 500,
    repartitionPurgeIntervalMs: config.repartitionPurgeIntervalMs ?? 30_000,
    windowStoreChangelogAdditionalRetentionMs: config.windowStoreChangelogAdditionalRetentionMs ?? DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS,
    pollMs: config.pollMs ?? 100,
    replicationFactor: config.replicationFactor ?? 1,
    systemTimeMs: config.systemTimeMs ?? Date.now,
  }
}

function invalid(message: string): never {
  throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidConfig, message)
}
