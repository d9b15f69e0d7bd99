// A window is a half-open time interval [startMs, endMs) for time windows, closed [startMs, endMs]
// for session and sliding windows (as in Kafka Streams). A windowed key pairs a record key with it.

/** A time interval of a windowed aggregation. */
export class Window {
  readonly startMs: number
  readonly endMs: number

  constructor(startMs: number, endMs: number) {
    if (endMs < startMs) throw new RangeError(`window end ${endMs} is before its start ${startMs}`)
    this.startMs = startMs
    this.endMs = endMs
  }

  /** True when the two windows share any instant (half-open for time windows). */
  overlap(other: Window): boolean {
    return this.startMs < other.endMs && other.startMs < this.endMs
  }

  equals(other: Window): boolean {
    return this.startMs === other.startMs && this.endMs === other.endMs
  }

  toString(): string {
    return `Window{startMs=${this.startMs}, endMs=${this.endMs}}`
  }
}

/** A record key together with the window it was aggregated in. */
export class Windowed<K> {
  readonly key: K
  readonly window: Window

  constructor(key: K, window: Window) {
    this.key = key
    this.window = window
  }

  toString(): string {
    return `[${String(this.key)}@${this.window.startMs}/${this.window.endMs}]`
  }
}

/** A value with the timestamp of the record that last updated it (Kafka's ValueAndTimestamp). */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

/** A key and a value (Kafka's KeyValue). */
export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}
