// Session-window aggregation following Kafka's KStreamSessionWindowAggregate: a record at t
// merges with every session of its key that ends at or after t - gap and starts at or before
// t + gap. Merged sessions are removed (a tombstone is forwarded for each) and the merged
// session is forwarded with the session end as timestamp. A record whose merged session ends
// before `streamTime - grace - gap` is dropped and counted.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { SessionStore } from '../../state/session-store.ts'
import { Window, Windowed } from '../../state/windowed.ts'
import type { EmitStrategy, SessionWindows } from '../windows.ts'
import { hasKeyAndValue } from './has-key-and-value.ts'

export interface SessionAggregation<K, V, VA> {
  initializer: () => VA
  aggregator: (key: K, value: V, aggregate: VA) => VA
  merger: (key: K, left: VA, right: VA) => VA
}

export function sessionAggregateSupplier<K, V, VA>(storeName: string, windows: SessionWindows, aggregation: SessionAggregation<K, V, VA>, emitStrategy: EmitStrategy): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const emitOnClose = emitStrategy.type === 'ON_WINDOW_CLOSE'
  return () => {
    let context: ProcessorContext<any, any>
    let store: SessionStore<K, VA>
    let observedStreamTimeMs = -1
    let lastEmitCloseTimeMs = -1

    const emitFinal = (record: StreamRecord<K, V>, closeTimeMs: number): void => {
      if (lastEmitCloseTimeMs >= closeTimeMs) return
      for (const { key, value } of store.all()) {
        if (key.window.endMs >= lastEmitCloseTimeMs && key.window.endMs < closeTimeMs) {
          context.forward(record.withKey(key).withValue({ newValue: value, oldValue: null }).withTimestamp(key.window.endMs))
        }
      }
      lastEmitCloseTimeMs = closeTimeMs
    }

    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
      },
      process(record: StreamRecord<K, V>) {
        if (!hasKeyAndValue(context, record, 'session aggregation')) return
        const t = record.timestamp
        observedStreamTimeMs = Math.max(observedStreamTimeMs, t)
        const closeTimeMs = observedStreamTimeMs - windows.graceMs - windows.inactivityGapMs
        if (emitOnClose) emitFinal(record, closeTimeMs)
        const merged = [...store.findSessions(record.key, t - windows.inactivityGapMs, t + windows.inactivityGapMs)]
        let aggregate = aggregation.initializer()
        let startMs = t
        let endMs = t
        for (const session of merged) {
          aggregate = aggregation.merger(record.key, aggregate, session.value)
          startMs = Math.min(startMs, session.key.window.startMs)
          endMs = Math.max(endMs, session.key.window.endMs)
        }
        if (endMs < closeTimeMs) {
          context.recordDropped('expired-window', `timestamp=${t} session=[${startMs},${endMs}] expiration=${closeTimeMs} streamTime=${observedStreamTimeMs}`)
        } else {
          if (startMs !== t || endMs !== t) {
            for (const session of merged) {
              store.remove(session.key)
              if (!emitOnClose) context.forward(record.withKey(session.key).withValue({ newValue: null, oldValue: session.value }).withTimestamp(session.key.window.endMs))
            }
          }
          aggregate = aggregation.aggregator(record.key, record.value, aggregate)
          const sessionKey = new Windowed(record.key, new Window(startMs, endMs))
          store.put(sessionKey, aggregate)
          if (!emitOnClose) context.forward(record.withKey(sessionKey).withValue({ newValue: aggregate, oldValue: null }).withTimestamp(endMs))
        }
      },
    }
  }
}
