// Changelogging for stores whose builder names no serdes (a hand-written StoreBuilder): every
// write to a logged store is also sent to its changelog partition (the task's partition), and a
// restore replays the changelog into the store. Keys and values are encoded with Node's
// structured serialization (node:v8), so this changelog is readable by this runtime only, not by
// Kafka Streams. Stores with serdes (every DSL and `Stores` store) use the change-logging
// wrappers of src/state instead (task-stores.ts), which write Kafka's changelog layout.
// Stores stay typed; a Proxy intercepts the write methods of each store kind.
import { deserialize, serialize } from 'node:v8'
import type { StateStore, StateStoreContext, StoreBuilder } from '../state/state-store.ts'
import { Window, Windowed } from '../state/windowed.ts'
import { parseTaskId } from './task-id.ts'

/** Receives one changelog record of a task's store. */
export type ChangelogSink = (topic: string, partition: number, key: Uint8Array, value: Uint8Array | null) => void

type Kind = StoreBuilder['kind']

const targets = new WeakMap<object, { target: StateStore; kind: Kind }>()

function encode(value: unknown): Uint8Array {
  return serialize(value)
}

/** Wraps a builder so its stores log writes to `sinkFor(taskId)`. */
export function changeloggingBuilder(builder: StoreBuilder, sinkFor: (taskId: string) => ChangelogSink): StoreBuilder {
  if (!builder.loggingEnabled) return builder
  return { ...builder, loggingEnabled: true, build: () => wrapStore(builder.build(), builder.kind, sinkFor) }
}

function wrapStore(target: StateStore, kind: Kind, sinkFor: (taskId: string) => ChangelogSink): StateStore {
  let log: (key: Uint8Array, value: Uint8Array | null) => void = () => {
    throw new Error(`assertion failed: store '${target.name}' written before init`)
  }
  const store = target as unknown as Record<string, (...args: any[]) => any>
  const call = (method: string, ...args: unknown[]): any => store[method].apply(target, args)
  const overrides: Record<string, (...args: any[]) => any> = {
    init(context: StateStoreContext) {
      call('init', context)
      if (context.changelogTopic === null) return
      const sink = sinkFor(context.taskId)
      const topic = context.changelogTopic
      const partition = parseTaskId(context.taskId).partition
      log = (key, value) => sink(topic, partition, key, value)
    },
  }
  if (kind === 'keyValue') {
    overrides.put = (key, value) => {
      call('put', key, value)
      log(encode(key), value === null || value === undefined ? null : encode(value))
    }
    overrides.putIfAbsent = (key, value) => {
      const previous = call('putIfAbsent', key, value)
      if (previous === null) log(encode(key), encode(value))
      return previous
    }
    overrides.putAll = (entries: Iterable<{ key: unknown; value: unknown }>) => {
      for (const entry of entries) overrides.put(entry.key, entry.value)
    }
    overrides.delete = (key) => {
      const previous = call('delete', key)
      log(encode(key), null)
      return previous
    }
  } else if (kind === 'window') {
    overrides.put = (key, value, windowStartMs: number) => {
      call('put', key, value, windowStartMs)
      log(encode([key, windowStartMs]), value === null || value === undefined ? null : encode(value))
    }
  } else {
    const sessionKey = (windowed: Windowed<unknown>): Uint8Array => encode([windowed.key, windowed.window.startMs, windowed.window.endMs])
    overrides.put = (windowed: Windowed<unknown>, aggregate) => {
      call('put', windowed, aggregate)
      log(sessionKey(windowed), aggregate === null || aggregate === undefined ? null : encode(aggregate))
    }
    overrides.remove = (windowed: Windowed<unknown>) => {
      call('remove', windowed)
      log(sessionKey(windowed), null)
    }
  }
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property]
      const value = Reflect.get(object, property, receiver)
      return typeof value === 'function' ? value.bind(object) : value
    },
  })
  targets.set(proxy, { target, kind })
  return proxy
}

/** Applies one changelog record to a store built by changeloggingBuilder, without logging it. */
export function restoreRecord(store: StateStore, key: Uint8Array, value: Uint8Array | null): void {
  const entry = targets.get(store)
  if (entry === undefined) throw new Error(`assertion failed: store '${store.name}' is not a changelogging store`)
  const target = entry.target as unknown as Record<string, (...args: any[]) => any>
  const decodedValue = value === null ? null : deserialize(value)
  const decodedKey = deserialize(key)
  if (entry.kind === 'keyValue') target.put(decodedKey, decodedValue)
  else if (entry.kind === 'window') {
    const [recordKey, windowStartMs] = decodedKey as [unknown, number]
    target.put(recordKey, decodedValue, windowStartMs)
  } else {
    const [recordKey, startMs, endMs] = decodedKey as [unknown, number, number]
    const windowed = new Windowed(recordKey, new Window(startMs, endMs))
    if (decodedValue === null) target.remove(windowed)
    else target.put(windowed, decodedValue)
  }
}

/** True for stores built by changeloggingBuilder. */
export function isChangelogging(store: StateStore): boolean {
  return targets.has(store)
}
