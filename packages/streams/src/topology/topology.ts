// A Topology is a plain graph: source, processor and sink nodes, the state stores processors
// use, and global stores. The DSL builds one; the runtime executes one; `describe()` prints it.
// Internal topics (repartition) are named here without the application id; the runtime
// prefixes them (`<applicationId>-<name>`), as Kafka Streams does.
import type { Serde } from '../serde/serde.ts'
import type { StoreBuilder } from '../state/state-store.ts'
import type { ProcessorSupplier, TimestampExtractor, TopicNameExtractor } from '../runtime/processor.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import { computeSubtopologies, type Subtopology } from './subtopology.ts'
import { describeTopology, type TopologyDescription } from './topology-description.ts'

export interface SourceNodeDefinition {
  readonly kind: 'source'
  readonly name: string
  readonly topics: readonly string[]
  readonly keySerde?: Serde<any>
  readonly valueSerde?: Serde<any>
  readonly timestampExtractor?: TimestampExtractor
  readonly children: string[]
}

export interface ProcessorNodeDefinition {
  readonly kind: 'processor'
  readonly name: string
  readonly supplier: ProcessorSupplier<any, any, any, any>
  readonly stores: string[]
  readonly parents: string[]
  readonly children: string[]
}

export interface SinkNodeDefinition {
  readonly kind: 'sink'
  readonly name: string
  readonly topic: string | TopicNameExtractor<any, any>
  readonly keySerde?: Serde<any>
  readonly valueSerde?: Serde<any>
  readonly parents: string[]
}

export type NodeDefinition = SourceNodeDefinition | ProcessorNodeDefinition | SinkNodeDefinition

export interface GlobalStoreDefinition {
  readonly store: StoreBuilder
  readonly sourceName: string
  readonly processorName: string
  readonly topic: string
}

export interface SourceOptions {
  keySerde?: Serde<any>
  valueSerde?: Serde<any>
  timestampExtractor?: TimestampExtractor
}

export interface SinkOptions {
  keySerde?: Serde<any>
  valueSerde?: Serde<any>
}

export class Topology {
  private readonly nodeMap = new Map<string, NodeDefinition>()
  private readonly storeMap = new Map<string, StoreBuilder>()
  private readonly globals: GlobalStoreDefinition[] = []
  private readonly internal = new Set<string>()
  private readonly topicOwners = new Map<string, string>()

  /** Adds a source node reading `topics` (Kafka's addSource). */
  addSource(name: string, topics: readonly string[], options: SourceOptions = {}): this {
    this.requireNewName(name)
    for (const topic of topics) {
      if (this.topicOwners.has(topic)) throw new StreamsError(StreamsErrorCode.Topology, `topic '${topic}' is already read by source '${this.topicOwners.get(topic)}'`)
      this.topicOwners.set(topic, name)
    }
    this.nodeMap.set(name, { kind: 'source', name, topics: [...topics], ...options, children: [] })
    return this
  }

  /** Adds a processor node fed by `parentNames`. */
  addProcessor(name: string, supplier: ProcessorSupplier<any, any, any, any>, ...parentNames: string[]): this {
    this.requireNewName(name)
    if (parentNames.length === 0) throw new StreamsError(StreamsErrorCode.Topology, `processor '${name}' needs at least one parent`)
    this.nodeMap.set(name, { kind: 'processor', name, supplier, stores: [], parents: [], children: [] })
    for (const parent of parentNames) this.connect(parent, name)
    return this
  }

  /** Adds a sink node writing to a fixed topic or to a topic chosen per record. */
  addSink(name: string, topic: string | TopicNameExtractor<any, any>, options: SinkOptions, ...parentNames: string[]): this {
    this.requireNewName(name)
    this.nodeMap.set(name, { kind: 'sink', name, topic, ...options, parents: [] })
    for (const parent of parentNames) this.connect(parent, name)
    return this
  }

  /** Registers a store and lets the named processors use it. */
  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    if (this.storeMap.has(builder.name)) throw new StreamsError(StreamsErrorCode.Topology, `store '${builder.name}' is already added`)
    this.storeMap.set(builder.name, builder)
    this.connectProcessorAndStateStores(...processorNames.map((processor) => [processor, builder.name] as const))
    return this
  }

  /** Lets processors use stores added earlier (pairs of processor name and store name). */
  connectProcessorAndStateStores(...pairs: ReadonlyArray<readonly [string, string]>): this {
    for (const [processorName, storeName] of pairs) {
      const node = this.nodeMap.get(processorName)
      if (node?.kind !== 'processor') throw new StreamsError(StreamsErrorCode.Topology, `'${processorName}' is not a processor`)
      if (!this.storeMap.has(storeName) && !this.globals.some((global) => global.store.name === storeName)) {
        throw new StreamsError(StreamsErrorCode.Topology, `store '${storeName}' is not added`)
      }
      if (!node.stores.includes(storeName)) node.stores.push(storeName)
    }
    return this
  }

  /** A store replicated in full to every instance and fed by `topic` (Kafka's addGlobalStore). */
  addGlobalStore(store: StoreBuilder, sourceName: string, topic: string, options: SourceOptions, processorName: string, supplier: ProcessorSupplier<any, any, never, never>): this {
    this.addSource(sourceName, [topic], options)
    this.requireNewName(processorName)
    this.nodeMap.set(processorName, { kind: 'processor', name: processorName, supplier, stores: [store.name], parents: [], children: [] })
    this.connect(sourceName, processorName)
    this.globals.push({ store, sourceName, processorName, topic })
    return this
  }

  /** Marks a topic as internal (a repartition topic): the runtime prefixes it with the application id. */
  markInternalTopic(topic: string): this {
    this.internal.add(topic)
    return this
  }

  nodes(): ReadonlyMap<string, NodeDefinition> {
    return this.nodeMap
  }

  stores(): ReadonlyMap<string, StoreBuilder> {
    return this.storeMap
  }

  globalStores(): readonly GlobalStoreDefinition[] {
    return this.globals
  }

  internalTopics(): ReadonlySet<string> {
    return this.internal
  }

  /** Groups of connected nodes; each becomes one task per input partition. */
  subtopologies(): Subtopology[] {
    return computeSubtopologies(this)
  }

  describe(): TopologyDescription {
    return describeTopology(this)
  }

  private connect(parentName: string, childName: string): void {
    const parent = this.nodeMap.get(parentName)
    const child = this.nodeMap.get(childName)
    if (parent === undefined) throw new StreamsError(StreamsErrorCode.Topology, `parent node '${parentName}' of '${childName}' does not exist`)
    if (parent.kind === 'sink') throw new StreamsError(StreamsErrorCode.Topology, `sink '${parentName}' cannot have children`)
    if (child === undefined || child.kind === 'source') throw new StreamsError(StreamsErrorCode.Topology, `'${childName}' cannot be a child`)
    parent.children.push(childName)
    child.parents.push(parentName)
  }

  private requireNewName(name: string): void {
    if (this.nodeMap.has(name)) throw new StreamsError(StreamsErrorCode.Topology, `node '${name}' is already added`)
  }
}
