// KGroupedTable: a table regrouped by a new key. Each upstream change is re-keyed (old value to
// its old group, new value to its new group), sent through `<name>-repartition`, and
// aggregated with an adder and a subtractor.
import { Serdes } from '../serde/serde.ts'
import type { Serde } from '../serde/serde.ts'
import { changeSerde } from '../serde/change-serde.ts'
import { Stores } from '../state/stores.ts'
import type { KeyValue } from '../state/windowed.ts'
import { storeGetter } from './internal-builder.ts'
import type { Grouped, Materialized } from './options.ts'
import type { KTable } from './ktable.ts'
import { KTable as KTableClass } from './ktable.ts'
import { timestampedKeyValueStore } from './streams-builder.ts'
import { tableAggregateSupplier, tableRepartitionMapSupplier } from './operators/table-operators.ts'

export class KGroupedTable<K, V> {
  private readonly table: KTable<any, any>
  private readonly selector: (key: any, value: any) => KeyValue<K, V>
  private readonly grouped: Grouped<K, V>

  /** @internal */
  constructor(table: KTable<any, any>, selector: (key: any, value: any) => KeyValue<K, V>, grouped: Grouped<K, V>) {
    this.table = table
    this.selector = selector
    this.grouped = grouped
  }

  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.build<number>('KTABLE-AGGREGATE-', materialized, Serdes.Long(), () => 0, (_key, _value, count) => count + 1, (_key, _value, count) => count - 1)
  }

  /** Reduces with an adder for new values and a subtractor for replaced or deleted ones. */
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    const empty = Symbol('empty') as unknown as V
    return this.build<V>('KTABLE-REDUCE-', materialized, this.grouped.valueSerde, () => empty, (_key, value, aggregate) => (aggregate === empty ? value : adder(aggregate, value)), (_key, value, aggregate) => subtractor(aggregate, value))
  }

  aggregate<VA>(initializer: () => VA, adder: (key: K, value: V, aggregate: VA) => VA, subtractor: (key: K, value: V, aggregate: VA) => VA, materialized: Materialized<K, VA> = {}): KTable<K, VA> {
    return this.build<VA>('KTABLE-AGGREGATE-', materialized, undefined, initializer, adder, subtractor)
  }

  private build<VA>(prefix: string, materialized: Materialized<K, VA>, defaultValueSerde: Serde<VA> | undefined, initializer: () => VA, adder: (key: K, value: V, aggregate: VA) => VA, subtractor: (key: K, value: V, aggregate: VA) => VA): KTable<K, VA> {
    const { builder } = this.table.internals
    const selectName = builder.addProcessor(builder.newProcessorName('KTABLE-SELECT-'), tableRepartitionMapSupplier(this.selector), [this.table.internals.name])
    const storeName = materialized.storeName ?? builder.newStoreName(prefix)
    const base = this.grouped.name ?? storeName
    const topic = `${base}-repartition`
    const serdes = { keySerde: this.grouped.keySerde, valueSerde: this.grouped.valueSerde === undefined ? undefined : changeSerde(this.grouped.valueSerde) }
    builder.topology.markInternalTopic(topic)
    builder.topology.addSink(`${base}-repartition-sink`, topic, serdes, selectName)
    builder.topology.addSource(`${base}-repartition-source`, [topic], serdes)
    const name = builder.addProcessor(builder.newProcessorName(prefix), tableAggregateSupplier<K, V, VA>(storeName, initializer, adder, subtractor), [`${base}-repartition-source`])
    const keySerde = materialized.keySerde ?? this.grouped.keySerde
    const valueSerde = materialized.valueSerde ?? defaultValueSerde
    builder.addStore(Stores.timestamped(timestampedKeyValueStore(storeName, keySerde, valueSerde, materialized)), name)
    return new KTableClass<K, VA>({ builder, name, keySerde, valueSerde, getter: storeGetter(storeName), queryableStoreName: storeName, windowGraceMs: null })
  }
}
