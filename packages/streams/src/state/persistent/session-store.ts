// PersistentSessionStore: a SessionStore in one LMDB named database. Stored key:
// [segment of end][escaped key][end][start] (Kafka's session key schema is [key][end][start]),
// so a key's sessions ending in a time range are one ordered range scan per live segment,
// ordered by end then start. Retention follows InMemorySessionStore: a session whose end is at
// or before `observedStreamTime - retentionMs` is neither stored nor returned.
import type { SessionStore } from '../session-store.ts'
import type { KeyValue } from '../windowed.ts'
import { Window, Windowed } from '../windowed.ts'
import { readEscapedKey, readOrderedLong } from './key-encoding.ts'
import { maxTimeMs, minTimeMs } from './segments.ts'
import { SegmentedPersistentStore, type SegmentedPersistentStoreOptions } from './persistent-store.ts'

export type PersistentSessionStoreOptions<K, AGG> = SegmentedPersistentStoreOptions<K, AGG>

interface Decoded {
  readonly key: Uint8Array
  readonly escapedKey: Buffer
  readonly endMs: number
  readonly startMs: number
}

export class PersistentSessionStore<K, AGG> extends SegmentedPersistentStore<K, AGG> implements SessionStore<K, AGG> {
  protected storedTimeMs(storedKey: Buffer): number {
    return decode(storedKey).endMs
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    if (aggregate === null || aggregate === undefined) return this.remove(sessionKey)
    const database = this.open()
    const { startMs, endMs } = sessionKey.window
    this.observe(database, endMs)
    if (this.expired(endMs)) return
    const value = this.serializeValue(aggregate, 'aggregate')
    database.put(this.layout.key(endMs, this.serializeKey(sessionKey.key), [endMs, startMs]), value)
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
    if (this.expired(sessionEndMs)) return null
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
}

function decode(stored: Buffer): Decoded {
  const { key, next } = readEscapedKey(stored, 8)
  return { key, escapedKey: stored.subarray(8, next), endMs: readOrderedLong(stored, next), startMs: readOrderedLong(stored, next + 8) }
}
