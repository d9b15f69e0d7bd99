// The store boundary shared by every implementation (in-memory now, persistent next). A task
// owns its stores: it calls `init` once with the store's changelog topic, `flush` before a
// checkpoint, `close` at shutdown. Stores are typed; byte order of serialized keys defines the
// order of range queries, as in Kafka Streams, so a bytes-backed store gives the same answers.
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'
import { Serdes } from '../serde/serde.ts'

/** What a task tells a store when it registers it. */
export interface StateStoreContext {
  readonly applicationId: string
  readonly taskId: string
  /** `<applicationId>-<storeName>-changelog`, or null when logging is disabled. */
  readonly changelogTopic: string | null
  /**
   * The timestamp of the record whose processing writes the store now (during a cache flush, of
   * the record that last wrote the key), or null outside record processing: changelog records
   * carry it, as Kafka's do.
   */
  readonly recordTimestampMs?: () => number | null
}

/** Common lifecycle of every state store. */
export interface StateStore {
  readonly name: string
  /** True when the store survives a restart without a changelog restore. */
  readonly persistent: boolean
  init(context: StateStoreContext): void
  flush(): void
  close(): void
  isOpen(): boolean
}

/** The kinds of stores the DSL and the driver know how to query. */
export const StoreKind = { KeyValue: 'keyValue', Window: 'window', Session: 'session' } as const
export type StoreKind = (typeof StoreKind)[keyof typeof StoreKind]

/** Builds one store instance per task (Kafka's StoreBuilder). */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string
  readonly kind: StoreKind
  /** When true the values are `ValueAndTimestamp` (DSL aggregation stores). */
  readonly timestamped: boolean
  readonly loggingEnabled: boolean
  /**
   * A record cache in front of the store (Kafka's withCachingEnabled): writes reach the store and
   * its changelog once per key per commit. Absent: false. Window stores retaining duplicates
   * (stream-stream join buffers) are never cached.
   */
  readonly cachingEnabled?: boolean
  /** The serdes the store was declared with (a persistent store encodes with them). */
  readonly keySerde?: Serde<any>
  /** The declared value type's serde (V, not ValueAndTimestamp<V>). */
  readonly valueSerde?: Serde<any>
  /** Window and session stores: how long windows are kept. */
  readonly retentionMs?: number
  /** Window stores. */
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
  build(): S
}

/** Thrown by a closed store. */
export function storeClosed(name: string): StreamsError {
  return new StreamsError(StreamsErrorCode.StoreClosed, `state store '${name}' is not open`)
}

/**
 * Turns a key into a Map key and compares keys in serialized byte order. String, Int and Long
 * keys take fast paths; other keys go through their serde once per call.
 */
export interface KeyIdentity<K> {
  id(key: K): string | number
  compare(left: K, right: K): number
}

export function keyIdentity<K>(keySerde: Serde<K>, storeName: string): KeyIdentity<K> {
  if (keySerde === (Serdes.String() as unknown)) {
    return { id: (key) => key as string, compare: (left, right) => compareStrings(left as string, right as string) }
  }
  if (keySerde === (Serdes.Long() as unknown) || keySerde === (Serdes.Int() as unknown)) {
    return { id: (key) => key as number, compare: (left, right) => compareSignedBigEndian(left as number, right as number) }
  }
  const bytesOf = (key: K): string => {
    const bytes = keySerde.serialize(storeName, key)
    if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${storeName}': key serialized to null`)
    let text = ''
    for (let index = 0; index < bytes.length; index++) text += String.fromCharCode(bytes[index])
    return text
  }
  return { id: bytesOf, compare: (left, right) => compareStrings(bytesOf(left), bytesOf(right)) }
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}

// Big-endian two's complement bytes order non-negative numbers before negative ones.
function compareSignedBigEndian(left: number, right: number): number {
  const leftNegative = left < 0
  if (leftNegative !== right < 0) return leftNegative ? 1 : -1
  return left < right ? -1 : left > right ? 1 : 0
}
