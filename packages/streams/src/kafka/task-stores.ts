// How the Kafka runtime builds a task's stores. Three modes:
// - 'in-memory' (no stateDir) and 'logged-in-memory' (stateDir set, standby tasks): in-memory
//   stores wrapped in the change-logging wrappers of src/state, which write Kafka's changelog
//   layout with the stores' serdes (what Kafka Streams writes), so a standby reads (and, once
//   promoted, writes) the persistent stores' changelog format.
// - 'persistent' (stateDir set, active tasks): LMDB stores in `<stateDir>/<applicationId>/<taskId>/`
//   built by persistentStoreBuilder, logged in the same layout.
// A builder that carries no serdes (a hand-written StoreBuilder) is logged with node:v8 records
// (changelog-store.ts), readable by this runtime only.
import type { ProducerRecord } from '@tributary/client'
import type { StateStore, StateStoreContext, StoreBuilder } from '../state/state-store.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { ChangeLoggingOptions, ChangelogRestorable } from '../state/changelog/changelog-record.ts'
import { ChangeLoggingKeyValueStore } from '../state/changelog/change-logging-key-value-store.ts'
import { ChangeLoggingSessionStore, ChangeLoggingWindowStore } from '../state/changelog/change-logging-window-store.ts'
import { valueAndTimestampSerde } from '../state/changelog/value-and-timestamp-serde.ts'
import { persistentStoreBuilder } from '../state/persistent/persistent-store-builder.ts'
import { resolveDefaultSerde } from '../state/stores.ts'
import type { Serde } from '../serde/serde.ts'
import type { TaskStateDirectory } from '../state/persistent/task-state-directory.ts'
import { changeloggingBuilder, isChangelogging, restoreRecord, type ChangelogSink } from './changelog-store.ts'
import { parseTaskId } from './task-id.ts'

export type TaskStoreMode = 'in-memory' | 'persistent' | 'logged-in-memory'

export interface TaskStoreWiring {
  readonly mode: TaskStoreMode
  /** Output queue of the producer (changelog records join the sink records). */
  readonly output: ProducerRecord[]
  readonly systemTimeMs: () => number
  /** The directory of a task being created (mode 'persistent'). */
  directoryFor(taskId: string): TaskStateDirectory
  /** The configured default serdes: they replace the DSL's `defaultSerde` placeholders. */
  readonly defaultKeySerde?: Serde<any>
  readonly defaultValueSerde?: Serde<any>
}

/** The runtime's builders for every store of a topology. */
export function taskStoreBuilders(builders: Iterable<[string, StoreBuilder]>, wiring: TaskStoreWiring): Map<string, StoreBuilder> {
  const sink: ChangelogSink = (topic, partition, key, value) => {
    wiring.output.push({ topic, partition, key, value, timestamp: wiring.systemTimeMs() })
  }
  const loggingFor = (context: StateStoreContext): ChangeLoggingOptions => ({
    partition: parseTaskId(context.taskId).partition,
    collector: { send: (topic, partition, key, value, timestampMs) => wiring.output.push({ topic, partition, key, value, timestamp: timestampMs }) },
    // The processed record's timestamp, as Kafka's changelog records carry; wall-clock time for
    // writes outside record processing (punctuators).
    timestampMs: () => context.recordTimestampMs?.() ?? wiring.systemTimeMs(),
  })
  const stores = new Map<string, StoreBuilder>()
  for (const [name, declared] of builders) {
    const builder = withConfiguredDefaults(declared, wiring)
    if (builder.keySerde === undefined || builder.valueSerde === undefined) stores.set(name, changeloggingBuilder(builder, () => sink))
    else if (wiring.mode === 'persistent') stores.set(name, persistentStoreBuilder(builder, undefined, { directoryFor: (context) => wiring.directoryFor(context.taskId), loggingFor }))
    else stores.set(name, loggedInMemoryBuilder(builder, loggingFor))
  }
  return stores
}

/** The builder with its DSL placeholder serdes replaced by the configured defaults (Kafka resolves them at store init). */
function withConfiguredDefaults(builder: StoreBuilder, wiring: TaskStoreWiring): StoreBuilder {
  const keySerde = resolveDefaultSerde(builder.keySerde, wiring.defaultKeySerde)
  const valueSerde = resolveDefaultSerde(builder.valueSerde, wiring.defaultValueSerde)
  return keySerde === builder.keySerde && valueSerde === builder.valueSerde ? builder : { ...builder, keySerde, valueSerde }
}

function loggedInMemoryBuilder(builder: StoreBuilder, logging: (context: StateStoreContext) => ChangeLoggingOptions): StoreBuilder {
  const keySerde = builder.keySerde!
  const valueSerde = builder.timestamped ? valueAndTimestampSerde(builder.valueSerde!) : builder.valueSerde!
  const build = (): StateStore => {
    const inner = builder.build()
    if (builder.kind === 'keyValue') return new ChangeLoggingKeyValueStore(inner as KeyValueStore<unknown, unknown>, { logging, keySerde, valueSerde })
    if (builder.kind === 'window') return new ChangeLoggingWindowStore(inner as WindowStore<unknown, unknown>, { logging, keySerde, valueSerde, retainDuplicates: builder.retainDuplicates })
    return new ChangeLoggingSessionStore(inner as SessionStore<unknown, unknown>, { logging, keySerde, valueSerde })
  }
  return { ...builder, build }
}

/** True for stores that restore through `restoreBatch` (the serde-logged stores). */
export function isChangelogRestorable(store: StateStore): store is StateStore & ChangelogRestorable {
  return typeof (store as Partial<ChangelogRestorable>).restoreBatch === 'function'
}

/** Applies one changelog record to a store of any mode, without logging it again. */
export function applyChangelogRecord(store: StateStore, record: { offset: bigint; key: Uint8Array | null; value: Uint8Array | null; timestamp: bigint }): void {
  if (isChangelogging(store)) {
    if (record.key !== null) restoreRecord(store, record.key, record.value)
    return
  }
  if (!isChangelogRestorable(store)) throw new Error(`assertion failed: store '${store.name}' cannot apply changelog records`)
  store.restoreBatch([{ offset: Number(record.offset), key: record.key, value: record.value, timestamp: Number(record.timestamp) }])
}
