// Query views the driver hands out. DSL stores hold ValueAndTimestamp values; the plain views
// unwrap them so tests read values, as Kafka's TopologyTestDriver does.
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { WindowStore, TimestampedValue } from '../state/window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { KeyValue, ValueAndTimestamp, Windowed } from '../state/windowed.ts'

/** Read-only queries of a key-value store. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null
  range(from: K, to: K): KeyValue<K, V>[]
  all(): KeyValue<K, V>[]
  approximateNumEntries(): number
}

/** Read-only queries of a window store. */
export interface ReadOnlyWindowStore<K, V> {
  fetch(key: K, windowStartMs: number): V | null
  fetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[]
  fetchAll(timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[]
  all(): KeyValue<Windowed<K>, V>[]
}

/** Read-only queries of a session store. */
export interface ReadOnlySessionStore<K, V> {
  fetch(key: K): KeyValue<Windowed<K>, V>[]
  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValue<Windowed<K>, V>[]
  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): V | null
  all(): KeyValue<Windowed<K>, V>[]
}

type Unwrap = (value: any) => any
const plain: Unwrap = (value) => value
const unwrapTimestamped: Unwrap = (value: ValueAndTimestamp<unknown> | null) => (value === null ? null : value.value)

function mapEntries<K>(entries: Iterable<KeyValue<K, any>>, unwrap: Unwrap): KeyValue<K, any>[] {
  return [...entries].map((entry) => ({ key: entry.key, value: unwrap(entry.value) }))
}

export function keyValueView<K, V>(store: KeyValueStore<K, any>, timestamped: boolean): ReadOnlyKeyValueStore<K, V> {
  const unwrap = timestamped ? unwrapTimestamped : plain
  return {
    get: (key) => unwrap(store.get(key)),
    range: (from, to) => mapEntries(store.range(from, to), unwrap),
    all: () => mapEntries(store.all(), unwrap),
    approximateNumEntries: () => store.approximateNumEntries(),
  }
}

export function windowView<K, V>(store: WindowStore<K, any>, timestamped: boolean): ReadOnlyWindowStore<K, V> {
  const unwrap = timestamped ? unwrapTimestamped : plain
  function fetch(key: K, windowStartMs: number): V | null
  function fetch(key: K, timeFromMs: number, timeToMs: number): TimestampedValue<V>[]
  function fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | TimestampedValue<V>[] {
    if (timeToMs === undefined) return unwrap(store.fetch(key, timeFromMs))
    return [...store.fetch(key, timeFromMs, timeToMs)].map((entry) => ({ timestamp: entry.timestamp, value: unwrap(entry.value) }))
  }
  return {
    fetch,
    fetchAll: (timeFromMs, timeToMs) => mapEntries(store.fetchAll(timeFromMs, timeToMs), unwrap),
    all: () => mapEntries(store.all(), unwrap),
  }
}

export function sessionView<K, V>(store: SessionStore<K, V>): ReadOnlySessionStore<K, V> {
  return {
    fetch: (key) => [...store.fetch(key)],
    findSessions: (key, earliestSessionEndMs, latestSessionStartMs) => [...store.findSessions(key, earliestSessionEndMs, latestSessionStartMs)],
    fetchSession: (key, sessionStartMs, sessionEndMs) => store.fetchSession(key, sessionStartMs, sessionEndMs),
    all: () => [...store.all()],
  }
}
