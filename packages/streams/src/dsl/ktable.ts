// KTable: a changelog viewed as the latest value per key. Table processors pass changes (new
// and old value) downstream; each table can be read by key through its value getter, from a
// store when materialized or computed through its parents otherwise.
import type { Serde } from '../serde/serde.ts'
import type { Change } from '../runtime/record.ts'
import type { KeyValue } from '../state/windowed.ts'
import { Stores } from '../state/stores.ts'
import { storeGetter, type InternalBuilder, type ValueGetterSupplier } from './internal-builder.ts'
import type { Grouped, Materialized, Named } from './options.ts'
import type { Suppressed } from './suppressed.ts'
import { KStream } from './kstream.ts'
import { KGroupedTable } from './kgrouped-table.ts'
import { timestampedKeyValueStore } from './streams-builder.ts'
import { tableFilter, tableTransformSupplier, toStreamSupplier, transformedGetter } from './operators/table-operators.ts'
import { suppressSupplier } from './operators/suppress.ts'
import { joinTables, foreignKeyJoin } from './table-joins.ts'
import { Windowed } from '../state/windowed.ts'

/** @internal */
export interface TableInternals<K, V> {
  readonly builder: InternalBuilder
  readonly name: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly getter: ValueGetterSupplier<K, V>
  readonly queryableStoreName: string | null
  /** Grace period of the windows this table aggregates, for suppress(untilWindowCloses). */
  readonly windowGraceMs: number | null
}

export class KTable<K, V> {
  /** @internal */
  readonly internals: TableInternals<K, V>

  /** @internal */
  constructor(internals: TableInternals<K, V>) {
    this.internals = internals
  }

  /** Name of the store holding this table, when it is materialized. */
  get queryableStoreName(): string | null {
    return this.internals.queryableStoreName
  }

  /** @internal A derived table, materialized in a store when `materialized.storeName` is set. */
  transform<VR>(prefix: string, transform: (key: K, value: V | null) => VR | null, materialized: Materialized<K, VR>, valueSerde: Serde<VR> | undefined, named?: Named): KTable<K, VR> {
    const { builder } = this.internals
    const name = named?.name ?? builder.newProcessorName(prefix)
    const storeName = materialized.storeName ?? null
    builder.addProcessor(name, tableTransformSupplier(transform, storeName), [this.internals.name])
    const resultValueSerde = materialized.valueSerde ?? valueSerde
    if (storeName !== null) builder.addStore(Stores.timestamped(timestampedKeyValueStore(storeName, materialized.keySerde ?? this.internals.keySerde, resultValueSerde, materialized)), name)
    return new KTable<K, VR>({
      ...this.internals,
      name,
      valueSerde: resultValueSerde,
      getter: storeName === null ? transformedGetter(this.internals.getter, transform) : storeGetter(storeName),
      queryableStoreName: storeName,
    })
  }

  /** Keeps values matching the predicate; a value failing it becomes a tombstone downstream. */
  filter(predicate: (key: K, value: V) => boolean, materialized: Materialized<K, V> = {}, named?: Named): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', tableFilter(predicate, false), materialized, this.internals.valueSerde, named)
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized: Materialized<K, V> = {}, named?: Named): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', tableFilter(predicate, true), materialized, this.internals.valueSerde, named)
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized: Materialized<K, VR> = {}, named?: Named): KTable<K, VR> {
    return this.transform<VR>('KTABLE-MAPVALUES-', (key, value) => (value === null ? null : mapper(value, key)), materialized, undefined, named)
  }

  /** The table's changelog as a stream: each update, tombstones as null values. */
  toStream(): KStream<K, V | null>
  toStream<KR>(keyMapper: (key: K, value: V | null) => KR): KStream<KR, V | null>
  toStream<KR>(keyMapper?: (key: K, value: V | null) => KR): KStream<any, V | null> {
    const { builder } = this.internals
    const name = builder.addProcessor(builder.newProcessorName('KTABLE-TOSTREAM-'), toStreamSupplier<K, V, KR>(keyMapper), [this.internals.name])
    return new KStream<any, V | null>({
      builder,
      name,
      keySerde: keyMapper === undefined ? this.internals.keySerde : undefined,
      valueSerde: this.internals.valueSerde as Serde<V | null> | undefined,
      repartitionRequired: keyMapper !== undefined,
    })
  }

  /** Holds back updates: final window results only, or the latest per key after a time limit. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const { builder } = this.internals
    const name = suppressed.name ?? builder.newProcessorName('KTABLE-SUPPRESS-')
    const keyId = (key: K): unknown => (key instanceof Windowed ? `${JSON.stringify(key.key)}@${key.window.startMs}-${key.window.endMs}` : typeof key === 'object' ? JSON.stringify(key) : key)
    builder.addProcessor(name, suppressSupplier<K, V>(suppressed, this.internals.windowGraceMs, keyId), [this.internals.name])
    return new KTable<K, V>({ ...this.internals, name, queryableStoreName: null })
  }

  /** Regroups the table by a new key for aggregation (always repartitions). */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped: Grouped<KR, VR> = {}): KGroupedTable<KR, VR> {
    return new KGroupedTable<KR, VR>(this as KTable<any, any>, selector as (key: any, value: any) => KeyValue<KR, VR>, grouped)
  }

  /** Table-table inner join on the primary key. */
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>
  /** Foreign-key inner join: each value names a key of `other`. */
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (value: V, otherValue: VO) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>
  join(other: KTable<any, any>, second: any, third?: any, fourth?: any): KTable<K, any> {
    return typeof third === 'function' ? foreignKeyJoin(this, other, second, third, fourth ?? {}, false) : joinTables(this, other, second, third ?? {}, 'inner')
  }

  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (value: V, otherValue: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>
  leftJoin(other: KTable<any, any>, second: any, third?: any, fourth?: any): KTable<K, any> {
    return typeof third === 'function' ? foreignKeyJoin(this, other, second, third, fourth ?? {}, true) : joinTables(this, other, second, third ?? {}, 'left')
  }

  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V | null, otherValue: VO | null) => VR, materialized: Materialized<K, VR> = {}): KTable<K, VR> {
    return joinTables(this, other, joiner, materialized, 'outer')
  }
}

export type { Change }
