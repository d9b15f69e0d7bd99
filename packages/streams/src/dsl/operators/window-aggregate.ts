// Time-windowed aggregation (tumbling and hopping), following Kafka's KStreamWindowAggregate:
// stream time is the largest timestamp this processor has seen; a window accepts a record
// while `windowEnd > streamTime - grace`, otherwise that record is dropped for that window
// and counted. Each update is forwarded (emit on update) unless the strategy is emit on window
// close, which forwards each window once, after it closes. Unlike Kafka, final results are
// emitted before the triggering record is applied (it cannot change a closed window) and
// emission is not throttled by a wall-clock interval.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { WindowStore } from '../../state/window-store.ts'
import { Window, Windowed, type ValueAndTimestamp } from '../../state/windowed.ts'
import type { EmitStrategy, TimeWindows } from '../windows.ts'
import { applyAggregation, type StreamAggregator } from './stream-aggregate.ts'
import { AggregateForwarder } from './aggregate-forwarder.ts'
import { hasKeyAndValue } from './has-key-and-value.ts'

type Store<K, VA> = WindowStore<K, ValueAndTimestamp<VA>>

/**
 * Emit-on-window-close bookkeeping shared by time and sliding windows: after each record, the
 * windows whose start lies in [lower, upper] are final and are forwarded with their aggregate
 * timestamp.
 */
export class FinalResultEmitter<K, VA> {
  /** Close time of the last emission, -1 before any. */
  lastEmitCloseTimeMs = -1

  /** True when close time moved since the last emission (cheap check before computing bounds). */
  closeTimeAdvanced(closeTimeMs: number): boolean {
    return this.lastEmitCloseTimeMs === -1 || this.lastEmitCloseTimeMs < closeTimeMs
  }

  /** Emits windows whose start lies in [lower, upper]; `newWindowClosed` false skips the fetch. */
  maybeEmit(context: ProcessorContext<any, any>, store: Store<K, VA>, record: StreamRecord<K, unknown>, closeTimeMs: number, lower: number, upper: number, newWindowClosed: boolean): void {
    if (!this.closeTimeAdvanced(closeTimeMs)) return
    // No window has closed yet: keep the bounds where they are (Kafka's emitRangeUpperBound < 0).
    if (upper < 0) return
    // Close time moved but not past another window end: nothing to fetch (Kafka's shouldRangeFetch).
    if (this.lastEmitCloseTimeMs !== -1 && !newWindowClosed) return
    if (upper >= lower) {
      for (const { key, value } of store.fetchAll(lower, upper)) {
        context.forward(record.withKey(key).withValue({ newValue: value.value, oldValue: null }).withTimestamp(value.timestamp))
      }
    }
    this.lastEmitCloseTimeMs = closeTimeMs
  }
}

export function windowAggregateSupplier<K, V, VA>(storeName: string, windows: TimeWindows, aggregation: StreamAggregator<K, V, VA>, emitStrategy: EmitStrategy): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const emitOnClose = emitStrategy.type === 'ON_WINDOW_CLOSE'
  return () => {
    let context: ProcessorContext<any, any>
    let store: Store<K, VA>
    let observedStreamTimeMs = -1
    const emitter = new FinalResultEmitter<K, VA>()
    let forwarder: AggregateForwarder<Windowed<K>, VA> | null = null
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
        // Emit on window close reads final results from the store (through its cache): nothing to forward on flush.
        if (!emitOnClose) forwarder = new AggregateForwarder(context, store)
      },
      process(record: StreamRecord<K, V>) {
        if (!hasKeyAndValue(context, record, 'windowed aggregation')) return
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp)
        const closeTimeMs = observedStreamTimeMs - windows.graceMs
        // Closed windows are emitted before this record touches the store: the windows it
        // updates are all still open, and the store has not yet expired the closed ones.
        if (emitOnClose && emitter.closeTimeAdvanced(closeTimeMs)) {
          const last = emitter.lastEmitCloseTimeMs
          const lower = last === -1 ? 0 : Math.max(0, last - windows.sizeMs) + 1
          const upper = closeTimeMs - windows.sizeMs
          emitter.maybeEmit(context, store, record, closeTimeMs, lower, upper, windows.firstWindowStartFor(upper) !== windows.firstWindowStartFor(lower - 1))
        }
        for (let startMs = windows.firstWindowStartFor(record.timestamp); startMs <= record.timestamp; startMs += windows.advanceMs) {
          const endMs = startMs + windows.sizeMs
          if (endMs <= closeTimeMs) {
            context.recordDropped('expired-window', `timestamp=${record.timestamp} window=[${startMs},${endMs}) expiration=${closeTimeMs} streamTime=${observedStreamTimeMs}`)
            continue
          }
          const old = store.fetch(record.key, startMs)
          const aggregate = applyAggregation(aggregation, record.key, record.value, old === null ? null : old.value)
          const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp)
          forwarder?.processing(record)
          store.put(record.key, { value: aggregate, timestamp }, startMs)
          if (forwarder !== null) forwarder.maybeForward(record.withKey(new Windowed(record.key, new Window(startMs, endMs))).withValue({ newValue: aggregate, oldValue: old === null ? null : old.value }).withTimestamp(timestamp))
        }
      },
    }
  }
}
