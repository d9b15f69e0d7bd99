// Wiring of the stream-side joins into the topology.
import { Stores, defaultSerde } from '../state/stores.ts'
import { Serdes } from '../serde/serde.ts'
import type { Joined, StreamJoined } from './options.ts'
import type { JoinWindows } from './windows.ts'
import { KStream } from './kstream.ts'
import type { KTable } from './ktable.ts'
import type { GlobalKTable } from './global-ktable.ts'
import { streamTableJoinSupplier } from './operators/stream-table-join.ts'
import { joinWindowSupplier, outerKeySerde, streamStreamJoinSuppliers } from './operators/stream-stream-join.ts'
import { passThroughSupplier } from './operators/stateless.ts'

export function joinStreamToTable<K, V, VT, VR>(stream: KStream<K, V>, table: KTable<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined: Joined<K, V, VT>, leftJoin: boolean): KStream<K, VR> {
  const { builder } = stream.internals
  const name = joined.name ?? builder.newProcessorName(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-')
  const source = stream.repartitionIfRequired(name, joined.keySerde, joined.valueSerde)
  const getter = table.internals.getter
  builder.addProcessor(name, streamTableJoinSupplier<K, V, K, VT, VR>({ getter, keySelector: (key) => key, joiner, leftJoin }), [source.internals.name], getter.storeNames)
  return new KStream<K, VR>({ builder, name, keySerde: source.internals.keySerde, valueSerde: undefined, repartitionRequired: false })
}

export function joinStreamToGlobalTable<K, V, KG, VG, VR>(stream: KStream<K, V>, table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG, joiner: (value: V, globalValue: VG | null, key: K) => VR, leftJoin: boolean): KStream<K, VR> {
  const { builder } = stream.internals
  const name = builder.newProcessorName(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-')
  const getter = table.valueGetter()
  builder.addProcessor(name, streamTableJoinSupplier<K, V, KG, VG, VR>({ getter, keySelector, joiner, leftJoin }), [stream.internals.name], getter.storeNames)
  return new KStream<K, VR>({ builder, name, keySerde: stream.internals.keySerde, valueSerde: undefined, repartitionRequired: stream.internals.repartitionRequired })
}

export function joinStreamToStream<K, V, VO, VR>(left: KStream<K, V>, right: KStream<K, VO>, joiner: (value: any, other: any, key: K) => VR, windows: JoinWindows, streamJoined: StreamJoined<K, V, VO>, kind: 'inner' | 'left' | 'outer'): KStream<K, VR> {
  const { builder } = left.internals
  const prefix = streamJoined.name
  const names = {
    thisWindow: prefix === undefined ? builder.newProcessorName('KSTREAM-WINDOWED-') : `${prefix}-this-windowed`,
    otherWindow: prefix === undefined ? builder.newProcessorName('KSTREAM-WINDOWED-') : `${prefix}-other-windowed`,
    thisJoin: prefix === undefined ? builder.newProcessorName(kind === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-') : `${prefix}-this-join`,
    otherJoin: prefix === undefined ? builder.newProcessorName(kind === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-') : `${prefix}-other-join`,
    merge: prefix === undefined ? builder.newProcessorName('KSTREAM-MERGE-') : `${prefix}-merge`,
  }
  const storeBase = streamJoined.storeName
  const thisStore = storeBase === undefined ? `${names.thisJoin}-store` : `${storeBase}-this-join-store`
  const otherStore = storeBase === undefined ? `${names.otherJoin}-store` : `${storeBase}-other-join-store`
  const outerStore = kind === 'inner' ? null : storeBase === undefined ? `${names.thisJoin.replace(/JOINTHIS|OUTERTHIS/, 'OUTERSHARED')}-store` : `${storeBase}-outer-shared-join-store`

  const keySerde = streamJoined.keySerde ?? left.internals.keySerde ?? right.internals.keySerde
  const leftSource = left.repartitionIfRequired(`${names.thisJoin}-left`, keySerde, streamJoined.valueSerde)
  const rightSource = right.repartitionIfRequired(`${names.otherJoin}-right`, keySerde, streamJoined.otherValueSerde)
  const [leftJoin, rightJoin] = streamStreamJoinSuppliers<K, VR>(
    { isLeftSide: true, outer: kind !== 'inner', otherStoreName: otherStore, outerStoreName: outerStore, windows, joiner },
    { isLeftSide: false, outer: kind === 'outer', otherStoreName: thisStore, outerStoreName: outerStore, windows, joiner },
  )
  builder.addProcessor(names.thisWindow, joinWindowSupplier(thisStore), [leftSource.internals.name])
  builder.addProcessor(names.otherWindow, joinWindowSupplier(otherStore), [rightSource.internals.name])
  const storeOptions = { retentionMs: windows.sizeMs + windows.graceMs, windowSizeMs: windows.sizeMs, retainDuplicates: true }
  const storeKeySerde = keySerde ?? defaultSerde<K>()
  const thisValueSerde = streamJoined.valueSerde ?? left.internals.valueSerde ?? defaultSerde<V>()
  const otherValueSerde = streamJoined.otherValueSerde ?? right.internals.valueSerde ?? defaultSerde<VO>()
  builder.addStore(Stores.windowStoreBuilder(thisStore, storeKeySerde, thisValueSerde, storeOptions), names.thisWindow)
  builder.addStore(Stores.windowStoreBuilder(otherStore, storeKeySerde, otherValueSerde, storeOptions), names.otherWindow)
  builder.addProcessor(names.thisJoin, leftJoin, [names.thisWindow], [otherStore])
  builder.addProcessor(names.otherJoin, rightJoin, [names.otherWindow], [thisStore])
  if (outerStore !== null) builder.addStore(Stores.keyValueStoreBuilder(outerStore, outerKeySerde(storeKeySerde), Serdes.Json()), names.thisJoin, names.otherJoin)
  builder.addProcessor(names.merge, passThroughSupplier(), [names.thisJoin, names.otherJoin])
  return new KStream<K, VR>({ builder, name: names.merge, keySerde, valueSerde: undefined, repartitionRequired: false })
}
