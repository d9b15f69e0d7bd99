// KStream: a record stream. Stateless operators add one processor each; key-changing
// operators mark the stream so that a later grouping or join repartitions it first.
import type { Serde } from '../serde/serde.ts'
import type { ProcessorSupplier } from '../runtime/processor.ts'
import type { KeyValue } from '../state/windowed.ts'
import type { InternalBuilder } from './internal-builder.ts'
import type { Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined, TopicTarget } from './options.ts'
import type { JoinWindows } from './windows.ts'
import * as operators from './operators/stateless.ts'
import { tableSourceSupplier } from './operators/table-operators.ts'
import { Stores } from '../state/stores.ts'
import { storeGetter } from './internal-builder.ts'
import { KTable } from './ktable.ts'
import { GlobalKTable } from './global-ktable.ts'
import { KGroupedStream } from './kgrouped-stream.ts'
import { BranchedKStream } from './branched-kstream.ts'
import { timestampedKeyValueStore } from './streams-builder.ts'
import { joinStreamToGlobalTable, joinStreamToStream, joinStreamToTable } from './stream-joins.ts'

/** @internal What a KStream handle knows about the node that produces it. */
export interface StreamInternals<K, V> {
  readonly builder: InternalBuilder
  readonly name: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  /** The key changed since the last partitioning: grouping/joining must repartition first. */
  readonly repartitionRequired: boolean
}

export class KStream<K, V> {
  /** @internal */
  readonly internals: StreamInternals<K, V>

  /** @internal Created by StreamsBuilder and by operators. */
  constructor(internals: StreamInternals<K, V>) {
    this.internals = internals
  }

  private next<KR, VR>(prefix: string, supplier: ProcessorSupplier<any, any, any, any>, named: Named | undefined, change: { keySerde?: Serde<KR>; valueSerde?: Serde<VR>; keyChanged: boolean; keepValueSerde: boolean; keepKeySerde: boolean }): KStream<KR, VR> {
    const { builder, name } = this.internals
    const child = builder.addProcessor(named?.name ?? builder.newProcessorName(prefix), supplier, [name])
    return new KStream<KR, VR>({
      builder,
      name: child,
      keySerde: change.keepKeySerde ? (this.internals.keySerde as unknown as Serde<KR>) : change.keySerde,
      valueSerde: change.keepValueSerde ? (this.internals.valueSerde as unknown as Serde<VR>) : change.valueSerde,
      repartitionRequired: this.internals.repartitionRequired || change.keyChanged,
    })
  }

