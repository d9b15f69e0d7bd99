// The log manager: every topic and partition of one data directory. The broker's single entry
// into storage (openLogManager → createTopic / partition(topic, n).append / runRetention / close).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { Clock } from '@tributary/protocol'
import { LogError, LogErrorCode, ioError } from './errors.ts'
import { removeFileDurably, writeFileDurably } from './durable-file.ts'
import { openPartitionLog } from './partition-open.ts'
import type { FlushPolicy, PartitionLog, RetentionResult } from './partition-log.ts'
import { resolveTopicConfig, TOPIC_CONFIG_DEFAULTS } from './topic-config.ts'
import { compactionConfigOf } from './compaction/compaction-config.ts'
import { LogCleaner } from './compaction/log-cleaner.ts'
import type { CompactionResult, LogCleanerOptions } from './compaction/log-cleaner.ts'
import type { TopicConfig } from './topic-config.ts'
import { checkTopicName, partitionDirectory, readAllTopicMetadata, removeTopicMetadata, TOPICS_DIRECTORY, writeTopicMetadata } from './topic-store.ts'
import type { TopicMetadata } from './topic-store.ts'

export interface LogManagerOptions {
  dataDir: string
  /** Default every-batch (README.md, "Durability"). */
  flushPolicy?: FlushPolicy
  /** Period of the background fsync under the interval policy; default 1000. */
  flushIntervalMs?: number
  clock: Clock
  /** Broker-level defaults under topic configs (Kafka names: `retention.ms`…). */
  defaultTopicConfigs?: Record<string, string>
  /** Called when a partition's highWatermark moves (wake delayed fetches here). */
  onHighWatermark?: (log: PartitionLog) => void
  /** One line per recovery action at open (torn tails cut, indexes rebuilt). */
  onRecovery?: (message: string) => void
  /** Log cleaner limits (offset map size) and test hooks. */
  cleaner?: LogCleanerOptions
}

export interface CompactionRunOptions {
  /** Stop starting new partition passes once this many bytes were read in this run (default COMPACTION_RUN_MAX_BYTES). */
  maxBytes?: number
}

export interface CreateTopicOptions {
  partitionCount: number
  configs?: Record<string, string>
  /** Reuse a known id (e.g. restoring); default a fresh random UUID. */
  topicId?: string
}

/** One row of describeTopicConfigs: `topic` = set on the topic, `broker` = defaultTopicConfigs, `default` = Kafka's default. */
export interface TopicConfigEntry {
  name: string
  value: string
  source: 'topic' | 'broker' | 'default'
}

export interface PartitionRetentionResult extends RetentionResult {
  topic: string
  partition: number
}

/** Marker written by a clean close and removed at open: its presence lets open skip the recovery scan. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown'
const PARTITION_DIRECTORY = /^(.+)-(\d+)$/
const DEFAULT_FLUSH_INTERVAL_MS = 1000
const PARTITION_COUNT_MAX = 100_000
/** Bytes one runCompaction call reads before it stops starting new partition passes. */
export const COMPACTION_RUN_MAX_BYTES = 256 * 1024 * 1024

/** Data directories open in this process: two managers on one directory would corrupt it. */
const openDataDirs = new Set<string>()

/**
 * Opens (creating when missing) the data directory: loads topic metadata, opens and recovers
 * every partition, removes directories of deleted topics.
 * @example const logs = await openLogManager({ dataDir: './data', flushPolicy: 'every-batch', clock })
 */
export async function openLogManager(options: LogManagerOptions): Promise<LogManager> {
  return new LogManager(options)
}

export class LogManager {
  readonly dataDir: string
  readonly flushPolicy: FlushPolicy
  readonly clock: Clock
  readonly #options: LogManagerOptions
  readonly #defaults: Record<string, string>
  readonly #topics = new Map<string, { metadata: TopicMetadata; config: TopicConfig; partitions: PartitionLog[] }>()
  #cancelFlushTimer: (() => void) | undefined
  #closed = false
  readonly #cleaner: LogCleaner
  #compaction: Promise<CompactionResult[]> | undefined

