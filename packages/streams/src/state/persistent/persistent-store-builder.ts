// Turns a topology's StoreBuilder into one that builds persistent, changelogged stores: the
// Kafka runtime wraps each store builder of a task with this. The task directory and the
// changelog options are resolved at `init`, when the store learns its task.
import { deserialize, serialize } from 'node:v8'
import type { StateStore, StateStoreContext, StoreBuilder } from '../state-store.ts'
import type { WindowStore } from '../window-store.ts'
import type { SessionStore } from '../session-store.ts'
import type { Serde } from '../../serde/serde.ts'
import type { ChangeLoggingOptions } from '../changelog/changelog-record.ts'
import { valueAndTimestampSerde } from '../changelog/value-and-timestamp-serde.ts'
import { requireArgument } from '../../errors.ts'
import type { TaskStateDirectory } from './task-state-directory.ts'
import { PersistentStores } from './persistent-stores.ts'

/** What a persistent store needs that a StoreBuilder does not say. */
export interface PersistentStoreSpec {
  /** The key serde the store was declared with: its bytes define key order. */
  readonly keySerde: Serde<any>
  /**
   * The value serde of the declared value type (V, not ValueAndTimestamp<V>: timestamped
   * builders wrap it in Kafka's timestamped layout). Default: `structuredSerde()`.
   */
  readonly valueSerde?: Serde<any>
  /** Window/session stores; default: read from an in-memory store the builder builds. */
  readonly retentionMs?: number
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
  readonly segmentIntervalMs?: number
}

/** How a built store finds its task's directory and changelog options at `init`. */
export interface PersistentStoreResolvers {
  directoryFor(context: StateStoreContext): TaskStateDirectory
  loggingFor(context: StateStoreContext): ChangeLoggingOptions
}

/** Any structured-cloneable value, encoded with node:v8 (readable by this library only). */
export function structuredSerde<T>(): Serde<T> {
  return {
    serialize: (_topic, data) => (data === null || data === undefined ? null : new Uint8Array(serialize(data))),
    deserialize: (_topic, data) => (data === null || data === undefined ? null : (deserialize(data) as T)),
  }
}

/** The spec a builder of `Stores` carries (its declared serdes and window/session options). */
export function persistentStoreSpecOf(builder: StoreBuilder): PersistentStoreSpec {
  requireArgument(builder.keySerde !== undefined, `store '${builder.name}': the builder carries no key serde; pass a PersistentStoreSpec`)
  return { keySerde: builder.keySerde, valueSerde: builder.valueSerde, retentionMs: builder.retentionMs, windowSizeMs: builder.windowSizeMs, retainDuplicates: builder.retainDuplicates }
}

/** Persistent, changelogged stores for `builder`; `spec` defaults to what the builder carries. */
export function persistentStoreBuilder<S extends StateStore>(builder: StoreBuilder<S>, spec: PersistentStoreSpec | undefined, resolvers: PersistentStoreResolvers): StoreBuilder<S> {
  spec ??= persistentStoreSpecOf(builder)
  const declaredValueSerde = spec.valueSerde ?? structuredSerde()
  const valueSerde = builder.timestamped && spec.valueSerde !== undefined ? valueAndTimestampSerde(declaredValueSerde) : declaredValueSerde
  const directory = (context: StateStoreContext) => resolvers.directoryFor(context)
  const logging = (context: StateStoreContext) => resolvers.loggingFor(context)
  const common = { name: builder.name, directory, keySerde: spec.keySerde, valueSerde }
  const resolved = spec
  const build = (): StateStore => {
    if (builder.kind === 'keyValue') return PersistentStores.keyValueStore(common, logging)
    // Builders not made by `Stores` may not say their options: read them from a built store.
    const probe = (): WindowStore<unknown, unknown> & SessionStore<unknown, unknown> & { retainDuplicates?: boolean } => builder.build() as never
    const retentionMs = resolved.retentionMs ?? probe().retentionMs
    requireArgument(Number.isSafeInteger(retentionMs), `store '${builder.name}': retentionMs unknown`)
    if (builder.kind === 'session') return PersistentStores.sessionStore({ ...common, retentionMs, segmentIntervalMs: resolved.segmentIntervalMs }, logging)
    const windowSizeMs = resolved.windowSizeMs ?? probe().windowSizeMs
    const retainDuplicates = resolved.retainDuplicates ?? probe().retainDuplicates === true
    return PersistentStores.windowStore({ ...common, retentionMs, windowSizeMs, retainDuplicates, segmentIntervalMs: resolved.segmentIntervalMs }, logging)
  }
  return { ...resolved, name: builder.name, kind: builder.kind, timestamped: builder.timestamped, loggingEnabled: builder.loggingEnabled, cachingEnabled: builder.cachingEnabled, build: build as () => S }
}