  private same(prefix: string, supplier: ProcessorSupplier<any, any, any, any>, named?: Named): KStream<K, V> {
    return this.next<K, V>(prefix, supplier, named, { keyChanged: false, keepKeySerde: true, keepValueSerde: true })
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.same('KSTREAM-FILTER-', operators.filterSupplier(predicate, false), named)
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.same('KSTREAM-FILTER-', operators.filterSupplier(predicate, true), named)
  }

  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.next<KR, VR>('KSTREAM-MAP-', operators.mapSupplier(mapper), named, { keyChanged: true, keepKeySerde: false, keepValueSerde: false })
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.next<K, VR>('KSTREAM-MAPVALUES-', operators.mapValuesSupplier(mapper), named, { keyChanged: false, keepKeySerde: true, keepValueSerde: false })
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.next<KR, VR>('KSTREAM-FLATMAP-', operators.flatMapSupplier(mapper), named, { keyChanged: true, keepKeySerde: false, keepValueSerde: false })
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.next<K, VR>('KSTREAM-FLATMAPVALUES-', operators.flatMapValuesSupplier(mapper), named, { keyChanged: false, keepKeySerde: true, keepValueSerde: false })
  }

  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.next<KR, V>('KSTREAM-KEY-SELECT-', operators.selectKeySupplier(mapper), named, { keyChanged: true, keepKeySerde: false, keepValueSerde: true })
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.same('KSTREAM-PEEK-', operators.peekSupplier(action, true), named)
  }

  /** Terminal: calls `action` for each record. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.same('KSTREAM-FOREACH-', operators.peekSupplier(action, false), named)
  }

  /** Routes each record to the first branch whose predicate matches (KIP-418). */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream<K, V>(this, named?.name ?? this.internals.builder.newProcessorName('KSTREAM-BRANCH-'))
  }

  /** Legacy branching: one stream per predicate, each record to the first match. */
  branch(...predicates: Array<(key: K, value: V) => boolean>): KStream<K, V>[] {
    const branched = this.split()
    predicates.forEach((predicate, index) => branched.branch(predicate, { name: String(index) }))
    const branches = branched.noDefaultBranch()
    return predicates.map((_, index) => [...branches.values()][index])
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const { builder } = this.internals
    const name = builder.addProcessor(named?.name ?? builder.newProcessorName('KSTREAM-MERGE-'), operators.passThroughSupplier(), [this.internals.name, other.internals.name])
    return new KStream<K, V>({
      builder,
      name,
      keySerde: this.internals.keySerde ?? other.internals.keySerde,
      valueSerde: this.internals.valueSerde ?? other.internals.valueSerde,
      repartitionRequired: this.internals.repartitionRequired || other.internals.repartitionRequired,
    })
  }

  /** Writes to an internal topic `<applicationId>-<name>-repartition` and reads it back. */
  repartition(repartitioned: Repartitioned<K, V> = {}): KStream<K, V> {
    const base = repartitioned.name ?? this.internals.builder.newProcessorName('KSTREAM-REPARTITION-')
    return this.repartitionAs(base, repartitioned.keySerde, repartitioned.valueSerde)
  }

  /** @internal Sink to and source from `<base>-repartition`. */
  repartitionAs(base: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): KStream<K, V> {
    const { builder } = this.internals
    const topic = `${base}-repartition`
    const serdes = { keySerde: keySerde ?? this.internals.keySerde, valueSerde: valueSerde ?? this.internals.valueSerde }
    builder.topology.markInternalTopic(topic)
    builder.topology.addSink(`${base}-repartition-sink`, topic, serdes, this.internals.name)
    const sourceName = `${base}-repartition-source`
    builder.topology.addSource(sourceName, [topic], serdes)
    return new KStream<K, V>({ builder, name: sourceName, ...serdes, repartitionRequired: false })
  }

  /** @internal Repartitions if the key changed since the last partitioning. */
  repartitionIfRequired(base: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): KStream<K, V> {
    return this.internals.repartitionRequired ? this.repartitionAs(base, keySerde, valueSerde) : this
  }

  /** Terminal: writes to a topic, or to a topic chosen per record. */
  to(topic: TopicTarget<K, V>, produced: Produced<K, V> = {}): void {
    const { builder } = this.internals
    const name = produced.processorName ?? builder.newProcessorName('KSTREAM-SINK-')
    builder.topology.addSink(name, topic, { keySerde: produced.keySerde ?? this.internals.keySerde, valueSerde: produced.valueSerde ?? this.internals.valueSerde }, this.internals.name)
  }

  /** Reads the stream as a changelog: the latest value per key. */
  toTable(materialized: Materialized<K, V> = {}, named?: Named): KTable<K, V> {
    const { builder } = this.internals
    const name = named?.name ?? builder.newProcessorName('KSTREAM-TOTABLE-')
    const storeName = materialized.storeName ?? builder.newStoreName('KSTREAM-TOTABLE-')
    const source = this.repartitionIfRequired(name, materialized.keySerde, materialized.valueSerde)
    const keySerde = materialized.keySerde ?? source.internals.keySerde
    builder.addProcessor(name, tableSourceSupplier<K, V>(storeName, true), [source.internals.name])
    const valueSerde = materialized.valueSerde ?? source.internals.valueSerde
    builder.addStore(Stores.timestamped(timestampedKeyValueStore(storeName, keySerde, valueSerde, materialized)), name)
    return new KTable<K, V>({ builder, name, keySerde, valueSerde, getter: storeGetter(storeName), queryableStoreName: storeName, windowGraceMs: null })
  }

  /** Runs a Processor API processor; it may use the named stores and forward any records. */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut> {
    const { builder } = this.internals
    const name = builder.addProcessor(builder.newProcessorName('KSTREAM-PROCESSOR-'), supplier, [this.internals.name], storeNames)
    return new KStream<KOut, VOut>({ builder, name, keySerde: undefined, valueSerde: undefined, repartitionRequired: true })
  }

  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped)
  }

  /** Groups by a new key; aggregations then repartition. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const rekeyed = this.next<KR, V>('KSTREAM-KEY-SELECT-', operators.selectKeySupplier(selector), undefined, { keyChanged: true, keepKeySerde: false, keepValueSerde: true, keySerde: grouped.keySerde })
    return new KGroupedStream<KR, V>(rekeyed, grouped)
  }

  /** Stream-table inner join: each record joins the table's current value for its key. */
  join<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>
  /** Stream-stream windowed inner join. */
  join<VO, VR>(other: KStream<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>
  /** Stream-GlobalKTable inner join on a key derived from each record. */
  join<KG, VG, VR>(globalTable: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG, joiner: (value: V, globalValue: VG, key: K) => VR): KStream<K, VR>
  join(other: unknown, second: any, third?: any, fourth?: any): KStream<K, any> {
    return this.dispatchJoin('inner', other, second, third, fourth)
  }

  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: (value: V, otherValue: VO | null, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>
  leftJoin<KG, VG, VR>(globalTable: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG, joiner: (value: V, globalValue: VG | null, key: K) => VR): KStream<K, VR>
  leftJoin(other: unknown, second: any, third?: any, fourth?: any): KStream<K, any> {
    return this.dispatchJoin('left', other, second, third, fourth)
  }

  /** Stream-stream windowed outer join: unmatched records of either side join with null once their window closes. */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: (value: V | null, otherValue: VO | null, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR> {
    return joinStreamToStream(this, other, joiner, windows, streamJoined ?? {}, 'outer')
  }

  private dispatchJoin(kind: 'inner' | 'left', other: unknown, second: any, third: any, fourth: any): KStream<K, any> {
    if (other instanceof KTable) return joinStreamToTable(this, other, second, third ?? {}, kind === 'left')
    if (other instanceof KStream) return joinStreamToStream(this, other, second, third, fourth ?? {}, kind)
    if (other instanceof GlobalKTable) return joinStreamToGlobalTable(this, other, second, third, kind === 'left')
    throw new TypeError('join needs a KTable, a KStream or a GlobalKTable')
  }
}
