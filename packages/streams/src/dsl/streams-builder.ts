// StreamsBuilder: the DSL entry point. Each call adds nodes to a Topology right away; `build()`
// returns it. Node, store and internal topic names follow Kafka's scheme.
import type { Topology } from '../topology/topology.ts'
import type { StoreBuilder } from '../state/state-store.ts'
import { Stores, defaultSerde } from '../state/stores.ts'
import type { Serde } from '../serde/serde.ts'
import type { ProcessorSupplier } from '../runtime/processor.ts'
import { InternalBuilder, storeGetter } from './internal-builder.ts'
import type { Consumed, Materialized } from './options.ts'
import { KStream } from './kstream.ts'
import { KTable } from './ktable.ts'
import { GlobalKTable } from './global-ktable.ts'
import { tableSourceSupplier } from './operators/table-operators.ts'
import { materializedOptions } from './materialized-store.ts'

export class StreamsBuilder {
  private readonly internal = new InternalBuilder()

  /** A record stream read from one or more topics. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V> = {}): KStream<K, V> {
    const name = consumed.processorName ?? this.internal.newProcessorName('KSTREAM-SOURCE-')
    this.internal.topology.addSource(name, typeof topics === 'string' ? [topics] : topics, consumed)
    return new KStream<K, V>({ builder: this.internal, name, keySerde: consumed.keySerde, valueSerde: consumed.valueSerde, repartitionRequired: false })
  }

  /** A changelog stream read as a table: the latest value per key, a null value deletes. */
  table<K, V>(topic: string, consumed: Consumed<K, V> = {}, materialized: Materialized<K, V> = {}): KTable<K, V> {
    // Kafka names the store first, then the source and the table source.
    const storeName = materialized.storeName ?? this.internal.newStoreName(`${topic}-`)
    const sourceName = consumed.processorName ?? this.internal.newProcessorName('KSTREAM-SOURCE-')
    const tableName = this.internal.newProcessorName('KTABLE-SOURCE-')
    const keySerde = materialized.keySerde ?? consumed.keySerde
    const valueSerde = materialized.valueSerde ?? consumed.valueSerde
    this.internal.topology.addSource(sourceName, [topic], consumed)
    this.internal.addProcessor(tableName, tableSourceSupplier<K, V>(storeName, true), [sourceName])
    this.internal.addStore(Stores.timestamped(timestampedKeyValueStore(storeName, keySerde, valueSerde, materialized)), tableName)
    return new KTable<K, V>({ builder: this.internal, name: tableName, keySerde, valueSerde, getter: storeGetter(storeName), queryableStoreName: storeName, windowGraceMs: null })
  }

  /** A table replicated in full to every task, joinable from any stream by a derived key. */
  globalTable<K, V>(topic: string, consumed: Consumed<K, V> = {}, materialized: Materialized<K, V> = {}): GlobalKTable<K, V> {
    const storeName = materialized.storeName ?? this.internal.newStoreName(`${topic}-`)
    const sourceName = consumed.processorName ?? this.internal.newProcessorName('KSTREAM-SOURCE-')
    const processorName = this.internal.newProcessorName('KTABLE-SOURCE-')
    const store = Stores.timestamped(timestampedKeyValueStore(storeName, materialized.keySerde ?? consumed.keySerde, materialized.valueSerde ?? consumed.valueSerde, { ...materialized, loggingEnabled: false }))
    this.internal.topology.addGlobalStore(store, sourceName, topic, consumed, processorName, tableSourceSupplier<K, V>(storeName, false))
    return new GlobalKTable<K, V>(storeName)
  }

  /** Registers a store for Processor API use (`KStream#process(supplier, storeName)`). */
  addStateStore(builder: StoreBuilder): this {
    this.internal.topology.addStateStore(builder)
    return this
  }

  /** A global store maintained by a user processor (Kafka's addGlobalStore). */
  addGlobalStore<K, V>(store: StoreBuilder, topic: string, consumed: Consumed<K, V>, supplier: ProcessorSupplier<K, V, never, never>): this {
    const sourceName = consumed.processorName ?? this.internal.newProcessorName('KSTREAM-SOURCE-')
    this.internal.topology.addGlobalStore(store, sourceName, topic, consumed, this.internal.newProcessorName('KTABLE-SOURCE-'), supplier)
    return this
  }

  build(): Topology {
    return this.internal.topology
  }
}

/**
 * The store behind a table: key → ValueAndTimestamp. `keySerde` and `valueSerde` are the serdes
 * in effect (Materialized, else Grouped or upstream); when absent the runtime's configured
 * defaults apply, as in Kafka Streams.
 */
export function timestampedKeyValueStore<K, V>(storeName: string, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, materialized: Materialized<K, V>) {
  const builder = Stores.keyValueStoreBuilder(storeName, keySerde ?? defaultSerde<K>(), valueSerde ?? defaultSerde<V>())
  return materializedOptions(builder, materialized)
}
