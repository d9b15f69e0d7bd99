// Global stores: every instance holds all of a global topic. The updater feeds each global
// topic's records through its source and store-maintaining processor; tasks read the stores.
import type { StateStore } from '../state/state-store.ts'
import type { Topology } from '../topology/topology.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import type { DropReason } from './processor.ts'
import { ProcessorNode, type NodeHost } from './processor-node.ts'
import type { RecordMetadata, SerializedRecord } from './record.ts'
import type { RuntimeConfig } from './runtime-config.ts'
import { SourceProcessor, describeError } from './source-sink.ts'

export class GlobalStateUpdater implements NodeHost {
  readonly applicationId: string
  readonly taskId = 'global'
  readonly stores = new Map<string, StateStore>()
  readonly droppedRecords = new Map<DropReason, number>()
  private readonly config: RuntimeConfig
  private readonly sources = new Map<string, ProcessorNode>()
  private current: SerializedRecord | null = null
  private streamTime = -1

  constructor(topology: Topology, config: RuntimeConfig) {
    this.config = config
    this.applicationId = config.applicationId
    for (const global of topology.globalStores()) {
      const store = global.store.build()
      // Global stores restore from their source topic: they have no changelog.
      store.init({ applicationId: this.applicationId, taskId: this.taskId, changelogTopic: null })
      this.stores.set(global.store.name, store)
    }
    for (const global of topology.globalStores()) {
      const sourceDefinition = topology.nodes().get(global.sourceName)!
      const processorDefinition = topology.nodes().get(global.processorName)!
      if (sourceDefinition.kind !== 'source' || processorDefinition.kind !== 'processor') throw new Error('assertion failed: global store nodes')
      const source = new ProcessorNode(global.sourceName, new SourceProcessor(sourceDefinition, config), this, new Set())
      const processor = new ProcessorNode(global.processorName, processorDefinition.supplier(), this, new Set([global.store.name]))
      source.children.push(processor)
      processor.processor.init?.(processor)
      this.sources.set(global.topic, source)
    }
  }

  topics(): string[] {
    return [...this.sources.keys()]
  }

  process(record: SerializedRecord): void {
    const source = this.sources.get(record.topic)
    if (source === undefined) throw new StreamsError(StreamsErrorCode.UnknownTopic, `no global store reads topic '${record.topic}'`)
    this.current = record
    try {
      let decoded
      try {
        decoded = (source.processor as SourceProcessor).decode(record, this.streamTime)
      } catch (error) {
        if (this.config.deserializationErrorPolicy === 'fail') {
          throw new StreamsError(StreamsErrorCode.Deserialization, `global store: cannot deserialize topic=${record.topic} offset=${record.offset}: ${describeError(error)}`, { cause: error })
        }
        this.recordDropped(source.name, 'deserialization-error', describeError(error))
        return
      }
      this.streamTime = Math.max(this.streamTime, decoded.timestamp)
      source.forward(decoded)
    } finally {
      this.current = null
    }
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name)
  }

  schedule(): never {
    throw new StreamsError(StreamsErrorCode.Unsupported, 'global store processors cannot schedule punctuators')
  }

  recordMetadata(): RecordMetadata | null {
    return this.current
  }

  streamTimeMs(): number {
    return this.streamTime
  }

  systemTimeMs(): number {
    return this.config.systemTimeMs()
  }

  recordDropped(node: string, reason: DropReason, detail: string): void {
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1)
    this.config.logger.warn(`global node ${node}: dropped record (${reason}): ${detail}`)
  }
}
