// Kafka's `Stores` factory: store builders the DSL and Processor API users hand to a topology.
import type { Serde } from '../serde/serde.ts'
import type { StateStore, StoreBuilder, StoreKind } from './state-store.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { InMemoryKeyValueStore } from './key-value-store.ts'
import type { WindowStore } from './window-store.ts'
import { InMemoryWindowStore } from './window-store.ts'
import type { SessionStore } from './session-store.ts'
import { InMemorySessionStore } from './session-store.ts'
import { requireArgument } from '../errors.ts'

/** A builder whose logging can be switched off (Kafka's withLoggingDisabled). */
export interface ConfigurableStoreBuilder<S extends StateStore> extends StoreBuilder<S> {
  withLoggingDisabled(): ConfigurableStoreBuilder<S>
  withLoggingEnabled(): ConfigurableStoreBuilder<S>
}

function builder<S extends StateStore>(name: string, kind: StoreKind, timestamped: boolean, build: () => S, loggingEnabled = true): ConfigurableStoreBuilder<S> {
  return {
    name,
    kind,
    timestamped,
    loggingEnabled,
    build,
    withLoggingDisabled: () => builder(name, kind, timestamped, build, false),
    withLoggingEnabled: () => builder(name, kind, timestamped, build, true),
  }
}

export const Stores = {
  keyValueStoreBuilder<K, V>(name: string, keySerde: Serde<K>, _valueSerde: Serde<V>): ConfigurableStoreBuilder<KeyValueStore<K, V>> {
    return builder(name, 'keyValue', false, () => new InMemoryKeyValueStore<K, V>(name, keySerde))
  },
  windowStoreBuilder<K, V>(name: string, keySerde: Serde<K>, _valueSerde: Serde<V>, options: { retentionMs: number; windowSizeMs: number; retainDuplicates?: boolean }): ConfigurableStoreBuilder<WindowStore<K, V>> {
    requireArgument(options.retentionMs >= options.windowSizeMs, `window store '${name}': retention ${options.retentionMs} ms is shorter than the window size ${options.windowSizeMs} ms`)
    return builder(name, 'window', false, () => new InMemoryWindowStore<K, V>({ name, keySerde, ...options }))
  },
  sessionStoreBuilder<K, V>(name: string, keySerde: Serde<K>, _valueSerde: Serde<V>, options: { retentionMs: number }): ConfigurableStoreBuilder<SessionStore<K, V>> {
    return builder(name, 'session', false, () => new InMemorySessionStore<K, V>(name, keySerde, options.retentionMs))
  },
  /** @internal DSL stores hold ValueAndTimestamp values; the driver unwraps them for queries. */
  timestamped<S extends StateStore>(inner: ConfigurableStoreBuilder<S>): ConfigurableStoreBuilder<S> {
    return builder(inner.name, inner.kind, true, inner.build, inner.loggingEnabled)
  },
} as const
