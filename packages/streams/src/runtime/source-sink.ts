// Source and sink processors: the only places records are (de)serialized.
import type { SinkNodeDefinition, SourceNodeDefinition, Topology } from '../topology/topology.ts'
import type { Serde } from '../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import type { Processor, TimestampExtractor, TopicNameExtractor } from './processor.ts'
import { StreamRecord, type Header, type Headers, type SerializedRecord } from './record.ts'
import { DeadLetterHeader, type RecordCollector, type RuntimeConfig } from './runtime-config.ts'

const encoder = new TextEncoder()

/** The runtime name of a topology topic: internal topics get the application id prefix. */
export function resolveTopic(topology: Topology, config: RuntimeConfig, topic: string): string {
  return topology.internalTopics().has(topic) ? `${config.applicationId}-${topic}` : topic
}

function pick(serde: Serde<any> | undefined, fallback: Serde<any> | undefined, what: string, node: string): Serde<any> {
  const chosen = serde ?? fallback
  if (chosen === undefined) throw new StreamsError(StreamsErrorCode.MissingSerde, `node '${node}' has no ${what} serde and no default ${what} serde is configured`)
  return chosen
}

export class SourceProcessor implements Processor<unknown, unknown, unknown, unknown> {
  private readonly definition: SourceNodeDefinition
  private readonly keySerde: Serde<any> | undefined
  private readonly valueSerde: Serde<any> | undefined
  private readonly extractor: TimestampExtractor | undefined

  constructor(definition: SourceNodeDefinition, config: RuntimeConfig) {
    this.definition = definition
    this.keySerde = definition.keySerde ?? config.defaultKeySerde
    this.valueSerde = definition.valueSerde ?? config.defaultValueSerde
    this.extractor = definition.timestampExtractor ?? config.defaultTimestampExtractor
  }

  /** Deserializes and timestamps a raw record; throws on bad bytes or an invalid timestamp. */
  decode(record: SerializedRecord, partitionTimeMs: number): StreamRecord<unknown, unknown> {
    const name = this.definition.name
    const key = record.key === null ? null : pick(this.keySerde, undefined, 'key', name).deserialize(record.topic, record.key)
    const value = record.value === null ? null : pick(this.valueSerde, undefined, 'value', name).deserialize(record.topic, record.value)
    const extractor = this.extractor
    const timestamp = extractor === undefined ? record.timestamp : extractor({ topic: record.topic, key, value, timestamp: record.timestamp }, partitionTimeMs)
    if (!Number.isFinite(timestamp) || timestamp < 0) throw new RangeError(`invalid timestamp ${timestamp} extracted from topic=${record.topic} offset=${record.offset}`)
    return new StreamRecord(key, value, timestamp, record.headers)
  }

  process(): void {
    throw new Error('assertion failed: source nodes are fed by their task, not by a parent')
  }
}

export class SinkProcessor implements Processor<unknown, unknown> {
  private readonly definition: SinkNodeDefinition
  private readonly topology: Topology
  private readonly config: RuntimeConfig
  private readonly collector: RecordCollector
  private readonly current: () => SerializedRecord | null
  private readonly onSerializationError: (error: unknown, topic: string) => void
  private readonly fixedTopic: string | null
  private readonly keySerde: Serde<any> | undefined
  private readonly valueSerde: Serde<any> | undefined

  /** `onSerializationError` applies the production error policy (it throws to fail the task). */
  constructor(definition: SinkNodeDefinition, topology: Topology, config: RuntimeConfig, collector: RecordCollector, current: () => SerializedRecord | null, onSerializationError: (error: unknown, topic: string) => void) {
    this.definition = definition
    this.topology = topology
    this.config = config
    this.collector = collector
    this.current = current
    this.onSerializationError = onSerializationError
    this.fixedTopic = typeof definition.topic === 'string' ? resolveTopic(topology, config, definition.topic) : null
    this.keySerde = definition.keySerde ?? config.defaultKeySerde
    this.valueSerde = definition.valueSerde ?? config.defaultValueSerde
  }

  process(record: StreamRecord<unknown, unknown>): void {
    const { definition } = this
    const topic = this.fixedTopic !== null
      ? this.fixedTopic
      : (definition.topic as TopicNameExtractor<unknown, unknown>)(record.key, record.value, { topic: this.current()?.topic ?? null, timestamp: record.timestamp })
    const keySerde = record.key === null ? undefined : pick(this.keySerde, undefined, 'key', definition.name)
    const valueSerde = record.value === null ? undefined : pick(this.valueSerde, undefined, 'value', definition.name)
    let key: Uint8Array | null
    let value: Uint8Array | null
    try {
      key = keySerde === undefined ? null : keySerde.serialize(topic, record.key)
      value = valueSerde === undefined ? null : valueSerde.serialize(topic, record.value)
    } catch (error) {
      this.onSerializationError(error, topic)
      return
    }
    this.collector.send(topic, key, value, record.timestamp, record.headers)
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** The input record's headers plus the reason it failed (KIP-1034 header names). */
export function deadLetterHeaders(record: SerializedRecord, error: unknown): Headers {
  const reason: Header[] = [
    { key: DeadLetterHeader.Exception, value: encoder.encode(error instanceof Error ? error.name : typeof error) },
    { key: DeadLetterHeader.Message, value: encoder.encode(error instanceof Error ? error.message : String(error)) },
    { key: DeadLetterHeader.Topic, value: encoder.encode(record.topic) },
    { key: DeadLetterHeader.Partition, value: encoder.encode(String(record.partition)) },
    { key: DeadLetterHeader.Offset, value: encoder.encode(String(record.offset)) },
  ]
  return [...record.headers, ...reason]
}
