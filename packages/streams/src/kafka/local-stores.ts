// Interactive queries over this instance's stores: a store name spans one store per local
// active task; a read-only view answers from all of them (keys live in exactly one). Reads
// while a task restores, or while the instance rebalances, are refused with a retriable error.
import type { KeyValue } from '../state/windowed.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { StateStore, StoreKind } from '../state/state-store.ts'
import { keyValueView, sessionView, windowView, type ReadOnlyKeyValueStore, type ReadOnlySessionStore, type ReadOnlyWindowStore } from '../testing/store-views.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'

export type QueryableStoreType = StoreKind

export interface StoreSource {
  /** Every local active task's instance of the store, or a retriable error while restoring. */
  storesNamed(name: string): { stores: StateStore[]; kind: StoreKind; timestamped: boolean }
}

export function keyValueStoreView<K, V>(source: StoreSource, name: string): ReadOnlyKeyValueStore<K, V> {
  const views = (): ReadOnlyKeyValueStore<K, V>[] => {
    const found = requireKind(source, name, 'keyValue')
    return found.stores.map((store) => keyValueView<K, V>(store as KeyValueStore<K, any>, found.timestamped))
  }
  return {
    get(key) {
      for (const view of views()) {
        const value = view.get(key)
        if (value !== null) return value
      }
      return null
    },
    range: (from, to) => views().flatMap((view) => view.range(from, to)),
    all: () => views().flatMap((view) => view.all()),
    approximateNumEntries: () => views().reduce((sum, view) => sum + view.approximateNumEntries(), 0),
  }
}

export function windowStoreView<K, V>(source: StoreSource, name: string): ReadOnlyWindowStore<K, V> {
  const views = (): ReadOnlyWindowStore<K, V>[] => {
    const found = requireKind(source, name, 'window')
    return found.stores.map((store) => windowView<K, V>(store as WindowStore<K, any>, found.timestamped))
  }
  const fetch = ((key: K, from: number, to?: number) => {
    if (to === undefined) {
      for (const view of views()) {
        const value = view.fetch(key, from)
        if (value !== null) return value
      }
      return null
    }
    return views().flatMap((view) => view.fetch(key, from, to))
  }) as ReadOnlyWindowStore<K, V>['fetch']
  return {
    fetch,
    fetchAll: (from, to) => views().flatMap((view) => view.fetchAll(from, to)),
    all: () => views().flatMap((view) => view.all()),
  }
}

export function sessionStoreView<K, V>(source: StoreSource, name: string): ReadOnlySessionStore<K, V> {
  const views = (): ReadOnlySessionStore<K, V>[] => requireKind(source, name, 'session').stores.map((store) => sessionView<K, V>(store as SessionStore<K, V>))
  return {
    fetch: (key) => views().flatMap((view) => view.fetch(key)),
    findSessions: (key, earliestEnd, latestStart) => views().flatMap((view) => view.findSessions(key, earliestEnd, latestStart)),
    fetchSession(key, start, end) {
      for (const view of views()) {
        const value = view.fetchSession(key, start, end)
        if (value !== null) return value
      }
      return null
    },
    all: (): KeyValue<any, V>[] => views().flatMap((view) => view.all()),
  }
}

function requireKind(source: StoreSource, name: string, kind: StoreKind): { stores: StateStore[]; timestamped: boolean } {
  const found = source.storesNamed(name)
  if (found.kind !== kind) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `store '${name}' is a ${found.kind} store, not a ${kind} store`)
  return found
}
