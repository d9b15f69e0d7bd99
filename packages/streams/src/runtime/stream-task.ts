// A task runs one sub-topology for one partition: it owns its processor instances and stores,
// tracks stream time (the largest timestamp it has processed), fires punctuators, applies the
// error policies, and sends sink output to a RecordCollector. The test driver and the Kafka
// runtime drive tasks the same way: `process` one record, `punctuate*`, `commit`, `close`.
import type { StateStore, StoreBuilder } from '../state/state-store.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { CachingStore, RecordContextHolder } from '../state/caching/caching-store.ts'
import { CachingKeyValueStore } from '../state/caching/caching-key-value-store.ts'
import { CachingWindowStore } from '../state/caching/caching-window-store.ts'
import { CachingSessionStore } from '../state/caching/caching-session-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import { threadCacheFor, type ThreadCache } from '../state/caching/thread-cache.ts'
import type { Topology } from '../topology/topology.ts'
import type { Subtopology } from '../topology/subtopology.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import type { DropReason, Punctuator, Cancellable } from './processor.ts'
import { PunctuationType } from './processor.ts'
import { ProcessorNode, type NodeHost } from './processor-node.ts'
import { PunctuationQueue } from './punctuation-queue.ts'
import type { RecordMetadata, SerializedRecord } from './record.ts'
import type { RecordCollector, RuntimeConfig } from './runtime-config.ts'
import { SinkProcessor, SourceProcessor, deadLetterHeaders, describeError, resolveTopic } from './source-sink.ts'

/** A store of this task with the changelog topic a persistent runtime must write. */
export interface StoreRegistration {
  /** The store behind any record cache: restores and standby updates write here. */
  readonly store: StateStore
  readonly changelogTopic: string | null
}

export interface StreamTaskOptions {
  readonly topology: Topology
  readonly subtopology: Subtopology
  readonly partition: number
  readonly config: RuntimeConfig
  readonly collector: RecordCollector
  /** Global stores, readable by every processor. */
  readonly globalStores: ReadonlyMap<string, StateStore>
  /**
   * The record cache of the runtime's thread, shared by its tasks. Absent: the cache of
   * `config.cacheMaxBytes` (none when that is absent or 0).
   */
  readonly cache?: ThreadCache | null
}

export class StreamTask implements NodeHost {
  readonly id: string
  readonly applicationId: string
  readonly taskId: string
  readonly droppedRecords = new Map<DropReason, number>()
  private readonly config: RuntimeConfig
  private readonly collector: RecordCollector
  private readonly stores = new Map<string, StateStore>()
  private readonly registrations: StoreRegistration[] = []
  /** Stores with a record cache in front, in registration order. */
  private readonly caches: CachingStore[] = []
  private readonly globalStores: ReadonlyMap<string, StateStore>
  private readonly nodes = new Map<string, ProcessorNode>()
  private readonly sources = new Map<string, ProcessorNode>()
  private readonly streamTimePunctuation = new PunctuationQueue()
  private readonly wallClockPunctuation = new PunctuationQueue()
  private current: SerializedRecord | null = null
  /** The extracted timestamp of `current` (null before extraction and outside processing). */
  private currentTimestampMs: number | null = null
  private streamTime = -1

  constructor(options: StreamTaskOptions) {
    this.config = options.config
    this.collector = options.collector
    this.globalStores = options.globalStores
    this.applicationId = options.config.applicationId
    this.id = this.taskId = `${options.subtopology.id}_${options.partition}`
    this.createStores(options)
    this.createNodes(options)
    for (const node of this.nodes.values()) node.processor.init?.(node)
  }

  /** Source topics (full runtime names) this task reads. */
  sourceTopics(): string[] {
    return [...this.sources.keys()]
  }

