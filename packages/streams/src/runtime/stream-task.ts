// A task runs one sub-topology for one partition: it owns its processor instances and stores,
// tracks stream time (the largest timestamp it has processed), fires punctuators, applies the
// error policies, and sends sink output to a RecordCollector. The test driver and the Kafka
// runtime drive tasks the same way: `process` one record, `punctuate*`, `commit`, `close`.
import type { StateStore } from '../state/state-store.ts'
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
  private readonly globalStores: ReadonlyMap<string, StateStore>
  private readonly nodes = new Map<string, ProcessorNode>()
  private readonly sources = new Map<string, ProcessorNode>()
  private readonly streamTimePunctuation = new PunctuationQueue()
  private readonly wallClockPunctuation = new PunctuationQueue()
  private current: SerializedRecord | null = null
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
      try {
        source.forward(decoded)
      } catch (error) {
        if (error instanceof StreamsError && error.code !== StreamsErrorCode.Processing) throw error
        this.handleError('processing', record, error)
      }
    } finally {
      this.current = null
    }
  }

  /** Fires stream-time punctuators due at the current stream time. */
  punctuateStreamTime(): boolean {
    return this.streamTime >= 0 && this.streamTimePunctuation.mayPunctuate(this.streamTime)
  }

  punctuateWallClockTime(): boolean {
    return this.wallClockPunctuation.mayPunctuate(this.config.systemTimeMs())
  }

  /** Flushes the stores; the Kafka runtime writes a checkpoint after this. */
  commit(): void {
    for (let index = 0; index < this.registrations.length; index++) this.registrations[index].store.flush()
  }

  close(): void {
    for (const node of this.nodes.values()) node.processor.close?.()
    for (const store of this.stores.values()) store.close()
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
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1)
    this.config.logger.warn(`task ${this.id}: ${stage} failed, record sent to dead-letter topic '${policy.deadLetterTopic}': ${describeError(error)}`)
    this.collector.send(policy.deadLetterTopic, record.key, record.value, record.timestamp, deadLetterHeaders(record, error))
  }

  private createStores(options: StreamTaskOptions): void {
    for (const name of options.subtopology.stores) {
      const builder = options.topology.stores().get(name)
      if (builder === undefined) continue
      const store = builder.build()
      const changelogTopic = builder.loggingEnabled ? `${this.applicationId}-${name}-changelog` : null
      store.init({ applicationId: this.applicationId, taskId: this.id, changelogTopic })
      this.stores.set(name, store)
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
        this.nodes.set(name, new ProcessorNode(name, new SinkProcessor(definition, topology, config, this.collector, () => this.current), this, new Set()))
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
