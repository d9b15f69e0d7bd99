// PersistentStore: what the LMDB-backed stores share: one named database of the task's state
// directory opened at `init`, committed by `flush` and `close`, and the serde checks on the way
// in. SegmentedPersistentStore adds the time-segment retention of window and session stores:
// observed stream time (recovered on `init` from the newest stored time) and dropping segments
// wholly before the live range.
import type { StateStore, StateStoreContext } from '../state-store.ts'
import { storeClosed } from '../state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import { resolveTaskStateDirectory, type TaskStateDirectorySource } from './task-state-directory.ts'
import type { WriteBufferedDatabase } from './write-buffer.ts'
import { SegmentLayout, defaultSegmentIntervalMs } from './segments.ts'

export interface PersistentStoreOptions<K, V> {
  readonly name: string
  /** The task's state directory, or a function finding it from the task at `init`. */
  readonly directory: TaskStateDirectorySource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export abstract class PersistentStore<K, V> implements StateStore {
  readonly name: string
  readonly persistent = true
  protected readonly keySerde: Serde<K>
  protected readonly valueSerde: Serde<V>
  readonly #directorySource: TaskStateDirectorySource
  #database: WriteBufferedDatabase | null = null

  constructor(options: PersistentStoreOptions<K, V>) {
    this.name = options.name
    this.#directorySource = options.directory
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
  }

  init(context: StateStoreContext): void {
    const directory = resolveTaskStateDirectory(this.#directorySource, context, this.name)
    this.#database = directory.database(this.name)
    this.opened(this.#database)
  }

  /** Commits buffered writes durably. */
  flush(): void {
    this.open().commit()
  }

  close(): void {
    if (this.#database === null) return
    if (!this.#database.isClosed()) this.#database.commit()
    this.#database = null
  }

  isOpen(): boolean {
    return this.#database !== null && !this.#database.isClosed()
  }

  /** Called by `init` once the database is open, to recover in-memory bookkeeping from it. */
  protected opened(_database: WriteBufferedDatabase): void {}

  /** The open database; throws the store-closed error before `init` and after `close`. */
  protected open(): WriteBufferedDatabase {
    if (this.#database === null || this.#database.isClosed()) throw storeClosed(this.name)
    return this.#database
  }

  protected serializeKey(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.name, key)
    if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': key serialized to null`)
    return bytes
  }

  /** The value's bytes as a Buffer view (no copy); `noun` names it in the error ('value', 'aggregate'). */
  protected serializeValue(value: V, noun = 'value'): Buffer {
    const bytes = this.valueSerde.serialize(this.name, value)
    if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': a non-null ${noun} serialized to null`)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
}

export interface SegmentedPersistentStoreOptions<K, V> extends PersistentStoreOptions<K, V> {
  readonly retentionMs: number
  readonly segmentIntervalMs?: number
}

export abstract class SegmentedPersistentStore<K, V> extends PersistentStore<K, V> {
  readonly retentionMs: number
  protected readonly layout: SegmentLayout
  protected observedStreamTimeMs = -1
  #lowestLiveSegment = Number.MIN_SAFE_INTEGER

  constructor(options: SegmentedPersistentStoreOptions<K, V>) {
    super(options)
    this.retentionMs = options.retentionMs
    this.layout = new SegmentLayout(options.name, options.segmentIntervalMs ?? defaultSegmentIntervalMs(options.retentionMs))
  }

  /** The time a stored key is segmented by (window start, session end). */
  protected abstract storedTimeMs(storedKey: Buffer): number

  protected override opened(database: WriteBufferedDatabase): void {
    this.observedStreamTimeMs = this.layout.latestTimeMs(database, (stored) => this.storedTimeMs(stored))
  }

  /** Advances observed stream time to `timeMs` and deletes the segments that fell out of retention. */
  protected observe(database: WriteBufferedDatabase, timeMs: number): void {
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, timeMs)
    const lowestLive = this.layout.segmentOf(Math.max(0, this.observedStreamTimeMs - this.retentionMs + 1))
    if (lowestLive <= this.#lowestLiveSegment) return
    this.layout.dropSegmentsBelow(database, lowestLive)
    this.#lowestLiveSegment = lowestLive
  }

  /** True when `timeMs` is at or before `observedStreamTime - retentionMs`: neither stored nor returned. */
  protected expired(timeMs: number): boolean {
    return timeMs <= this.observedStreamTimeMs - this.retentionMs
  }
}