  storeRegistrations(): readonly StoreRegistration[] {
    return this.registrations
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name) ?? this.globalStores.get(name)
  }

  streamTimeMs(): number {
    return this.streamTime
  }

  systemTimeMs(): number {
    return this.config.systemTimeMs()
  }

  recordMetadata(): RecordMetadata | null {
    return this.current
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return type === PunctuationType.StreamTime
      ? this.streamTimePunctuation.schedule(0, intervalMs, punctuator)
      : this.wallClockPunctuation.schedule(this.config.systemTimeMs() + intervalMs, intervalMs, punctuator)
  }

  recordDropped(node: string, reason: DropReason, detail: string): void {
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1)
    const where = this.current === null ? 'during punctuation' : `topic=${this.current.topic} partition=${this.current.partition} offset=${this.current.offset}`
    this.config.logger.warn(`task ${this.id} node ${node}: dropped record (${reason}) ${where}: ${detail}`)
  }

  /** Processes one input record; stream time advances to its timestamp first. */
  process(record: SerializedRecord): void {
    const source = this.sources.get(record.topic)
    if (source === undefined) throw new StreamsError(StreamsErrorCode.UnknownTopic, `task ${this.id} does not read topic '${record.topic}'`)
    this.current = record
    try {
      const processor = source.processor as SourceProcessor
      let decoded
      try {
        decoded = processor.decode(record, this.streamTime)
      } catch (error) {
        this.handleError('deserialization', record, error)
        return
      }
      this.streamTime = Math.max(this.streamTime, decoded.timestamp)
      this.currentTimestampMs = decoded.timestamp
      try {
        source.forward(decoded)
      } catch (error) {
        if (error instanceof StreamsError && error.code !== StreamsErrorCode.Processing) throw error
        this.handleError('processing', record, error)
      }
    } finally {
      this.current = null
      this.currentTimestampMs = null
    }
  }

  /** Fires stream-time punctuators due at the current stream time. */
  punctuateStreamTime(): boolean {
    return this.streamTime >= 0 && this.streamTimePunctuation.mayPunctuate(this.streamTime)
  }

  punctuateWallClockTime(): boolean {
    return this.wallClockPunctuation.mayPunctuate(this.config.systemTimeMs())
  }

  /**
   * Flushes the stores; the Kafka runtime writes a checkpoint after this. Record caches go first:
   * their dirty entries reach the stores, the changelogs and (forwarded) the sinks before the
   * runtime sends its output and commits the input offsets.
   */
  commit(): void {
    this.flushCaches()
    for (let index = 0; index < this.registrations.length; index++) this.registrations[index].store.flush()
  }

  /**
   * Writes and forwards every dirty cache entry. A flush may forward into a cached store
   * downstream in this task, so the stores are flushed again until none is dirty (at most once
   * per store and level of the sub-topology; a longer chain means a cycle).
   */
  flushCaches(): void {
    if (this.caches.length === 0) return
    for (let round = 0; round <= this.caches.length; round++) {
      let flushed = false
      for (let index = 0; index < this.caches.length; index++) if (this.caches[index].flushCache()) flushed = true
      if (!flushed) return
    }
    if (this.caches.some((cache) => cache.hasDirtyEntries())) throw new StreamsError(StreamsErrorCode.Topology, `task ${this.id}: record caches still dirty after flushing every store (a cycle between cached stores?)`)
  }

  close(): void {
    for (const node of this.nodes.values()) node.processor.close?.()
    for (const store of this.stores.values()) store.close()
  }

  /** A sink could not serialize its record: the production error policy decides (Kafka's handleSerializationException). */
  private handleSerializationError(error: unknown, topic: string): void {
    const policy = this.config.productionErrorPolicy ?? 'fail'
    const record = this.current
    const source = record === null ? 'outside record processing' : `input topic=${record.topic} partition=${record.partition} offset=${record.offset}`
    if (policy === 'fail') {
      throw new StreamsError(StreamsErrorCode.Serialization, `task ${this.id}: serializing a record for topic '${topic}' failed (${source}): ${describeError(error)}`, { cause: error })
    }
    if (policy === 'logAndContinue' || record === null) {
      // Without an input record (a punctuator's output) there is nothing to dead-letter: logged and counted.
      this.recordDropped(`sink to ${topic}`, 'production-error', describeError(error))
      return
    }
    this.deadLetter(record, policy.deadLetterTopic, 'production-error', `serializing a record for topic '${topic}' failed, input record`, error)
  }

  private handleError(stage: 'deserialization' | 'processing', record: SerializedRecord, error: unknown): void {
    const policy = stage === 'deserialization' ? this.config.deserializationErrorPolicy : this.config.processingErrorPolicy
    const reason: DropReason = stage === 'deserialization' ? 'deserialization-error' : 'processing-error'
    if (policy === 'fail') {
      const code = stage === 'deserialization' ? StreamsErrorCode.Deserialization : StreamsErrorCode.Processing
      throw new StreamsError(code, `task ${this.id}: ${stage} failed for topic=${record.topic} partition=${record.partition} offset=${record.offset}: ${describeError(error)}`, { cause: error })
    }
    if (policy === 'logAndContinue') {
      this.recordDropped(stage, reason, describeError(error))
      return
    }
    this.deadLetter(record, policy.deadLetterTopic, reason, `${stage} failed, record`, error)
  }

  /** Sends the raw input record to `topic` with the reason in its headers; counted and logged (`what` … sent to …). */
  private deadLetter(record: SerializedRecord, topic: string, reason: DropReason, what: string, error: unknown): void {
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1)
    this.config.logger.warn(`task ${this.id}: ${what} sent to dead-letter topic '${topic}': ${describeError(error)}`)
    this.collector.send(topic, record.key, record.value, record.timestamp, deadLetterHeaders(record, error))
  }

  private createStores(options: StreamTaskOptions): void {
    const cache = options.cache !== undefined ? options.cache : threadCacheFor(options.config, options.config.cacheMaxBytes ?? 0)
    // Opaque to the caches: saved with each cached write, restored while the entry is flushed.
    const recordContext: RecordContextHolder = {
      get: (): RecordContext => ({ record: this.current, timestampMs: this.currentTimestampMs }),
      set: (context) => {
        this.current = (context as RecordContext | undefined)?.record ?? null
        this.currentTimestampMs = (context as RecordContext | undefined)?.timestampMs ?? null
      },
    }
    for (const name of options.subtopology.stores) {
      const builder = options.topology.stores().get(name)
      if (builder === undefined) continue
      const store = builder.build()
      const changelogTopic = builder.loggingEnabled ? `${this.applicationId}-${name}-changelog` : null
      const cached = cache === null ? null : cachedStore(store, builder, cache, recordContext)
      ;(cached ?? store).init({ applicationId: this.applicationId, taskId: this.id, changelogTopic, recordTimestampMs: () => this.currentTimestampMs })
      this.stores.set(name, cached ?? store)
      if (cached !== null) this.caches.push(cached)
      this.registrations.push({ store, changelogTopic })
    }
  }

  private createNodes(options: StreamTaskOptions): void {
    const { topology, subtopology, config } = options
    for (const name of subtopology.nodes) {
      const definition = topology.nodes().get(name)!
      if (definition.kind === 'source') {
        const node = new ProcessorNode(name, new SourceProcessor(definition, config), this, new Set())
        this.nodes.set(name, node)
        for (const topic of definition.topics) this.sources.set(resolveTopic(topology, config, topic), node)
      } else if (definition.kind === 'sink') {
        this.nodes.set(name, new ProcessorNode(name, new SinkProcessor(definition, topology, config, this.collector, () => this.current, (error, topic) => this.handleSerializationError(error, topic)), this, new Set()))
      } else {
        this.nodes.set(name, new ProcessorNode(name, definition.supplier(), this, new Set(definition.stores)))
      }
    }
    for (const name of subtopology.nodes) {
      const definition = topology.nodes().get(name)!
      if (definition.kind === 'sink') continue
      const node = this.nodes.get(name)!
      for (const child of definition.children) node.children.push(this.nodes.get(child)!)
    }
  }
}

/** The store behind a record cache when its builder asks for caching and its kind can be cached, else null. */
interface RecordContext {
  readonly record: SerializedRecord | null
  readonly timestampMs: number | null
}

function cachedStore(store: StateStore, builder: StoreBuilder, cache: ThreadCache, recordContext: RecordContextHolder): (StateStore & CachingStore) | null {
  if (builder.cachingEnabled !== true || builder.keySerde === undefined) return null
  const options = { cache, keySerde: builder.keySerde, recordContext }
  if (builder.kind === 'keyValue') return new CachingKeyValueStore(store as KeyValueStore<unknown, unknown>, options)
  if (builder.kind === 'window') return builder.retainDuplicates === true ? null : new CachingWindowStore(store as WindowStore<unknown, unknown>, options)
  return new CachingSessionStore(store as SessionStore<unknown, unknown>, options)
}
