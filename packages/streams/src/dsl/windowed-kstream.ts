// Windowed grouped streams: time windows (tumbling, hopping, sliding) and session windows.
// Results are tables keyed by Windowed<K>. Store retention defaults to window size + grace
// (sliding: 2 × time difference + grace; session: gap + grace).
import type { Serde } from '../serde/serde.ts'
import { Serdes } from '../serde/serde.ts'
import { sessionWindowedSerde, timeWindowedSerde } from '../serde/windowed-serde.ts'
import { Stores, defaultSerde } from '../state/stores.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { ValueAndTimestamp, Windowed } from '../state/windowed.ts'
import { requireArgument } from '../errors.ts'
import type { ValueGetterSupplier } from './internal-builder.ts'
import type { Materialized } from './options.ts'
import { materializedOptions } from './materialized-store.ts'
import { KTable } from './ktable.ts'
import { EmitStrategy, SlidingWindows, type SessionWindows, type TimeWindows } from './windows.ts'
import { addAggregation, type AggregationPlan } from './kgrouped-stream.ts'
import { windowAggregateSupplier } from './operators/window-aggregate.ts'
import { slidingWindowAggregateSupplier } from './operators/sliding-window-aggregate.ts'
import { sessionAggregateSupplier } from './operators/session-aggregate.ts'
import type { StreamAggregator } from './operators/stream-aggregate.ts'

function windowGetter<K, VA>(storeName: string): ValueGetterSupplier<Windowed<K>, VA> {
  return {
    storeNames: [storeName],
    create(context) {
      const store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(storeName)
      return (key) => store.fetch(key.key, key.window.startMs)
    },
  }
}

export class TimeWindowedKStream<K, V> {
  private readonly plan: AggregationPlan<K, V>
  private readonly windows: TimeWindows | SlidingWindows
  private readonly strategy: EmitStrategy

  /** @internal */
  constructor(plan: AggregationPlan<K, V>, windows: TimeWindows | SlidingWindows, strategy = EmitStrategy.onWindowUpdate()) {
    this.plan = plan
    this.windows = windows
    this.strategy = strategy
  }

  /** Emit every update (default) or only each window's final result (KIP-825). */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStream(this.plan, this.windows, strategy)
  }

  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build<number>('KSTREAM-AGGREGATE-', materialized, Serdes.Long(), { initializer: () => 0, aggregator: (_key, _value, count) => count + 1 })
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    return this.build<V>('KSTREAM-REDUCE-', materialized, this.plan.grouped.valueSerde ?? this.plan.stream.internals.valueSerde, { reducer })
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized: Materialized<K, VA> = {}): KTable<Windowed<K>, VA> {
    return this.build<VA>('KSTREAM-AGGREGATE-', materialized, undefined, { initializer, aggregator })
  }

  private build<VA>(prefix: string, materialized: Materialized<K, VA>, defaultValueSerde: Serde<VA> | undefined, aggregation: StreamAggregator<K, V, VA>): KTable<Windowed<K>, VA> {
    const { windows, strategy } = this
    const sliding = windows instanceof SlidingWindows
    const sizeMs = sliding ? windows.timeDifferenceMs : windows.sizeMs
    const minimumRetentionMs = sliding ? 2 * windows.timeDifferenceMs + windows.graceMs : windows.sizeMs + windows.graceMs
    const retentionMs = materialized.retentionMs ?? minimumRetentionMs
    requireArgument(retentionMs >= minimumRetentionMs, `retention ${retentionMs} ms is shorter than window size + grace (${minimumRetentionMs} ms)`)
    const reduceAsAggregate = (): { initializer: () => VA; aggregator: (key: K, value: V, aggregate: VA) => VA } => {
      if (!('reducer' in aggregation)) return aggregation
      const reducer = aggregation.reducer
      const empty = Symbol('empty') as unknown as VA
      return { initializer: () => empty, aggregator: (_key, value, aggregate) => (aggregate === empty ? value : reducer(aggregate as unknown as V, value)) as unknown as VA }
    }
    const valueSerde = materialized.valueSerde ?? defaultValueSerde
    const added = addAggregation(
      this.plan,
      prefix,
      materialized,
      (storeName, keySerde) => Stores.timestamped(materializedOptions(Stores.windowStoreBuilder(storeName, keySerde ?? defaultSerde<K>(), valueSerde ?? defaultSerde<VA>(), { retentionMs, windowSizeMs: sizeMs }), materialized)),
      (storeName) => (sliding ? slidingWindowAggregateSupplier<K, V, VA>(storeName, windows, reduceAsAggregate().initializer, reduceAsAggregate().aggregator, strategy) : windowAggregateSupplier<K, V, VA>(storeName, windows, aggregation, strategy)),
    )
    const { builder } = this.plan.stream.internals
    return new KTable<Windowed<K>, VA>({
      builder,
      name: added.name,
      keySerde: added.keySerde === undefined ? undefined : timeWindowedSerde(added.keySerde, sizeMs),
      valueSerde,
      getter: windowGetter<K, VA>(added.storeName),
      queryableStoreName: added.storeName,
      windowGraceMs: windows.graceMs,
    })
  }
}

