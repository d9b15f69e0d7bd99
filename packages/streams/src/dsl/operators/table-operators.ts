// KTable processors. Between table operators records carry a Change (new and old value), so
// downstream aggregations can subtract the old value and joins can emit tombstones. Every
// table keeps its old values here (Kafka's "sendOldValues" always on).
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { KeyValue, ValueAndTimestamp } from '../../state/windowed.ts'
import type { ValueGetterSupplier } from '../internal-builder.ts'
import { AggregateForwarder } from './aggregate-forwarder.ts'

type Context = ProcessorContext<any, any>
type TimestampedStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>

/**
 * Materializes a stream of upserts into a table (KTableSource, KStream#toTable, GlobalKTable):
 * a null value deletes. Null keys are dropped and counted.
 */
export function tableSourceSupplier<K, V>(storeName: string, forward: boolean): ProcessorSupplier<K, V | null, K, Change<V>> {
  return () => {
    let context: Context
    let store: TimestampedStore<K, V>
    let forwarder: AggregateForwarder<K, V> | null = null
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
        if (forward) forwarder = new AggregateForwarder(context, store)
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key', 'table updates need a key')
          return
        }
        const old = store.get(record.key)
        forwarder?.processing(record)
        store.put(record.key, record.value === null ? null : { value: record.value, timestamp: record.timestamp })
        forwarder?.maybeForward(record.withValue({ newValue: record.value, oldValue: old === null ? null : old.value }))
      },
    }
  }
}

/** Emits the new value of each change (KTable#toStream), optionally mapping the key. */
export function toStreamSupplier<K, V, KR>(keyMapper?: (key: K, value: V | null) => KR): ProcessorSupplier<K, Change<V>, any, V | null> {
  return () => {
    let context: Context
    return {
      init: (processorContext) => void (context = processorContext),
      process(record) {
        const value = record.value.newValue
        context.forward(keyMapper === undefined ? record.withValue(value) : record.withKey(keyMapper(record.key, value)).withValue(value))
      },
    }
  }
}

/** Applies a value transformation to both sides of a change; stores the result if materialized. */
export function tableTransformSupplier<K, V, VR>(transform: (key: K, value: V | null) => VR | null, storeName: string | null): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    let context: Context
    let store: TimestampedStore<K, VR> | null = null
    return {
      init(processorContext) {
        context = processorContext
        if (storeName !== null) store = context.getStateStore<TimestampedStore<K, VR>>(storeName)
      },
      process(record: StreamRecord<K, Change<V>>) {
        const newValue = transform(record.key, record.value.newValue)
        const oldValue = transform(record.key, record.value.oldValue)
        if (store !== null) store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp })
        context.forward(record.withValue({ newValue, oldValue }))
      },
    }
  }
}

/** Filter semantics on a table: a value failing the predicate becomes a tombstone. */
export function tableFilter<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): (key: K, value: V | null) => V | null {
  return (key, value) => (value !== null && predicate(key, value) !== negate ? value : null)
}

/** A getter applying the same transformation on read, for non-materialized derived tables. */
export function transformedGetter<K, V, VR>(parent: ValueGetterSupplier<K, V>, transform: (key: K, value: V | null) => VR | null): ValueGetterSupplier<K, VR> {
  return {
    storeNames: parent.storeNames,
    create(context) {
      const get = parent.create(context)
      return (key) => {
        const found = get(key)
        if (found === null) return null
        const value = transform(key, found.value)
        return value === null ? null : { value, timestamp: found.timestamp }
      }
    },
  }
}

/**
 * Re-keys table changes for KTable#groupBy: the old value goes to its old group to be
 * subtracted, the new value to its new group to be added. When both land on the same key,
 * one record carries both, so the aggregate emits once (KIP-904).
 */
export function tableRepartitionMapSupplier<K, V, KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return () => {
    let context: Context
    return {
      init: (processorContext) => void (context = processorContext),
      process(record) {
        const { newValue, oldValue } = record.value
        const added = newValue === null ? null : selector(record.key, newValue)
        const removed = oldValue === null ? null : selector(record.key, oldValue)
        if (added !== null && removed !== null && sameKey(added.key, removed.key)) {
          context.forward(record.withKey(added.key).withValue({ newValue: added.value, oldValue: removed.value }))
          return
        }
        if (removed !== null) context.forward(record.withKey(removed.key).withValue({ newValue: null, oldValue: removed.value }))
        if (added !== null) context.forward(record.withKey(added.key).withValue({ newValue: added.value, oldValue: null }))
      },
    }
  }
}

function sameKey(left: unknown, right: unknown): boolean {
  return left === right || (typeof left === 'object' && JSON.stringify(left) === JSON.stringify(right))
}

/**
 * KTable aggregation: subtract the old value, add the new one, forward the aggregate change.
 * The result timestamp is the larger of the record's and the previous aggregate's.
 */
export function tableAggregateSupplier<K, V, VA>(storeName: string, initializer: () => VA, adder: (key: K, value: V, aggregate: VA) => VA, subtractor: (key: K, value: V, aggregate: VA) => VA): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return (): Processor<K, Change<V>, K, Change<VA>> => {
    let context: Context
    let store: TimestampedStore<K, VA>
    let forwarder: AggregateForwarder<K, VA>
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
        forwarder = new AggregateForwarder(context, store)
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key', 'table aggregation needs a key')
          return
        }
        const old = store.get(record.key)
        let aggregate: VA = old === null ? initializer() : old.value
        if (record.value.oldValue !== null) aggregate = subtractor(record.key, record.value.oldValue, aggregate)
        if (record.value.newValue !== null) aggregate = adder(record.key, record.value.newValue, aggregate)
        const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp)
        forwarder.processing(record)
        store.put(record.key, { value: aggregate, timestamp })
        forwarder.maybeForward(record.withValue({ newValue: aggregate, oldValue: old === null ? null : old.value }).withTimestamp(timestamp))
      },
    }
  }
}
