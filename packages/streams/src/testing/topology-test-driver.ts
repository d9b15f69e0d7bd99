// TopologyTestDriver: runs a Topology without a broker, deterministically. Each topic has one
// partition and each sub-topology one task. Piping a record serializes it, processes it in the
// task that reads its topic, fires stream-time punctuators, then processes whatever the
// topology wrote to topics it also reads (repartition topics) until nothing is pending.
// Wall-clock time is a mock advanced by `advanceWallClockTime`.
import type { Topology } from '../topology/topology.ts'
import type { Serde } from '../serde/serde.ts'
import type { StateStore } from '../state/state-store.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { DropReason, TimestampExtractor } from '../runtime/processor.ts'
import type { Headers, SerializedRecord } from '../runtime/record.ts'
import type { ErrorPolicy, RuntimeConfig, StreamsLogger } from '../runtime/runtime-config.ts'
import { StreamTask } from '../runtime/stream-task.ts'
import { DEFAULT_CACHE_MAX_BYTES } from '../state/caching/thread-cache.ts'
import { GlobalStateUpdater } from '../runtime/global-state.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import { TestInputTopic, TestOutputTopic, type InputTopicOptions, type TopicHost } from './test-topics.ts'
import { keyValueView, sessionView, windowView, type ReadOnlyKeyValueStore, type ReadOnlySessionStore, type ReadOnlyWindowStore } from './store-views.ts'

export interface TopologyTestDriverConfig {
  /** Prefix of internal and changelog topics. Default `'test-application'`. */
  applicationId?: string
  defaultKeySerde?: Serde<any>
  defaultValueSerde?: Serde<any>
  defaultTimestampExtractor?: TimestampExtractor
  /** Default `'fail'`, as Kafka's LogAndFailExceptionHandler. */
  deserializationErrorPolicy?: ErrorPolicy
  /** Default `'fail'`. */
  processingErrorPolicy?: ErrorPolicy
  /** Sink serialization failures (Kafka's production exception handler). Default 'fail'. */
  productionErrorPolicy?: ErrorPolicy
  /** Receives a line per dropped record. Default: `console`. */
  logger?: StreamsLogger
  /** Mock wall-clock start. Default 0. */
  initialWallClockTimeMs?: number
  /** Bound of each topic's unread output queue; exceeding it throws. Default 1,000,000. */
  maxQueuedRecordsPerTopic?: number
  /** Keep records written to internal (repartition) topics readable as outputs. Default true. */
  captureInternalTopics?: boolean
  /**
   * Record cache budget (Kafka's `statestore.cache.max.bytes`); 0 disables it. Default 10 MiB.
   * As Kafka's driver commits after every record, the caches are flushed after each processed
   * record, so cached stores forward per record here; eviction shows only with a tiny budget.
   */
  cacheMaxBytes?: number
}

export class TopologyTestDriver implements TopicHost {
  private readonly config: RuntimeConfig
  private readonly tasks: StreamTask[] = []
  private readonly taskByTopic = new Map<string, StreamTask>()
  private readonly globalState: GlobalStateUpdater
  private readonly globalTopics: ReadonlySet<string>
  private readonly outputs = new Map<string, SerializedRecord[]>()
  private readonly offsets = new Map<string, number>()
  private readonly pending: SerializedRecord[] = []
  private readonly storeKinds = new Map<string, { kind: string; timestamped: boolean }>()
  private readonly maxQueuedRecords: number
  private readonly captureInternalTopics: boolean
  private readonly internalTopics: ReadonlySet<string>
  private wallClockTimeMs: number
  private processing = false

