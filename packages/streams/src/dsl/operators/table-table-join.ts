// Table-table joins (KTableKTableJoin and its left/outer variants): an update on either side
// looks up the other side's current value and forwards the new and old join results. The
// result timestamp is the larger of the two sides'. When the new result is null (inner join
// lost a side, or both sides are gone) a tombstone is forwarded if there was a result before.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change } from '../../runtime/record.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/windowed.ts'
import type { ValueGetterSupplier } from '../internal-builder.ts'

export type JoinKind = 'inner' | 'left' | 'outer'

/** Computes a join result from both sides' values, or null when the join kind has no result. */
export function tableJoinResult<L, R, VR>(kind: JoinKind, left: L | null, right: R | null, joiner: (left: L | null, right: R | null) => VR): VR | null {
  if (left === null && right === null) return null
  if (kind === 'inner' && (left === null || right === null)) return null
  if (kind === 'left' && left === null) return null
  return joiner(left, right)
}

/**
 * One side's processor. `thisIsLeft` says which argument of the joiner this side's values
 * take. `storeName` materializes the result when the join is queryable or read by a getter.
 */
export function tableTableJoinSupplier<K, VT, VO, VR>(options: {
  kind: JoinKind
  thisIsLeft: boolean
  otherGetter: ValueGetterSupplier<K, VO>
  joiner: (left: any, right: any) => VR
  storeName: string | null
}): ProcessorSupplier<K, Change<VT>, K, Change<VR>> {
  const { kind, thisIsLeft, joiner } = options
  const join = (thisValue: VT | null, otherValue: VO | null): VR | null =>
    thisIsLeft ? tableJoinResult(kind, thisValue, otherValue, joiner) : tableJoinResult(kind, otherValue, thisValue, joiner)
  return () => {
    let context: ProcessorContext<any, any>
    let getOther: (key: K) => ValueAndTimestamp<VO> | null
    let store: KeyValueStore<K, ValueAndTimestamp<VR>> | null = null
    return {
      init(processorContext) {
        context = processorContext
        getOther = options.otherGetter.create(processorContext)
        if (options.storeName !== null) store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<VR>>>(options.storeName)
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key', 'table-table join needs a key')
          return
        }
        const other = getOther(record.key)
        const otherValue = other === null ? null : other.value
        const newValue = join(record.value.newValue, otherValue)
        const oldValue = join(record.value.oldValue, otherValue)
        if (newValue === null && oldValue === null) return
        const timestamp = other === null ? record.timestamp : Math.max(record.timestamp, other.timestamp)
        if (store !== null) store.put(record.key, newValue === null ? null : { value: newValue, timestamp })
        context.forward(record.withValue({ newValue, oldValue }).withTimestamp(timestamp))
      },
    }
  }
}

/** Reads a join result through both sides' getters (for a non-materialized join table). */
export function tableJoinGetter<K, L, R, VR>(kind: JoinKind, left: ValueGetterSupplier<K, L>, right: ValueGetterSupplier<K, R>, joiner: (left: L | null, right: R | null) => VR): ValueGetterSupplier<K, VR> {
  return {
    storeNames: [...left.storeNames, ...right.storeNames],
    create(context) {
      const getLeft = left.create(context)
      const getRight = right.create(context)
      return (key) => {
        const l = getLeft(key)
        const r = getRight(key)
        const value = tableJoinResult(kind, l === null ? null : l.value, r === null ? null : r.value, joiner)
        return value === null ? null : { value, timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) }
      }
    },
  }
}
