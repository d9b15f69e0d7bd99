// KGroupedStream aggregation (count, reduce, aggregate) into a timestamped key-value store.
// Records with a null key or value are dropped and counted. The result timestamp is the larger
// of the record's and the previous aggregate's.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change } from '../../runtime/record.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/windowed.ts'
import { hasKeyAndValue } from './has-key-and-value.ts'
import { AggregateForwarder } from './aggregate-forwarder.ts'

/** Folds a value into an aggregate; `undefined` aggregate means "first value" (reduce). */
export type StreamAggregator<K, V, VA> = { initializer: () => VA; aggregator: (key: K, value: V, aggregate: VA) => VA } | { reducer: (aggregate: V, value: V) => V }

export function applyAggregation<K, V, VA>(aggregation: StreamAggregator<K, V, VA>, key: K, value: V, old: VA | null): VA {
  if ('reducer' in aggregation) return (old === null ? value : aggregation.reducer(old as unknown as V, value)) as unknown as VA
  return aggregation.aggregator(key, value, old === null ? aggregation.initializer() : old)
}

export function streamAggregateSupplier<K, V, VA>(storeName: string, aggregation: StreamAggregator<K, V, VA>): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => {
    let context: ProcessorContext<any, any>
    let store: KeyValueStore<K, ValueAndTimestamp<VA>>
    let forwarder: AggregateForwarder<K, VA>
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
        forwarder = new AggregateForwarder(context, store)
      },
      process(record) {
        if (!hasKeyAndValue(context, record, 'aggregation')) return
        const old = store.get(record.key)
        const aggregate = applyAggregation(aggregation, record.key, record.value, old === null ? null : old.value)
        const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp)
        forwarder.processing(record)
        store.put(record.key, { value: aggregate, timestamp })
        forwarder.maybeForward(record.withValue({ newValue: aggregate, oldValue: old === null ? null : old.value }).withTimestamp(timestamp))
      },
    }
  }
}
