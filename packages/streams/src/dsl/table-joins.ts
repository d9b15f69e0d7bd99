// Wiring of table-table joins (primary key and foreign key) into the topology.
import { Stores } from '../state/stores.ts'
import { Serdes } from '../serde/serde.ts'
import { storeGetter } from './internal-builder.ts'
import type { Materialized } from './options.ts'
import { KTable } from './ktable.ts'
import { timestampedKeyValueStore } from './streams-builder.ts'
import { passThroughSupplier } from './operators/stateless.ts'
import { tableJoinGetter, tableTableJoinSupplier, type JoinKind } from './operators/table-table-join.ts'
import { foreignKeyLeftSupplier, foreignKeyRightSupplier } from './operators/foreign-key-join.ts'

const prefixes: Record<JoinKind, [string, string]> = {
  inner: ['KTABLE-JOINTHIS-', 'KTABLE-JOINOTHER-'],
  left: ['KTABLE-LEFTTHIS-', 'KTABLE-LEFTOTHER-'],
  outer: ['KTABLE-OUTERTHIS-', 'KTABLE-OUTEROTHER-'],
}

export function joinTables<K, V, VO, VR>(left: KTable<K, V>, right: KTable<K, VO>, joiner: (value: any, other: any) => VR, materialized: Materialized<K, VR>, kind: JoinKind): KTable<K, VR> {
  const { builder } = left.internals
  const thisName = builder.newProcessorName(prefixes[kind][0])
  const otherName = builder.newProcessorName(prefixes[kind][1])
  const mergeName = builder.newProcessorName('KTABLE-MERGE-')
  const storeName = materialized.storeName ?? null
  const leftGetter = left.internals.getter
  const rightGetter = right.internals.getter
  builder.addProcessor(thisName, tableTableJoinSupplier<K, V, VO, VR>({ kind, thisIsLeft: true, otherGetter: rightGetter, joiner, storeName }), [left.internals.name], rightGetter.storeNames)
  builder.addProcessor(otherName, tableTableJoinSupplier<K, VO, V, VR>({ kind, thisIsLeft: false, otherGetter: leftGetter, joiner, storeName }), [right.internals.name], leftGetter.storeNames)
  if (storeName !== null) builder.addStore(Stores.timestamped(timestampedKeyValueStore(storeName, materialized.keySerde ?? left.internals.keySerde, materialized.valueSerde, materialized)), thisName, otherName)
  builder.addProcessor(mergeName, passThroughSupplier(), [thisName, otherName])
  return new KTable<K, VR>({
    builder,
    name: mergeName,
    keySerde: materialized.keySerde ?? left.internals.keySerde,
    valueSerde: materialized.valueSerde,
    getter: storeName === null ? tableJoinGetter(kind, leftGetter, rightGetter, joiner) : storeGetter(storeName),
    queryableStoreName: storeName,
    windowGraceMs: null,
  })
}

export function foreignKeyJoin<K, V, KO, VO, VR>(left: KTable<K, V>, right: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (value: V, other: VO | null) => VR, materialized: Materialized<K, VR>, leftJoin: boolean): KTable<K, VR> {
  const { builder } = left.internals
  const leftName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-')
  const rightName = builder.newProcessorName('KTABLE-FK-JOIN-RESPONSE-')
  const outputName = builder.newProcessorName('KTABLE-FK-JOIN-OUTPUT-')
  const subscriptionStoreName = `${leftName}-subscription-store`
  const resultStoreName = materialized.storeName ?? builder.newStoreName('KTABLE-FK-JOIN-OUTPUT-')
  const foreignKeySerde = right.internals.keySerde ?? Serdes.Json<KO>()
  const sameForeignKey = (a: KO, b: KO): boolean => a === b || String(foreignKeySerde.serialize('', a)) === String(foreignKeySerde.serialize('', b))
  const options = { leftJoin, foreignKeyExtractor, joiner, leftGetter: left.internals.getter, rightGetter: right.internals.getter, subscriptionStoreName, resultStoreName, sameForeignKey }
  const getterStores = [...new Set([...left.internals.getter.storeNames, ...right.internals.getter.storeNames])]
  builder.addProcessor(leftName, foreignKeyLeftSupplier(options), [left.internals.name], getterStores)
  builder.addProcessor(rightName, foreignKeyRightSupplier(options), [right.internals.name], getterStores)
  builder.addStore(Stores.keyValueStoreBuilder(subscriptionStoreName, foreignKeySerde, Serdes.Json<K[]>()), leftName, rightName)
  builder.addStore(Stores.timestamped(timestampedKeyValueStore(resultStoreName, materialized.keySerde ?? left.internals.keySerde, materialized.valueSerde, materialized)), leftName, rightName)
  builder.addProcessor(outputName, passThroughSupplier(), [leftName, rightName])
  return new KTable<K, VR>({
    builder,
    name: outputName,
    keySerde: materialized.keySerde ?? left.internals.keySerde,
    valueSerde: materialized.valueSerde,
    getter: storeGetter(resultStoreName),
    queryableStoreName: materialized.storeName ?? null,
    windowGraceMs: null,
  })
}
