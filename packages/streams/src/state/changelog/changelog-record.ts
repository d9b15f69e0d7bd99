// What the changelogging stores send and what restore reads back. A changelog record goes to
// `<applicationId>-<storeName>-changelog`, partition = the task's partition, key = the store
// key bytes (windowed stores: Kafka's windowed changelog key layouts below), value = the value
// bytes or null (a tombstone).
import type { StateStoreContext } from '../state-store.ts'

/** Where changelogging stores send their records: the task's producer (transactional under exactly-once). */
export interface ChangelogCollector {
  send(topic: string, partition: number, key: Uint8Array, value: Uint8Array | null, timestampMs: number): void
}

/** A changelog record as the restore reads it. */
export interface ChangelogRecord {
  readonly offset: number
  readonly key: Uint8Array | null
  readonly value: Uint8Array | null
  readonly timestamp: number
}

/** What a changelogging store needs besides the topic (which `init` supplies). */
export interface ChangeLoggingOptions {
  /** The task's input partition: changelogs are co-partitioned with the task. */
  readonly partition: number
  readonly collector: ChangelogCollector
  /** Timestamp of changelog records: the timestamp of the record being processed. */
  readonly timestampMs: () => number
}

/** Logging options, or how to find them from the context `init` receives (builders build stores before the task is known). */
export type ChangeLoggingSource = ChangeLoggingOptions | ((context: StateStoreContext) => ChangeLoggingOptions)

/** A store that can apply changelog records to itself without logging them again. */
export interface ChangelogRestorable {
  readonly name: string
  /** Applies records in offset order; tombstones delete. */
  restoreBatch(records: readonly ChangelogRecord[]): void
  /** Makes the restored data durable (a store flush). */
  flush(): void
}

/** Kafka's window store changelog key: [key][window start: int64 BE][seqnum: int32 BE]. */
export function windowChangelogKey(key: Uint8Array, windowStartMs: number, seqnum: number): Uint8Array {
  const out = new Uint8Array(key.byteLength + 12)
  out.set(key, 0)
  const view = new DataView(out.buffer)
  view.setBigInt64(key.byteLength, BigInt(windowStartMs))
  view.setInt32(key.byteLength + 8, seqnum | 0)
  return out
}

export function parseWindowChangelogKey(data: Uint8Array): { key: Uint8Array; windowStartMs: number; seqnum: number } {
  if (data.byteLength < 12) throw new RangeError(`window changelog key of ${data.byteLength} bytes is shorter than 12`)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return { key: data.subarray(0, data.byteLength - 12), windowStartMs: Number(view.getBigInt64(data.byteLength - 12)), seqnum: view.getInt32(data.byteLength - 4) }
}

/** Kafka's session store changelog key: [key][session end: int64 BE][session start: int64 BE]. */
export function sessionChangelogKey(key: Uint8Array, startMs: number, endMs: number): Uint8Array {
  const out = new Uint8Array(key.byteLength + 16)
  out.set(key, 0)
  const view = new DataView(out.buffer)
  view.setBigInt64(key.byteLength, BigInt(endMs))
  view.setBigInt64(key.byteLength + 8, BigInt(startMs))
  return out
}

export function parseSessionChangelogKey(data: Uint8Array): { key: Uint8Array; startMs: number; endMs: number } {
  if (data.byteLength < 16) throw new RangeError(`session changelog key of ${data.byteLength} bytes is shorter than 16`)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return { key: data.subarray(0, data.byteLength - 16), endMs: Number(view.getBigInt64(data.byteLength - 16)), startMs: Number(view.getBigInt64(data.byteLength - 8)) }
}
