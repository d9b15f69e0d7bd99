// The guard of the stateful DSL operators (aggregations, stream-stream joins): a record without
// a key or a value cannot be placed in a store, so it is dropped and counted, with the reason
// ('null-key' before 'null-value') and a detail naming the operator.
import type { ProcessorContext } from '../../runtime/processor.ts'
import type { StreamRecord } from '../../runtime/record.ts'

/**
 * True when the record has a non-null key and value; otherwise records the drop on `context` and
 * returns false. `operator` names the operator in the drop detail ("windowed aggregation").
 */
export function hasKeyAndValue<K, V>(context: Pick<ProcessorContext<unknown, unknown>, 'recordDropped'>, record: StreamRecord<K, V>, operator: string): record is StreamRecord<NonNullable<K>, NonNullable<V>> {
  if (record.key !== null && record.key !== undefined && record.value !== null && record.value !== undefined) return true
  context.recordDropped(record.key === null || record.key === undefined ? 'null-key' : 'null-value', `${operator} skips records with a null key or value`)
  return false
}
