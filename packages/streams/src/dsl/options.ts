// Option objects of the DSL, named after Kafka's config classes (Consumed, Produced, Grouped,
// Materialized, Joined, StreamJoined, Repartitioned). Plain objects: every field is optional.
import type { Serde } from '../serde/serde.ts'
import type { TimestampExtractor, TopicNameExtractor } from '../runtime/processor.ts'

export interface Named {
  /** Name of the processor node (and prefix of derived names). */
  readonly name?: string
}

export interface Consumed<K, V> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly timestampExtractor?: TimestampExtractor
  /** Name of the source node. */
  readonly processorName?: string
}

export interface Produced<K, V> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly processorName?: string
}

export interface Grouped<K, V> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** Names the repartition topic `<applicationId>-<name>-repartition`. */
  readonly name?: string
}

export interface Materialized<K, V> {
  /** Queryable store name; also names the changelog topic `<applicationId>-<storeName>-changelog`. */
  readonly storeName?: string
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** Window/session store retention; at least window size + grace. */
  readonly retentionMs?: number
  /** Default true: a changelog topic backs the store. */
  readonly loggingEnabled?: boolean
  /**
   * Default true (Kafka's Materialized#withCachingEnabled): a record cache of `cacheMaxBytes`
   * holds the latest update per key between commits, so the changelog and downstream operators
   * get one record per key per commit. Session stores are not cached.
   */
  readonly cachingEnabled?: boolean
}

export interface Joined<K, V, VO> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly otherValueSerde?: Serde<VO>
  readonly name?: string
}

export interface StreamJoined<K, V, VO> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly otherValueSerde?: Serde<VO>
  /** Prefix of the processor names. */
  readonly name?: string
  /** Prefix of the two join store names (`<storeName>-this-join-store`, `-other-join-store`). */
  readonly storeName?: string
}

export interface Repartitioned<K, V> {
  readonly name?: string
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly numberOfPartitions?: number
}

/** `to()` accepts a fixed topic or a per-record topic chooser. */
export type TopicTarget<K, V> = string | TopicNameExtractor<K, V>
