// Stream-table and stream-GlobalKTable joins (KStreamKTableJoin): each stream record looks up
// the table's current value. The result keeps the stream record's key and timestamp. An inner
// join drops records without a match; a left join calls the joiner with null. Records with a
// null value, and (inner) records whose lookup key is null, are dropped and counted.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { ValueGetterSupplier } from '../internal-builder.ts'

export interface StreamTableJoinOptions<K, V, KT, VT, VR> {
  readonly getter: ValueGetterSupplier<KT, VT>
  /** Maps the stream record to the table key (identity for KTable joins). */
  readonly keySelector: (key: K, value: V) => KT
  readonly joiner: (value: V, tableValue: VT | null, key: K) => VR
  readonly leftJoin: boolean
}

export function streamTableJoinSupplier<K, V, KT, VT, VR>(options: StreamTableJoinOptions<K, V, KT, VT, VR>): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<any, any>
    let get: (key: KT) => { value: VT } | null
    return {
      init(processorContext) {
        context = processorContext
        get = options.getter.create(processorContext)
      },
      process(record) {
        if (record.value === null || record.value === undefined) {
          context.recordDropped('null-value', 'stream-table join skips records with a null value')
          return
        }
        // KTable joins look up the record key (identity selector); GlobalKTable joins a derived key.
        const tableKey = options.keySelector(record.key, record.value)
        if (tableKey === null || tableKey === undefined) {
          if (options.leftJoin) context.forward(record.withValue(options.joiner(record.value, null, record.key)))
          else context.recordDropped('null-key', 'stream-table join needs a key to look up')
          return
        }
        const found = get(tableKey)
        if (found === null && !options.leftJoin) return
        context.forward(record.withValue(options.joiner(record.value, found === null ? null : found.value, record.key)))
      },
    }
  }
}
