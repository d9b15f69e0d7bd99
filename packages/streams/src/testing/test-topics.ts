// Typed handles on the driver's topics: TestInputTopic serializes and pipes, TestOutputTopic
// reads and deserializes (reading consumes, as in Kafka's test-utils).
import type { Serde } from '../serde/serde.ts'
import type { Headers, SerializedRecord } from '../runtime/record.ts'
import type { KeyValue } from '../state/windowed.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'

const noHeaders: Headers = Object.freeze([])

/** A record read from an output topic. */
export interface TestRecord<K, V> {
  readonly topic: string
  readonly key: K | null
  readonly value: V | null
  readonly timestamp: number
  readonly headers: Headers
}

/** What the topics need from the driver. */
export interface TopicHost {
  pipe(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers): void
  take(topic: string): SerializedRecord | undefined
  queueSize(topic: string): number
}

export interface InputTopicOptions {
  /** Timestamp of the first record piped without one. */
  startTimestampMs?: number
  /** How far the topic time advances after each record piped without a timestamp. */
  autoAdvanceMs?: number
}

export class TestInputTopic<K, V> {
  readonly topic: string
  private readonly host: TopicHost
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private currentTimeMs: number
  private readonly autoAdvanceMs: number

  constructor(host: TopicHost, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: InputTopicOptions = {}) {
    this.host = host
    this.topic = topic
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.currentTimeMs = options.startTimestampMs ?? 0
    this.autoAdvanceMs = options.autoAdvanceMs ?? 0
  }

  /** Pipes one record; without a timestamp it gets the topic time (then auto-advances). */
  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers: Headers = noHeaders): void {
    let timestamp = timestampMs
    if (timestamp === undefined) {
      timestamp = this.currentTimeMs
      this.currentTimeMs += this.autoAdvanceMs
    }
    this.host.pipe(this.topic, this.keySerde.serialize(this.topic, key), this.valueSerde.serialize(this.topic, value), timestamp, headers)
  }

  /** Pipes a record with a null key. */
  pipeValue(value: V | null, timestampMs?: number): void {
    this.pipeInput(null, value, timestampMs)
  }

  pipeKeyValueList(entries: Iterable<KeyValue<K | null, V | null>>): void {
    for (const entry of entries) this.pipeInput(entry.key, entry.value)
  }

  pipeValueList(values: Iterable<V | null>): void {
    for (const value of values) this.pipeValue(value)
  }

  advanceTime(advanceMs: number): void {
    this.currentTimeMs += advanceMs
  }
}

export class TestOutputTopic<K, V> {
  readonly topic: string
  private readonly host: TopicHost
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>

  constructor(host: TopicHost, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.host = host
    this.topic = topic
    this.keySerde = keySerde
    this.valueSerde = valueSerde
  }

  readRecord(): TestRecord<K, V> {
    const record = this.host.take(this.topic)
    if (record === undefined) throw new StreamsError(StreamsErrorCode.InvalidArgument, `output topic '${this.topic}' is empty`)
    return {
      topic: record.topic,
      key: this.keySerde.deserialize(record.topic, record.key),
      value: this.valueSerde.deserialize(record.topic, record.value),
      timestamp: record.timestamp,
      headers: record.headers,
    }
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const { key, value } = this.readRecord()
    return { key, value }
  }

  readValue(): V | null {
    return this.readRecord().value
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = []
    while (!this.isEmpty()) out.push(this.readRecord())
    return out
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }))
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((record) => record.value)
  }

  /** The latest value per key; a tombstone leaves the key mapped to null, as in Kafka's test-utils. */
  readKeyValuesToMap(): Map<K | null, V | null> {
    const out = new Map<K | null, V | null>()
    for (const { key, value } of this.readRecordsToList()) out.set(key, value)
    return out
  }

  getQueueSize(): number {
    return this.host.queueSize(this.topic)
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0
  }
}