  constructor(options: LogManagerOptions) {
    this.dataDir = resolve(options.dataDir)
    this.flushPolicy = options.flushPolicy ?? 'every-batch'
    this.clock = options.clock
    this.#options = options
    this.#defaults = { ...(options.defaultTopicConfigs ?? {}) }
    this.#cleaner = new LogCleaner(options.cleaner)
    resolveTopicConfig({}, this.#defaults)
    if (openDataDirs.has(this.dataDir)) throw new LogError(LogErrorCode.Io, `data directory ${this.dataDir} is already open in this process`)
    try {
      mkdirSync(this.dataDir, { recursive: true })
    } catch (error) {
      throw ioError(`create ${this.dataDir}`, error)
    }
    const markerPath = join(this.dataDir, CLEAN_SHUTDOWN_FILE)
    const cleanShutdown = existsSync(markerPath)
    try {
      for (const metadata of readAllTopicMetadata(this.dataDir)) {
        const config = resolveTopicConfig(metadata.configs, this.#defaults)
        const partitions: PartitionLog[] = []
        this.#topics.set(metadata.name, { metadata, config, partitions })
        for (let partition = 0; partition < metadata.partitionCount; partition++) partitions.push(this.#openPartition(metadata.name, partition, config, cleanShutdown))
      }
      this.#removeOrphanDirectories()
      removeFileDurably(markerPath)
    } catch (error) {
      // Release what was opened; the data directory stays as it was for the next attempt.
      for (const log of this.partitions()) log.abandon()
      throw error
    }
    openDataDirs.add(this.dataDir)
    if (this.flushPolicy === 'interval') this.#armFlushTimer()
  }

  listTopics(): TopicMetadata[] {
    return [...this.#topics.values()].map((topic) => structuredClone(topic.metadata))
  }

  topic(name: string): TopicMetadata | undefined {
    const topic = this.#topics.get(name)
    return topic === undefined ? undefined : structuredClone(topic.metadata)
  }

  /** The typed config of a topic (overrides over broker defaults over Kafka defaults). */
  topicConfig(name: string): TopicConfig {
    return this.#topic(name).config
  }

  /** The partition log, or throws LOG_UNKNOWN_TOPIC_OR_PARTITION. */
  partition(topic: string, partition: number): PartitionLog {
    const log = this.#topics.get(topic)?.partitions[partition]
    if (log === undefined) throw new LogError(LogErrorCode.UnknownTopicOrPartition, `unknown topic or partition ${topic}-${partition}`)
    return log
  }

  /** Every open partition log. */
  partitions(): PartitionLog[] {
    return [...this.#topics.values()].flatMap((topic) => topic.partitions)
  }

  createTopic(name: string, options: CreateTopicOptions): TopicMetadata {
    this.#checkOpen()
    checkTopicName(name)
    if (this.#topics.has(name)) throw new LogError(LogErrorCode.TopicAlreadyExists, `topic '${name}' already exists`)
    checkPartitionCount(options.partitionCount)
    const configs = { ...(options.configs ?? {}) }
    const config = resolveTopicConfig(configs, this.#defaults)
    const metadata: TopicMetadata = { name, topicId: options.topicId ?? randomUUID(), partitionCount: options.partitionCount, configs }
    const partitions: PartitionLog[] = []
    for (let partition = 0; partition < options.partitionCount; partition++) {
      // A directory left by a crashed create or delete of the same name starts over empty.
      rmSync(partitionDirectory(this.dataDir, name, partition), { recursive: true, force: true })
      partitions.push(this.#openPartition(name, partition, config, false))
    }
    writeTopicMetadata(this.dataDir, metadata)
    this.#topics.set(name, { metadata, config, partitions })
    return structuredClone(metadata)
  }

  /** Removes the topic's metadata (durably, first), then its partition directories. */
  deleteTopic(name: string): void {
    this.#checkOpen()
    const topic = this.#topic(name)
    removeTopicMetadata(this.dataDir, name)
    this.#topics.delete(name)
    for (const log of topic.partitions) {
      log.abandon()
      rmSync(log.dir, { recursive: true, force: true })
    }
  }

  /** CreatePartitions: grows the topic to `totalCount` partitions (never shrinks). */
  createPartitions(name: string, totalCount: number): TopicMetadata {
    this.#checkOpen()
    const topic = this.#topic(name)
    checkPartitionCount(totalCount)
    if (totalCount <= topic.metadata.partitionCount) {
      throw new LogError(LogErrorCode.InvalidPartitions, `topic '${name}' has ${topic.metadata.partitionCount} partitions; the new count must be larger, got ${totalCount}`)
    }
    for (let partition = topic.metadata.partitionCount; partition < totalCount; partition++) {
      rmSync(partitionDirectory(this.dataDir, name, partition), { recursive: true, force: true })
      topic.partitions.push(this.#openPartition(name, partition, topic.config, false))
    }
    topic.metadata = { ...topic.metadata, partitionCount: totalCount }
    writeTopicMetadata(this.dataDir, topic.metadata)
    return structuredClone(topic.metadata)
  }

  /** Replaces the topic's config overrides (validated first; AlterConfigs semantics). */
  setTopicConfigs(name: string, configs: Record<string, string>): TopicMetadata {
    this.#checkOpen()
    const topic = this.#topic(name)
    const config = resolveTopicConfig(configs, this.#defaults)
    topic.metadata = { ...topic.metadata, configs: { ...configs } }
    writeTopicMetadata(this.dataDir, topic.metadata)
    topic.config = config
    for (const log of topic.partitions) log.config = config
    return structuredClone(topic.metadata)
  }

  /** Every topic config with its effective value and where it comes from (DescribeConfigs). */
  describeTopicConfigs(name: string): TopicConfigEntry[] {
    const overrides = this.#topic(name).metadata.configs
    return Object.keys(TOPIC_CONFIG_DEFAULTS).sort().map((configName) => {
      if (Object.hasOwn(overrides, configName)) return { name: configName, value: overrides[configName], source: 'topic' as const }
      if (Object.hasOwn(this.#defaults, configName)) return { name: configName, value: this.#defaults[configName], source: 'broker' as const }
      return { name: configName, value: TOPIC_CONFIG_DEFAULTS[configName], source: 'default' as const }
    })
  }

  /** Applies retention to every partition (call periodically); a failed partition is skipped. */
  runRetention(nowMs: number = this.clock.nowMs()): PartitionRetentionResult[] {
    this.#checkOpen()
    const results: PartitionRetentionResult[] = []
    for (const log of this.partitions()) {
      try {
        results.push({ topic: log.topic, partition: log.partition, ...log.runRetention(nowMs) })
      } catch (error) {
        if (!(error instanceof LogError)) throw error
      }
    }
    return results
  }

  /**
   * Compaction (call periodically): cleans partitions of topics with cleanup.policy containing
   * `compact` whose dirty ratio, max.compaction.lag.ms or an expired delete horizon asks for it,
   * filthiest first, until `maxBytes` were read (at least one pass). A call made while a run is
   * under way returns that run. Results list only partitions a pass looked at.
   */
  runCompaction(nowMs: number = this.clock.nowMs(), options: CompactionRunOptions = {}): Promise<CompactionResult[]> {
    this.#checkOpen()
    this.#compaction ??= this.#compact(nowMs, options.maxBytes ?? COMPACTION_RUN_MAX_BYTES).finally(() => {
      this.#compaction = undefined
    })
    return this.#compaction
  }

  async #compact(nowMs: number, maxBytes: number): Promise<CompactionResult[]> {
    const candidates = []
    for (const topic of this.#topics.values()) {
      const config = compactionConfigOf(topic.config, topic.metadata.configs, this.#defaults)
      if (!config.compact) continue
      for (const log of topic.partitions) {
        if (!log.isWritable) continue
        const plan = this.#cleaner.roughPlan(log, nowMs, config)
        if (plan.reason !== undefined) candidates.push({ log, config, dirtyRatio: plan.dirtyRatio })
      }
    }
    candidates.sort((a, b) => b.dirtyRatio - a.dirtyRatio)
    const results: CompactionResult[] = []
    let bytesRead = 0
    for (const candidate of candidates) {
      if (bytesRead >= maxBytes || this.#closed) break
      if (!candidate.log.isWritable) continue
      const result = await this.#cleaner.clean(candidate.log, nowMs, candidate.config, () => this.#closed)
      bytesRead += result.bytesRead
      results.push(result)
    }
    return results
  }

  /** fsync of every partition with unflushed appends. */
  async flush(): Promise<void> {
    await Promise.all(this.partitions().map((log) => log.flush()))
  }

  /** Flushes and closes every partition, then writes the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#cancelFlushTimer?.()
    // A compaction pass under way finishes its current step (or stops at its next check) first.
    await this.#compaction?.catch(() => [])
    openDataDirs.delete(this.dataDir)
    const results = await Promise.allSettled(this.partitions().map((log) => log.close()))
    const failure = results.find((result) => result.status === 'rejected')
    if (failure !== undefined) throw failure.reason
    writeFileDurably(join(this.dataDir, CLEAN_SHUTDOWN_FILE), '')
  }

  /** Drops everything without flushing or marking a clean shutdown: a simulated crash, for tests. */
  abandon(): void {
    this.#closed = true
    this.#cancelFlushTimer?.()
    openDataDirs.delete(this.dataDir)
    for (const log of this.partitions()) log.abandon()
  }

  #openPartition(topic: string, partition: number, config: TopicConfig, cleanShutdown: boolean): PartitionLog {
    return openPartitionLog({
      dir: partitionDirectory(this.dataDir, topic, partition),
      topic,
      partition,
      config,
      flushPolicy: this.flushPolicy,
      cleanShutdown,
      nowMs: this.clock.nowMs(),
      onHighWatermark: this.#options.onHighWatermark,
      onRecovery: this.#options.onRecovery,
    })
  }

  #armFlushTimer(): void {
    const intervalMs = this.#options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS
    this.#cancelFlushTimer = this.clock.setTimer(intervalMs, () => {
      if (this.#closed) return
      for (const log of this.partitions()) if (log.hasUnflushedData) log.flush().catch(() => {})
      this.#armFlushTimer()
    })
  }

  /** Partition directories no topic claims: leftovers of a crash during create or delete. */
  #removeOrphanDirectories(): void {
    for (const name of readdirSync(this.dataDir)) {
      const match = PARTITION_DIRECTORY.exec(name)
      if (match === null || name === TOPICS_DIRECTORY) continue
      const path = join(this.dataDir, name)
      if (!statSync(path).isDirectory()) continue
      const topic = this.#topics.get(match[1])
      if (topic === undefined || Number(match[2]) >= topic.metadata.partitionCount) rmSync(path, { recursive: true, force: true })
    }
  }

  #topic(name: string): { metadata: TopicMetadata; config: TopicConfig; partitions: PartitionLog[] } {
    const topic = this.#topics.get(name)
    if (topic === undefined) throw new LogError(LogErrorCode.UnknownTopicOrPartition, `unknown topic '${name}'`)
    return topic
  }

  #checkOpen(): void {
    if (this.#closed) throw new LogError(LogErrorCode.Closed, `log manager of ${this.dataDir} is closed`)
  }
}

function checkPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > PARTITION_COUNT_MAX) {
    throw new LogError(LogErrorCode.InvalidPartitions, `partition count must be an integer in [1, ${PARTITION_COUNT_MAX}], got ${count}`)
  }
}
