// PersistentSessionStore: a SessionStore in one LMDB named database. Stored key:
// [segment of end][escaped key][end][start] (Kafka's session key schema is [key][end][start]),
// so a key's sessions ending in a time range are one ordered range scan per live segment,
// ordered by end then start. Retention follows InMemorySessionStore: a session whose end is at
// or before `observedStreamTime - retentionMs` is neither stored nor returned.
import type { SessionStore } from '../session-store.ts'
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import type { StateStoreContext } from '../state-store.ts'
import { storeClosed } from '../state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import { resolveTaskStateDirectory, type TaskStateDirectorySource } from './task-state-directory.ts'
import type { WriteBufferedDatabase } from './write-buffer.ts'
import { readEscapedKey, readOrderedLong } from './key-encoding.ts'
import { SegmentLayout, defaultSegmentIntervalMs, maxTimeMs, minTimeMs } from './segments.ts'

export interface PersistentSessionStoreOptions<K, AGG> {
  readonly name: string
  /** The task's state directory, or a function finding it from the task at `init`. */
  readonly directory: TaskStateDirectorySource
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<AGG>
  readonly retentionMs: number
  readonly segmentIntervalMs?: number
}

interface Decoded {
  readonly key: Uint8Array
  readonly escapedKey: Buffer
  readonly endMs: number
  readonly startMs: number
}

export class PersistentSessionStore<K, AGG> implements SessionStore<K, AGG> {
  readonly name: string
  readonly persistent = true
  readonly retentionMs: number
  private readonly directorySource: TaskStateDirectorySource
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<AGG>
  private readonly layout: SegmentLayout
  private database: WriteBufferedDatabase | null = null
  private observedStreamTimeMs = -1
  private lowestLiveSegment = Number.MIN_SAFE_INTEGER

  constructor(options: PersistentSessionStoreOptions<K, AGG>) {
    this.name = options.name
    this.directorySource = options.directory
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.retentionMs = options.retentionMs
    this.layout = new SegmentLayout(options.name, options.segmentIntervalMs ?? defaultSegmentIntervalMs(options.retentionMs))
  }

  init(context: StateStoreContext): void {
    const directory = resolveTaskStateDirectory(this.directorySource, context, this.name)
    this.database = directory.database(this.name)
    this.observedStreamTimeMs = this.layout.latestTimeMs(this.database, (stored) => decode(stored).endMs)
  }

  flush(): void {
    this.open().commit()
  }

  close(): void {
    if (this.database === null) return
    if (!this.database.isClosed()) this.database.commit()
    this.database = null
  }

  isOpen(): boolean {
    return this.database !== null && !this.database.isClosed()
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    if (aggregate === null || aggregate === undefined) return this.remove(sessionKey)
    const database = this.open()
    const { startMs, endMs } = sessionKey.window
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, endMs)
    this.dropExpiredSegments(database)
    if (endMs <= this.observedStreamTimeMs - this.retentionMs) return
    const bytes = this.valueSerde.serialize(this.name, aggregate)
    if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': a non-null aggregate serialized to null`)
    database.put(this.layout.key(endMs, this.serializeKey(sessionKey.key), [endMs, startMs]), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  }

  remove(sessionKey: Windowed<K>): void {
    const { startMs, endMs } = sessionKey.window
    this.open().put(this.layout.key(endMs, this.serializeKey(sessionKey.key), [endMs, startMs]), null)
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValue<Windowed<K>, AGG>[] {
    const database = this.open()
    const keyBytes = this.serializeKey(key)
    const low = Math.max(earliestSessionEndMs, this.observedStreamTimeMs - this.retentionMs + 1)
    const high = this.observedStreamTimeMs
    const out: KeyValue<Windowed<K>, AGG>[] = []
    for (let segment = this.layout.segmentOf(low); low <= high && segment <= this.layout.segmentOf(high); segment++) {
      const [start, end] = this.layout.keyBounds(segment, keyBytes, [low, minTimeMs], [maxTimeMs, maxTimeMs], false)
      for (const entry of database.range(start, end)) {
        const endMs = readOrderedLong(entry.key, entry.key.length - 16)
        const startMs = readOrderedLong(entry.key, entry.key.length - 8)
        if (startMs > latestSessionStartMs) continue
        out.push({ key: new Windowed(key, new Window(startMs, endMs)), value: this.valueSerde.deserialize(this.name, entry.value) as AGG })
      }
    }
    return out
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null {
    const database = this.open()
    if (sessionEndMs <= this.observedStreamTimeMs - this.retentionMs) return null
    const stored = database.get(this.layout.key(sessionEndMs, this.serializeKey(key), [sessionEndMs, sessionStartMs]))
    return stored === null ? null : this.valueSerde.deserialize(this.name, stored)
  }

  fetch(key: K): KeyValue<Windowed<K>, AGG>[] {
    return this.findSessions(key, minTimeMs, maxTimeMs)
  }

  all(): KeyValue<Windowed<K>, AGG>[] {
    const database = this.open()
    const low = this.observedStreamTimeMs - this.retentionMs + 1
    const found: { decoded: Decoded; value: Buffer }[] = []
    for (let segment = this.layout.segmentOf(low); low <= this.observedStreamTimeMs && segment <= this.layout.segmentOf(this.observedStreamTimeMs); segment++) {
      const [start, end] = this.layout.segmentBounds(segment)
      for (const entry of database.range(start, end)) {
        const decoded = decode(entry.key)
        if (decoded.endMs >= low) found.push({ decoded, value: entry.value })
      }
    }
    found.sort((left, right) => Buffer.compare(left.decoded.escapedKey, right.decoded.escapedKey) || left.decoded.endMs - right.decoded.endMs || left.decoded.startMs - right.decoded.startMs)
    return found.map(({ decoded, value }) => ({
      key: new Windowed(this.keySerde.deserialize(this.name, decoded.key) as K, new Window(decoded.startMs, decoded.endMs)),
      value: this.valueSerde.deserialize(this.name, value) as AGG,
    }))
  }

  private dropExpiredSegments(database: WriteBufferedDatabase): void {
    const lowestLive = this.layout.segmentOf(Math.max(0, this.observedStreamTimeMs - this.retentionMs + 1))
    if (lowestLive <= this.lowestLiveSegment) return
    this.layout.dropSegmentsBelow(database, lowestLive)
    this.lowestLiveSegment = lowestLive
  }

  private serializeKey(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.name, key)
    if (bytes === null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${this.name}': key serialized to null`)
    return bytes
  }

  private open(): WriteBufferedDatabase {
    if (this.database === null || this.database.isClosed()) throw storeClosed(this.name)
    return this.database
  }
}

function decode(stored: Buffer): Decoded {
  const { key, next } = readEscapedKey(stored, 8)
  return { key, escapedKey: stored.subarray(8, next), endMs: readOrderedLong(stored, next), startMs: readOrderedLong(stored, next + 8) }
}