  constructor(topology: Topology, config: TopologyTestDriverConfig = {}) {
    this.wallClockTimeMs = config.initialWallClockTimeMs ?? 0
    this.maxQueuedRecords = config.maxQueuedRecordsPerTopic ?? 1_000_000
    this.captureInternalTopics = config.captureInternalTopics ?? true
    this.config = {
      applicationId: config.applicationId ?? 'test-application',
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      defaultTimestampExtractor: config.defaultTimestampExtractor,
      deserializationErrorPolicy: config.deserializationErrorPolicy ?? 'fail',
      processingErrorPolicy: config.processingErrorPolicy ?? 'fail',
      productionErrorPolicy: config.productionErrorPolicy ?? 'fail',
      logger: config.logger ?? console,
      cacheMaxBytes: config.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
      systemTimeMs: () => this.wallClockTimeMs,
    }
    this.registerStoreKinds(topology)
    this.internalTopics = new Set([...topology.internalTopics()].map((topic) => `${this.config.applicationId}-${topic}`))
    this.globalState = new GlobalStateUpdater(topology, this.config)
    this.globalTopics = new Set(this.globalState.topics())
    const collector = { send: (topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers) => this.append(topic, key, value, timestamp, headers) }
    for (const subtopology of topology.subtopologies()) {
      const task = new StreamTask({ topology, subtopology, partition: 0, config: this.config, collector, globalStores: this.globalState.stores })
      this.tasks.push(task)
      for (const topic of task.sourceTopics()) this.taskByTopic.set(topic, task)
    }
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options?: InputTopicOptions): TestInputTopic<K, V> {
    if (!this.taskByTopic.has(topic) && !this.globalTopics.has(topic)) {
      throw new StreamsError(StreamsErrorCode.UnknownTopic, `topic '${topic}' is not read by the topology`)
    }
    return new TestInputTopic(this, topic, keySerde, valueSerde, { startTimestampMs: this.wallClockTimeMs, ...options })
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde)
  }

  /** Pipes one serialized record (TestInputTopic calls this) and processes everything it causes. */
  pipe(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers): void {
    const record = this.stamp(topic, key, value, timestamp, headers)
    if (this.globalTopics.has(topic)) {
      this.globalState.process(record)
      return
    }
    this.pending.push(record)
    this.drain()
  }

  take(topic: string): SerializedRecord | undefined {
    return this.outputs.get(topic)?.shift()
  }

  queueSize(topic: string): number {
    return this.outputs.get(topic)?.length ?? 0
  }

  /** Topics the topology has written to, internal ones included. */
  producedTopicNames(): Set<string> {
    return new Set(this.outputs.keys())
  }

  /** Advances the mock wall clock and fires due wall-clock punctuators. */
  advanceWallClockTime(advanceMs: number): void {
    this.wallClockTimeMs += advanceMs
    for (const task of this.tasks) task.punctuateWallClockTime()
    this.drain()
  }

  getStateStore(name: string): StateStore | undefined {
    for (const task of this.tasks) {
      const store = task.store(name)
      if (store !== undefined) return store
    }
    return this.globalState.store(name)
  }

  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    return keyValueView<K, V>(this.requireStore(name, 'keyValue') as KeyValueStore<K, any>, this.isTimestamped(name))
  }

  getWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    return windowView<K, V>(this.requireStore(name, 'window') as WindowStore<K, any>, this.isTimestamped(name))
  }

  getSessionStore<K, V>(name: string): ReadOnlySessionStore<K, V> {
    return sessionView<K, V>(this.requireStore(name, 'session') as SessionStore<K, V>)
  }

  /** Counts of records dropped on purpose, per reason, over all tasks. */
  droppedRecords(): Partial<Record<DropReason, number>> {
    const out: Partial<Record<DropReason, number>> = {}
    for (const source of [...this.tasks.map((task) => task.droppedRecords), this.globalState.droppedRecords]) {
      for (const [reason, count] of source) out[reason] = (out[reason] ?? 0) + count
    }
    return out
  }

  /** Changelog topics a Kafka runtime would create, per store. */
  changelogTopics(): Map<string, string> {
    const out = new Map<string, string>()
    for (const task of this.tasks) for (const registration of task.storeRegistrations()) if (registration.changelogTopic !== null) out.set(registration.store.name, registration.changelogTopic)
    return out
  }

  close(): void {
    for (const task of this.tasks) task.close()
  }


  private requireStore(name: string, kind: string): StateStore {
    const store = this.getStateStore(name)
    if (store === undefined) throw new StreamsError(StreamsErrorCode.UnknownStore, `no state store named '${name}'`)
    const found = this.describeStore(name)
    if (found !== undefined && found.kind !== kind) throw new StreamsError(StreamsErrorCode.UnknownStore, `store '${name}' is a ${found.kind} store, not a ${kind} store`)
    return store
  }

  private isTimestamped(name: string): boolean {
    return this.describeStore(name)?.timestamped ?? false
  }

  private describeStore(name: string): { kind: string; timestamped: boolean } | undefined {
    return this.storeKinds.get(name)
  }

  private registerStoreKinds(topology: Topology): void {
    for (const [name, builder] of topology.stores()) this.storeKinds.set(name, { kind: builder.kind, timestamped: builder.timestamped })
    for (const global of topology.globalStores()) this.storeKinds.set(global.store.name, { kind: global.store.kind, timestamped: global.store.timestamped })
  }

  private stamp(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers): SerializedRecord {
    const offset = this.offsets.get(topic) ?? 0
    this.offsets.set(topic, offset + 1)
    return { topic, partition: 0, offset, key, value, timestamp, headers }
  }

  private append(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers): void {
    const record = this.stamp(topic, key, value, timestamp, headers)
    if (this.taskByTopic.has(topic)) {
      // A topology that feeds its own input would loop forever: bound the work one pipe causes.
      if (this.pending.length >= this.maxQueuedRecords) throw new StreamsError(StreamsErrorCode.BufferFull, `one input record caused more than ${this.maxQueuedRecords} records to topics the topology reads (a cycle?)`)
      this.pending.push(record)
    }
    if (!this.captureInternalTopics && this.internalTopics.has(topic)) return
    let queue = this.outputs.get(topic)
    if (queue === undefined) this.outputs.set(topic, (queue = []))
    if (queue.length >= this.maxQueuedRecords) {
      throw new StreamsError(StreamsErrorCode.BufferFull, `output topic '${topic}' holds ${queue.length} unread records (maxQueuedRecordsPerTopic); read them`)
    }
    queue.push(record)
  }

  private drain(): void {
    if (this.processing) return
    this.processing = true
    try {
      let index = 0
      // A commit flushes record caches, which may write to repartition topics: go on until both are done.
      do {
        for (; index < this.pending.length; index++) {
          const record = this.pending[index]
          const task = this.taskByTopic.get(record.topic)
          if (task === undefined) throw new StreamsError(StreamsErrorCode.UnknownTopic, `topic '${record.topic}' is not read by the topology`)
          task.process(record)
          task.punctuateStreamTime()
          // Kafka's driver commits after every record: cached results are forwarded now.
          task.flushCaches()
        }
        for (const task of this.tasks) task.commit()
      } while (index < this.pending.length)
    } finally {
      this.processing = false
      this.pending.length = 0
    }
  }
}
