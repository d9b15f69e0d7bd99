// Kafka's `Stores` factory: store builders the DSL and Processor API users hand to a topology.
import type { Serde } from '../serde/serde.ts'
import { Serdes } from '../serde/serde.ts'
import type { StateStore, StoreBuilder, StoreKind } from './state-store.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { InMemoryKeyValueStore } from './key-value-store.ts'
import type { WindowStore } from './window-store.ts'
import { InMemoryWindowStore } from './window-store.ts'
import type { SessionStore } from './session-store.ts'
import { InMemorySessionStore } from './session-store.ts'
import { requireArgument } from '../errors.ts'

/** A builder whose logging and caching can be switched (Kafka's withLoggingDisabled, withCachingEnabled). */
export interface ConfigurableStoreBuilder<S extends StateStore> extends StoreBuilder<S> {
  readonly cachingEnabled: boolean
  withLoggingDisabled(): ConfigurableStoreBuilder<S>
  withLoggingEnabled(): ConfigurableStoreBuilder<S>
  /** A record cache in front of the store (off by default for Stores builders, on for DSL stores, as in Kafka). */
  withCachingEnabled(): ConfigurableStoreBuilder<S>
  withCachingDisabled(): ConfigurableStoreBuilder<S>
}

/** What a builder says about its stores besides how to build them. */
interface StoreDescription {
  readonly keySerde?: Serde<any>
  readonly valueSerde?: Serde<any>
  readonly retentionMs?: number
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
}

function builder<S extends StateStore>(name: string, kind: StoreKind, timestamped: boolean, build: () => S, description: StoreDescription, loggingEnabled = true, cachingEnabled = false): ConfigurableStoreBuilder<S> {
  return {
    ...description,
    name,
    kind,
    timestamped,
    loggingEnabled,
    cachingEnabled,
    build,
    withLoggingDisabled: () => builder(name, kind, timestamped, build, description, false, cachingEnabled),
    withLoggingEnabled: () => builder(name, kind, timestamped, build, description, true, cachingEnabled),
    withCachingEnabled: () => builder(name, kind, timestamped, build, description, loggingEnabled, true),
    withCachingDisabled: () => builder(name, kind, timestamped, build, description, loggingEnabled, false),
  }
}

function describe(inner: StoreBuilder): StoreDescription {
  return { keySerde: inner.keySerde, valueSerde: inner.valueSerde, retentionMs: inner.retentionMs, windowSizeMs: inner.windowSizeMs, retainDuplicates: inner.retainDuplicates }
}

// Serdes made by `defaultSerde`: placeholders the runtime swaps for the configured defaults.
const configuredDefaultPlaceholders = new WeakSet<Serde<any>>()

/**
 * @internal The serde of a DSL store key or value that no Materialized, Grouped or upstream
 * serde names. As in Kafka Streams, the runtime uses the configured default serde in its place
 * (`resolveDefaultSerde`); with no default configured it encodes JSON.
 */
export function defaultSerde<T>(): Serde<T> {
  const serde = Serdes.Json<T>()
  configuredDefaultPlaceholders.add(serde)
  return serde
}

/** @internal `declared`, or `configuredDefault` when `declared` is a `defaultSerde` placeholder and a default is configured. */
export function resolveDefaultSerde<T>(declared: Serde<T> | undefined, configuredDefault: Serde<any> | undefined): Serde<T> | undefined {
  if (declared === undefined || configuredDefault === undefined || !configuredDefaultPlaceholders.has(declared)) return declared
  return configuredDefault as Serde<T>
}

export const Stores = {
  keyValueStoreBuilder<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>): ConfigurableStoreBuilder<KeyValueStore<K, V>> {
    return builder(name, 'keyValue', false, () => new InMemoryKeyValueStore<K, V>(name, keySerde), { keySerde, valueSerde })
  },
  windowStoreBuilder<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: { retentionMs: number; windowSizeMs: number; retainDuplicates?: boolean }): ConfigurableStoreBuilder<WindowStore<K, V>> {
    requireArgument(options.retentionMs >= options.windowSizeMs, `window store '${name}': retention ${options.retentionMs} ms is shorter than the window size ${options.windowSizeMs} ms`)
    const description = { keySerde, valueSerde, retentionMs: options.retentionMs, windowSizeMs: options.windowSizeMs, retainDuplicates: options.retainDuplicates === true }
    return builder(name, 'window', false, () => new InMemoryWindowStore<K, V>({ name, keySerde, ...options }), description)
  },
  sessionStoreBuilder<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: { retentionMs: number }): ConfigurableStoreBuilder<SessionStore<K, V>> {
    return builder(name, 'session', false, () => new InMemorySessionStore<K, V>(name, keySerde, options.retentionMs), { keySerde, valueSerde, retentionMs: options.retentionMs })
  },
  /** @internal DSL stores hold ValueAndTimestamp values; the driver unwraps them for queries. */
  timestamped<S extends StateStore>(inner: ConfigurableStoreBuilder<S>): ConfigurableStoreBuilder<S> {
    return builder(inner.name, inner.kind, true, inner.build, describe(inner), inner.loggingEnabled, inner.cachingEnabled)
  },
} as const
