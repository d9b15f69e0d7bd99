// Sliding-window aggregation following Kafka's KStreamSlidingWindowAggregate (in-order scan):
// windows are [t - d, t] for each record time t (its "left window") and [t + 1, t + 1 + d]
// when later records fall in it (its "right window"); both ends are inclusive. Windows are
// only created when they hold records, so every distinct set of records has exactly one window.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { WindowStore } from '../../state/window-store.ts'
import { Window, Windowed, type ValueAndTimestamp } from '../../state/windowed.ts'
import type { EmitStrategy, SlidingWindows } from '../windows.ts'
import { FinalResultEmitter } from './window-aggregate.ts'
import { hasKeyAndValue } from './has-key-and-value.ts'

type Store<K, VA> = WindowStore<K, ValueAndTimestamp<VA>>

interface Scan<VA> {
  leftAggregate: ValueAndTimestamp<VA> | null
  rightAggregate: ValueAndTimestamp<VA> | null
  leftCreated: boolean
  rightCreated: boolean
  previousRecordTimestamp: number | null
  starts: Set<number>
}

export function slidingWindowAggregateSupplier<K, V, VA>(storeName: string, windows: SlidingWindows, initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, emitStrategy: EmitStrategy): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const d = windows.timeDifferenceMs
  const emitOnClose = emitStrategy.type === 'ON_WINDOW_CLOSE'
  return () => {
    let context: ProcessorContext<any, any>
    let store: Store<K, VA>
    let observedStreamTimeMs = -1
    const emitter = new FinalResultEmitter<K, VA>()

    const update = (record: StreamRecord<K, V>, window: Window, current: ValueAndTimestamp<VA> | null, closeTimeMs: number): void => {
      if (window.endMs < closeTimeMs) {
        context.recordDropped('expired-window', `timestamp=${record.timestamp} window=[${window.startMs},${window.endMs}] expiration=${closeTimeMs}`)
        return
      }
      const oldAggregate = current === null ? initializer() : current.value
      const aggregate = aggregator(record.key, record.value, oldAggregate)
      const timestamp = current === null ? record.timestamp : Math.max(record.timestamp, current.timestamp)
      store.put(record.key, { value: aggregate, timestamp }, window.startMs)
      if (!emitOnClose) context.forward(record.withKey(new Windowed(record.key, window)).withValue({ newValue: aggregate, oldValue: null }).withTimestamp(timestamp))
    }
    const createRight = (record: StreamRecord<K, V>, aggregate: ValueAndTimestamp<VA>): void => {
      const window = new Window(record.timestamp + 1, record.timestamp + 1 + d)
      store.put(record.key, aggregate, window.startMs)
      if (!emitOnClose) context.forward(record.withKey(new Windowed(record.key, window)).withValue({ newValue: aggregate.value, oldValue: null }).withTimestamp(aggregate.timestamp))
    }

    const processInOrder = (record: StreamRecord<K, V>, closeTimeMs: number): void => {
      const t = record.timestamp
      const scan: Scan<VA> = { leftAggregate: null, rightAggregate: null, leftCreated: false, rightCreated: false, previousRecordTimestamp: null, starts: new Set() }
      for (const { key, value } of store.fetchKeyRange(record.key, record.key, Math.max(0, t - 2 * d), t + 1)) {
        const start = key.window.startMs
        const end = start + d
        scan.starts.add(start)
        if (end < t) {
          scan.leftAggregate = value
          scan.previousRecordTimestamp = value.timestamp
        } else if (end === t) {
          scan.leftCreated = true
          if (value.timestamp < t) scan.previousRecordTimestamp = value.timestamp
          update(record, new Window(start, end), value, closeTimeMs)
        } else if (start <= t) {
          scan.rightAggregate = value
          update(record, new Window(start, end), value, closeTimeMs)
        } else if (start === t + 1) {
          scan.rightCreated = true
        }
      }
      const previous = scan.previousRecordTimestamp
      if (previous !== null && !scan.starts.has(previous + 1) && previous + 1 + d >= t) {
        update(record, new Window(previous + 1, previous + 1 + d), { value: initializer(), timestamp: t }, closeTimeMs)
      }
      if (!scan.leftCreated) {
        const leftNotEmpty = previous !== null && t - d <= previous && scan.leftAggregate !== null
        update(record, new Window(t - d, t), { value: leftNotEmpty ? scan.leftAggregate!.value : initializer(), timestamp: t }, closeTimeMs)
      }
      if (!scan.rightCreated && scan.rightAggregate !== null && scan.rightAggregate.timestamp > t) createRight(record, scan.rightAggregate)
    }

    // Records earlier than the time difference share the window [0, d] (Kafka's processEarly).
    const processEarly = (record: StreamRecord<K, V>, closeTimeMs: number): void => {
      const t = record.timestamp
      let combined: { start: number; value: ValueAndTimestamp<VA> } | null = null
      let rightAggregate: ValueAndTimestamp<VA> | null = null
      let rightCreated = false
      let previous: number | null = null
      const starts = new Set<number>()
      for (const { key, value } of store.fetchKeyRange(record.key, record.key, 0, t + 1)) {
        const start = key.window.startMs
        starts.add(start)
        if (start === 0) {
          combined = { start, value }
          if (value.timestamp < t) previous = value.timestamp
        } else if (start <= t) {
          rightAggregate = value
          update(record, new Window(start, start + d), value, closeTimeMs)
        } else if (start === t + 1) {
          rightCreated = true
        }
      }
      if (rightAggregate === null && combined !== null && combined.value.timestamp > t) rightAggregate = combined.value
      if (!rightCreated && rightAggregate !== null && rightAggregate.timestamp > t) createRight(record, rightAggregate)
      if (previous !== null && !starts.has(previous + 1)) update(record, new Window(previous + 1, previous + 1 + d), { value: initializer(), timestamp: t }, closeTimeMs)
      update(record, new Window(0, d), combined === null ? { value: initializer(), timestamp: t } : combined.value, closeTimeMs)
    }

    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
      },
      process(record: StreamRecord<K, V>) {
        if (!hasKeyAndValue(context, record, 'sliding aggregation')) return
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp)
        const closeTimeMs = observedStreamTimeMs - windows.graceMs
        if (record.timestamp + d < closeTimeMs) {
          context.recordDropped('expired-window', `timestamp=${record.timestamp} window=[${record.timestamp},${record.timestamp + d}] expiration=${closeTimeMs}`)
          return
        }
        if (emitOnClose && emitter.closeTimeAdvanced(closeTimeMs)) {
          const last = emitter.lastEmitCloseTimeMs
          emitter.maybeEmit(context, store, record, closeTimeMs, last === -1 ? 0 : Math.max(0, last - d), closeTimeMs - d - 1, true)
        }
        if (record.timestamp < d) processEarly(record, closeTimeMs)
        else processInOrder(record, closeTimeMs)
      },
    }
  }
}