export class SessionWindowedKStream<K, V> {
  private readonly plan: AggregationPlan<K, V>
  private readonly windows: SessionWindows
  private readonly strategy: EmitStrategy

  /** @internal */
  constructor(plan: AggregationPlan<K, V>, windows: SessionWindows, strategy = EmitStrategy.onWindowUpdate()) {
    this.plan = plan
    this.windows = windows
    this.strategy = strategy
  }

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStream(this.plan, this.windows, strategy)
  }

  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build<number>('KSTREAM-AGGREGATE-', materialized, Serdes.Long(), () => 0, (_key, _value, count) => count + 1, (_key, left, right) => left + right)
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    const empty = Symbol('empty') as unknown as V
    const combine = (left: V, right: V): V => (left === empty ? right : right === empty ? left : reducer(left, right))
    return this.build<V>('KSTREAM-REDUCE-', materialized, this.plan.grouped.valueSerde ?? this.plan.stream.internals.valueSerde, () => empty, (_key, value, aggregate) => combine(aggregate, value), (_key, left, right) => combine(left, right))
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, merger: (key: K, left: VA, right: VA) => VA, materialized: Materialized<K, VA> = {}): KTable<Windowed<K>, VA> {
    return this.build<VA>('KSTREAM-AGGREGATE-', materialized, undefined, initializer, aggregator, merger)
  }

  private build<VA>(prefix: string, materialized: Materialized<K, VA>, defaultValueSerde: Serde<VA> | undefined, initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, merger: (key: K, left: VA, right: VA) => VA): KTable<Windowed<K>, VA> {
    const { windows, strategy } = this
    const minimumRetentionMs = windows.inactivityGapMs + windows.graceMs
    const retentionMs = materialized.retentionMs ?? minimumRetentionMs
    requireArgument(retentionMs >= minimumRetentionMs, `retention ${retentionMs} ms is shorter than gap + grace (${minimumRetentionMs} ms)`)
    const valueSerde = materialized.valueSerde ?? defaultValueSerde
    const added = addAggregation(
      this.plan,
      prefix,
      materialized,
      (storeName, keySerde) => {
        const store = Stores.sessionStoreBuilder(storeName, keySerde ?? defaultSerde<K>(), valueSerde ?? defaultSerde<VA>(), { retentionMs })
        return materialized.cachingEnabled === false ? store : store.withCachingEnabled()
      },
      (storeName) => sessionAggregateSupplier<K, V, VA>(storeName, windows, { initializer, aggregator, merger }, strategy),
    )
    const { builder } = this.plan.stream.internals
    return new KTable<Windowed<K>, VA>({
      builder,
      name: added.name,
      keySerde: added.keySerde === undefined ? undefined : sessionWindowedSerde(added.keySerde),
      valueSerde,
      getter: {
        storeNames: [added.storeName],
        create(context) {
          const store = context.getStateStore<SessionStore<K, VA>>(added.storeName)
          return (key) => {
            const value = store.fetchSession(key.key, key.window.startMs, key.window.endMs)
            return value === null ? null : { value, timestamp: key.window.endMs }
          }
        },
      },
      queryableStoreName: added.storeName,
      // A session closes gap + grace after its end (Kafka's window grace search for sessions).
      windowGraceMs: windows.graceMs + windows.inactivityGapMs,
    })
  }
}
