// How DSL processors whose store may have a record cache forward their results (Kafka's
// TimestampedTupleForwarder with TimestampedCacheFlushListener).
import type { ProcessorContext } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { StateStore } from '../../state/state-store.ts'
import type { ValueAndTimestamp } from '../../state/windowed.ts'
import { forwardOnFlush } from '../../state/caching/caching-store.ts'

/**
 * Where an aggregation's result changes go (Kafka's TimestampedTupleForwarder): with a caching
 * store they are forwarded when the cache writes the key (commit or eviction), the newest value
 * with the value the store held before, stamped with the newest value's timestamp and the
 * metadata and headers of the record that wrote it; without one, on every update.
 */
export class AggregateForwarder<K, VA> {
  private readonly context: ProcessorContext<any, any>
  private readonly cached: boolean
  private current: StreamRecord<unknown, unknown> | null = null

  constructor(context: ProcessorContext<any, any>, store: StateStore) {
    this.context = context
    this.cached = forwardOnFlush<StreamRecord<unknown, unknown>>(store, (key, newValue: ValueAndTimestamp<VA> | null, oldValue: ValueAndTimestamp<VA> | null, record) => {
      context.forward(record.withKey(key).withValue({ newValue: newValue === null ? null : newValue.value, oldValue: oldValue === null ? null : oldValue.value }).withTimestamp(newValue === null ? record.timestamp : newValue.timestamp))
    }, () => this.current!)
  }

  /** Call before writing the store for `record`: the cache keeps it as the write's context. */
  processing(record: StreamRecord<unknown, unknown>): void {
    this.current = record
  }

  /** The change of one update: forwarded now unless the cache forwards it at flush. */
  maybeForward(record: StreamRecord<K, Change<VA>>): void {
    if (!this.cached) this.context.forward(record)
  }
}
