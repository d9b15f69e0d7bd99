// KGroupedStream: a stream grouped by key, ready for aggregation. The aggregation repartitions
// first when the key changed upstream, through `<applicationId>-<name>-repartition`.
import type { Serde } from '../serde/serde.ts'
import { Serdes } from '../serde/serde.ts'
import { Stores } from '../state/stores.ts'
import type { StoreBuilder } from '../state/state-store.ts'
import type { ProcessorSupplier } from '../runtime/processor.ts'
import { storeGetter } from './internal-builder.ts'
import type { Grouped, Materialized } from './options.ts'
import type { KStream } from './kstream.ts'
import { KTable } from './ktable.ts'
import { SessionWindows, SlidingWindows, TimeWindows } from './windows.ts'
import { TimeWindowedKStream, SessionWindowedKStream } from './windowed-kstream.ts'
import { timestampedKeyValueStore } from './streams-builder.ts'
import { streamAggregateSupplier } from './operators/stream-aggregate.ts'

/** @internal Everything an aggregation node needs to be wired in. */
export interface AggregationPlan<K, V> {
  readonly stream: KStream<K, V>
  readonly grouped: Grouped<K, V>
}

/**
 * @internal Adds an aggregation: names the store, repartitions if needed, adds the processor
 * and its store. Returns the processor name and the key serde in effect.
 */
export function addAggregation<K, V>(plan: AggregationPlan<K, V>, prefix: string, materialized: Materialized<any, any>, store: (storeName: string, keySerde: Serde<K> | undefined) => StoreBuilder, supplier: (storeName: string) => ProcessorSupplier<any, any, any, any>): { name: string; storeName: string; keySerde: Serde<K> | undefined } {
  const { builder } = plan.stream.internals
  const storeName = materialized.storeName ?? builder.newStoreName(prefix)
  const keySerde = plan.grouped.keySerde ?? plan.stream.internals.keySerde
  const source = plan.stream.repartitionIfRequired(plan.grouped.name ?? storeName, keySerde, plan.grouped.valueSerde ?? plan.stream.internals.valueSerde)
  const name = builder.addProcessor(builder.newProcessorName(prefix), supplier(storeName), [source.internals.name])
  builder.addStore(store(storeName, materialized.keySerde ?? keySerde), name)
  return { name, storeName, keySerde: materialized.keySerde ?? keySerde }
}

export class KGroupedStream<K, V> {
  private readonly plan: AggregationPlan<K, V>

  /** @internal */
  constructor(stream: KStream<K, V>, grouped: Grouped<K, V>) {
    this.plan = { stream, grouped }
  }

  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.aggregateWith<number>('KSTREAM-AGGREGATE-', materialized, Serdes.Long(), (storeName) => streamAggregateSupplier<K, V, number>(storeName, { initializer: () => 0, aggregator: (_key, _value, count) => count + 1 }))
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.aggregateWith<V>('KSTREAM-REDUCE-', materialized, this.plan.grouped.valueSerde ?? this.plan.stream.internals.valueSerde, (storeName) => streamAggregateSupplier<K, V, V>(storeName, { reducer }))
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized: Materialized<K, VA> = {}): KTable<K, VA> {
    return this.aggregateWith<VA>('KSTREAM-AGGREGATE-', materialized, undefined, (storeName) => streamAggregateSupplier<K, V, VA>(storeName, { initializer, aggregator }))
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream<K, V>(this.plan, windows)
    return new TimeWindowedKStream<K, V>(this.plan, windows)
  }

  private aggregateWith<VA>(prefix: string, materialized: Materialized<K, VA>, defaultValueSerde: Serde<VA> | undefined, supplier: (storeName: string) => ProcessorSupplier<any, any, any, any>): KTable<K, VA> {
    const { builder } = this.plan.stream.internals
    const valueSerde = materialized.valueSerde ?? defaultValueSerde
    const added = addAggregation(this.plan, prefix, materialized, (storeName, keySerde) => Stores.timestamped(timestampedKeyValueStore(storeName, keySerde, valueSerde, materialized)), supplier)
    return new KTable<K, VA>({
      builder,
      name: added.name,
      keySerde: added.keySerde,
      valueSerde,
      getter: storeGetter(added.storeName),
      queryableStoreName: added.storeName,
      windowGraceMs: null,
    })
  }
}

export { TimeWindows, SlidingWindows, SessionWindows }
