// Record-at-a-time operators. Each returns a ProcessorSupplier; output timestamps and headers
// are the input's, as in Kafka Streams.
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { StreamRecord } from '../../runtime/record.ts'
import type { KeyValue } from '../../state/windowed.ts'

type Context = ProcessorContext<any, any>

abstract class Forwarding<KIn, VIn> implements Processor<KIn, VIn, any, any> {
  protected context!: Context

  init(context: Context): void {
    this.context = context
  }

  abstract process(record: StreamRecord<KIn, VIn>): void
}

function supplier<KIn, VIn>(process: (context: Context, record: StreamRecord<KIn, VIn>) => void): ProcessorSupplier<KIn, VIn, any, any> {
  return () => {
    const processor = new (class extends Forwarding<KIn, VIn> {
      process(record: StreamRecord<KIn, VIn>): void {
        process(this.context, record)
      }
    })()
    return processor
  }
}

export function filterSupplier<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    if (predicate(record.key, record.value) !== negate) context.forward(record)
  })
}

export function mapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    const result = mapper(record.key, record.value)
    context.forward(record.withKey(result.key).withValue(result.value))
  })
}

export function mapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => context.forward(record.withValue(mapper(record.value, record.key))))
}

export function flatMapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    for (const result of mapper(record.key, record.value)) context.forward(record.withKey(result.key).withValue(result.value))
  })
}

export function flatMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => Iterable<VR>): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    for (const value of mapper(record.value, record.key)) context.forward(record.withValue(value))
  })
}

export function selectKeySupplier<K, V, KR>(mapper: (key: K, value: V) => KR): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => context.forward(record.withKey(mapper(record.key, record.value))))
}

export function peekSupplier<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    action(record.key, record.value)
    if (forward) context.forward(record)
  })
}

/** Forwards unchanged (merge nodes, branch children, repartition-free passthroughs). */
export function passThroughSupplier<K, V>(): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => context.forward(record))
}

/** Sends each record to the child of the first matching predicate only (split/branch). */
export function branchSupplier<K, V>(predicates: ReadonlyArray<(key: K, value: V) => boolean>, childNames: readonly string[], defaultChild: string | null): ProcessorSupplier<K, V, any, any> {
  return supplier<K, V>((context, record) => {
    for (let index = 0; index < predicates.length; index++) {
      if (predicates[index](record.key, record.value)) {
        context.forward(record, childNames[index])
        return
      }
    }
    if (defaultChild !== null) context.forward(record, defaultChild)
  })
}
