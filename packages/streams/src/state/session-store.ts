// SessionStore: aggregates per (key, session window). Retention follows observed stream time
// on session ends, as Kafka's InMemorySessionStore: a session whose end is at or before
// `observedStreamTime - retentionMs` is neither stored nor returned.
import type { KeyValue } from './windowed.ts'
import { Window, Windowed } from './windowed.ts'
import type { StateStore } from './state-store.ts'
import { InMemoryStore } from './in-memory-store.ts'
import type { Serde } from '../serde/serde.ts'

/** A session-windowed state store (Kafka's SessionStore). */
export interface SessionStore<K, AGG> extends StateStore {
  readonly retentionMs: number
  /**
   * Sessions of `key` that end at or after `earliestSessionEndMs` and start at or before
   * `latestSessionStartMs` — the sessions a record could merge with. Ordered by end, then start.
   */
  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): Iterable<KeyValue<Windowed<K>, AGG>>
  /** The aggregate of exactly this session, or null. */
  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null
  /** All live sessions of one key. */
  fetch(key: K): Iterable<KeyValue<Windowed<K>, AGG>>
  /** All live sessions of all keys, ordered by key bytes then end. */
  all(): Iterable<KeyValue<Windowed<K>, AGG>>
  /** Stores an aggregate; null removes the session. */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void
  remove(sessionKey: Windowed<K>): void
}

interface Session<AGG> {
  startMs: number
  endMs: number
  value: AGG
}

interface KeySessions<K, AGG> {
  key: K
  sessions: Session<AGG>[]
}

/** In-memory SessionStore: key → sessions sorted by (end, start). */
export class InMemorySessionStore<K, AGG> extends InMemoryStore<K> implements SessionStore<K, AGG> {
  readonly retentionMs: number
  private readonly byKey = new Map<string | number, KeySessions<K, AGG>>()
  private observedStreamTimeMs = -1

  constructor(name: string, keySerde: Serde<K>, retentionMs: number) {
    super(name, keySerde)
    this.retentionMs = retentionMs
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.checkOpen()
    if (aggregate === null || aggregate === undefined) return this.remove(sessionKey)
    const { startMs, endMs } = sessionKey.window
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, endMs)
    if (endMs <= this.observedStreamTimeMs - this.retentionMs) return
    const id = this.identity.id(sessionKey.key)
    let entry = this.byKey.get(id)
    if (entry === undefined) {
      entry = { key: sessionKey.key, sessions: [] }
      this.byKey.set(id, entry)
    }
    const existing = entry.sessions.find((session) => session.startMs === startMs && session.endMs === endMs)
    if (existing !== undefined) {
      existing.value = aggregate
      return
    }
    entry.sessions.push({ startMs, endMs, value: aggregate })
    entry.sessions.sort((left, right) => left.endMs - right.endMs || left.startMs - right.startMs)
  }

  remove(sessionKey: Windowed<K>): void {
    this.checkOpen()
    const id = this.identity.id(sessionKey.key)
    const entry = this.byKey.get(id)
    if (entry === undefined) return
    entry.sessions = entry.sessions.filter((session) => session.startMs !== sessionKey.window.startMs || session.endMs !== sessionKey.window.endMs)
    if (entry.sessions.length === 0) this.byKey.delete(id)
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValue<Windowed<K>, AGG>[] {
    return this.live(key).filter((session) => session.endMs >= earliestSessionEndMs && session.startMs <= latestSessionStartMs).map((session) => toKeyValue(key, session))
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null {
    const found = this.live(key).find((session) => session.startMs === sessionStartMs && session.endMs === sessionEndMs)
    return found === undefined ? null : found.value
  }

  fetch(key: K): KeyValue<Windowed<K>, AGG>[] {
    return this.live(key).map((session) => toKeyValue(key, session))
  }

  all(): KeyValue<Windowed<K>, AGG>[] {
    this.checkOpen()
    const entries = [...this.byKey.values()].sort((left, right) => this.identity.compare(left.key, right.key))
    return entries.flatMap((entry) => this.live(entry.key).map((session) => toKeyValue(entry.key, session)))
  }

  private live(key: K): Session<AGG>[] {
    this.checkOpen()
    const entry = this.byKey.get(this.identity.id(key))
    if (entry === undefined) return []
    const minimumEndMs = this.observedStreamTimeMs - this.retentionMs + 1
    return entry.sessions.filter((session) => session.endMs >= minimumEndMs)
  }
}

function toKeyValue<K, AGG>(key: K, session: Session<AGG>): KeyValue<Windowed<K>, AGG> {
  return { key: new Windowed(key, new Window(session.startMs, session.endMs)), value: session.value }
}
