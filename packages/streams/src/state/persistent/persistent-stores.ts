// Factories the Kafka runtime uses to build a task's stores: a persistent store in the task's
// state directory, wrapped in its changelogging store when logging is on.
import type { KeyValueStore } from '../key-value-store.ts'
import type { WindowStore } from '../window-store.ts'
import type { SessionStore } from '../session-store.ts'
import type { ChangeLoggingSource, ChangelogRestorable } from '../changelog/changelog-record.ts'
import { ChangeLoggingKeyValueStore } from '../changelog/change-logging-key-value-store.ts'
import { ChangeLoggingSessionStore, ChangeLoggingWindowStore } from '../changelog/change-logging-window-store.ts'
import { PersistentKeyValueStore, type PersistentKeyValueStoreOptions } from './key-value-store.ts'
import { PersistentWindowStore, type PersistentWindowStoreOptions } from './window-store.ts'
import { PersistentSessionStore, type PersistentSessionStoreOptions } from './session-store.ts'

export const PersistentStores = {
  /** A persistent key-value store, changelogged unless `init` gets a null changelog topic (logging disabled). */
  keyValueStore<K, V>(options: PersistentKeyValueStoreOptions<K, V>, logging: ChangeLoggingSource): KeyValueStore<K, V> & ChangelogRestorable {
    return new ChangeLoggingKeyValueStore(new PersistentKeyValueStore(options), { logging, keySerde: options.keySerde, valueSerde: options.valueSerde })
  },
  windowStore<K, V>(options: PersistentWindowStoreOptions<K, V>, logging: ChangeLoggingSource): WindowStore<K, V> & ChangelogRestorable {
    return new ChangeLoggingWindowStore(new PersistentWindowStore(options), { logging, keySerde: options.keySerde, valueSerde: options.valueSerde, retainDuplicates: options.retainDuplicates })
  },
  sessionStore<K, AGG>(options: PersistentSessionStoreOptions<K, AGG>, logging: ChangeLoggingSource): SessionStore<K, AGG> & ChangelogRestorable {
    return new ChangeLoggingSessionStore(new PersistentSessionStore(options), { logging, keySerde: options.keySerde, valueSerde: options.valueSerde })
  },
} as const
