// Foreign-key table-table join (KIP-213). The left table's values name a key of the right
// table. Kafka routes subscriptions through two internal topics so that both tables may be
// partitioned differently; here both sides run in one task and a subscription store (right
// key → left keys) plays the part of those topics, with the same emitted results:
// - a left update whose foreign key changed retracts the old result (a tombstone, inner join)
//   or emits the result with a null right value (left join) when the new key has no match;
// - a left insert with no match emits nothing (inner) or joiner(left, null) (left join);
// - a left delete emits a tombstone;
// - a right update re-emits the result for every left key subscribed to it (a right delete
//   emits tombstones for an inner join, joiner(left, null) for a left join).
// The result timestamp is the larger of the two sides'.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/windowed.ts'
import type { ValueGetterSupplier } from '../internal-builder.ts'

export interface ForeignKeyJoinOptions<K, V, KO, VO, VR> {
  readonly leftJoin: boolean
  readonly foreignKeyExtractor: (value: V) => KO | null
  readonly joiner: (value: V, other: VO | null) => VR
  readonly leftGetter: ValueGetterSupplier<K, V>
  readonly rightGetter: ValueGetterSupplier<KO, VO>
  readonly subscriptionStoreName: string
  readonly resultStoreName: string
  /** Compares foreign keys by their serialized form, as Kafka does. */
  readonly sameForeignKey: (left: KO, right: KO) => boolean
}

type Instruction = 'deleteNoPropagate' | 'deleteAndPropagate' | 'propagateNullIfNoMatch' | 'propagateOnlyIfMatch'

interface Shared<K, V, KO, VO, VR> {
  context: ProcessorContext<any, any>
  subscriptions: KeyValueStore<KO, K[]>
  results: KeyValueStore<K, ValueAndTimestamp<VR>>
  getLeft: (key: K) => ValueAndTimestamp<V> | null
  getRight: (key: KO) => ValueAndTimestamp<VO> | null
}

function open<K, V, KO, VO, VR>(options: ForeignKeyJoinOptions<K, V, KO, VO, VR>, context: ProcessorContext<any, any>): Shared<K, V, KO, VO, VR> {
  return {
    context,
    subscriptions: context.getStateStore(options.subscriptionStoreName),
    results: context.getStateStore(options.resultStoreName),
    getLeft: options.leftGetter.create(context),
    getRight: options.rightGetter.create(context),
  }
}

function emit<K, VR>(shared: Shared<K, any, any, any, VR>, record: StreamRecord<any, any>, key: K, value: VR | null, timestamp: number): void {
  const old = shared.results.get(key)
  shared.results.put(key, value === null ? null : { value, timestamp })
  shared.context.forward(record.withKey(key).withValue({ newValue: value, oldValue: old === null ? null : old.value }).withTimestamp(timestamp))
}

export function foreignKeyLeftSupplier<K, V, KO, VO, VR>(options: ForeignKeyJoinOptions<K, V, KO, VO, VR>): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    let shared: Shared<K, V, KO, VO, VR>
    const subscribe = (foreignKey: KO, key: K, add: boolean): void => {
      const keys = (shared.subscriptions.get(foreignKey) ?? []).filter((existing) => existing !== key && JSON.stringify(existing) !== JSON.stringify(key))
      if (add) keys.push(key)
      shared.subscriptions.put(foreignKey, keys.length === 0 ? null : keys)
    }
    const apply = (record: StreamRecord<K, Change<V>>, foreignKey: KO | null, instruction: Instruction): void => {
      if (foreignKey !== null) subscribe(foreignKey, record.key, instruction === 'propagateNullIfNoMatch' || instruction === 'propagateOnlyIfMatch')
      if (instruction === 'deleteNoPropagate') return
      if (instruction === 'deleteAndPropagate') return emit(shared, record, record.key, null, record.timestamp)
      const left = record.value.newValue!
      const right = foreignKey === null ? null : shared.getRight(foreignKey)
      const timestamp = right === null ? record.timestamp : Math.max(record.timestamp, right.timestamp)
      if (right !== null) return emit(shared, record, record.key, options.joiner(left, right.value), timestamp)
      if (instruction === 'propagateOnlyIfMatch') return
      emit(shared, record, record.key, options.leftJoin ? options.joiner(left, null) : null, timestamp)
    }
    return {
      init(context) {
        shared = open(options, context)
      },
      process(record) {
        const { newValue, oldValue } = record.value
        const extract = (value: V | null): KO | null => (value === null ? null : options.foreignKeyExtractor(value) ?? null)
        const oldKey = extract(oldValue)
        const newKey = extract(newValue)
        const changed = oldKey !== null && (newKey === null || !options.sameForeignKey(oldKey, newKey))
        if (options.leftJoin) {
          if (oldValue !== null) {
            if (changed) apply(record, oldKey, 'deleteAndPropagate')
            if (newValue !== null) apply(record, newKey, 'propagateNullIfNoMatch')
            else if (!changed) apply(record, oldKey, 'deleteAndPropagate')
          } else if (newValue !== null) {
            apply(record, newKey, 'propagateNullIfNoMatch')
          }
          return
        }
        if ((oldValue !== null && oldKey === null) || (newValue !== null && newKey === null)) {
          shared.context.recordDropped('null-foreign-key', 'foreign-key join skips values whose foreign key is null')
          return
        }
        if (oldValue !== null && newValue === null) apply(record, oldKey, 'deleteAndPropagate')
        else if (oldValue !== null) {
          if (changed) apply(record, oldKey, 'deleteNoPropagate')
          apply(record, newKey, 'propagateNullIfNoMatch')
        } else if (newValue !== null) apply(record, newKey, 'propagateOnlyIfMatch')
      },
    }
  }
}

export function foreignKeyRightSupplier<K, V, KO, VO, VR>(options: ForeignKeyJoinOptions<K, V, KO, VO, VR>): ProcessorSupplier<KO, Change<VO>, K, Change<VR>> {
  return () => {
    let shared: Shared<K, V, KO, VO, VR>
    return {
      init(context) {
        shared = open(options, context)
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          shared.context.recordDropped('null-key', 'foreign-key join: right table updates need a key')
          return
        }
        for (const key of shared.subscriptions.get(record.key) ?? []) {
          const left = shared.getLeft(key)
          if (left === null) continue
          const foreignKey = options.foreignKeyExtractor(left.value)
          if (foreignKey === null || !options.sameForeignKey(foreignKey, record.key)) continue
          const right = record.value.newValue
          const value = right !== null ? options.joiner(left.value, right) : options.leftJoin ? options.joiner(left.value, null) : null
          emit(shared, record, key, value, Math.max(record.timestamp, left.timestamp))
        }
      },
    }
  }
}
