// Window specifications, with Kafka's factory names. All durations are milliseconds. Time
// windows are aligned to the epoch; a record belongs to every window [start, start + size)
// that contains its timestamp.
import { Window } from '../state/windowed.ts'
import { requireArgument } from '../errors.ts'

function checkDuration(name: string, value: number, minimum = 0): void {
  requireArgument(Number.isSafeInteger(value) && value >= minimum, `${name} must be an integer of at least ${minimum} ms, got ${value}`)
}

/** Tumbling (advance = size) or hopping (advance < size) windows. */
export class TimeWindows {
  readonly sizeMs: number
  readonly advanceMs: number
  readonly graceMs: number

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    checkDuration('window size', sizeMs, 1)
    checkDuration('grace period', graceMs)
    requireArgument(advanceMs >= 1 && advanceMs <= sizeMs, `advance must be in [1, size] ms, got ${advanceMs}`)
    this.sizeMs = sizeMs
    this.advanceMs = advanceMs
    this.graceMs = graceMs
  }

  /** Tumbling windows that close as soon as stream time passes their end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, 0)
  }

  /** Tumbling windows that accept out-of-order records until `end + grace`. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, graceMs)
  }

  /** Hopping windows: a new window every `advanceMs`. */
  advanceBy(advanceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs)
  }

  /** Start of the earliest window containing `timestampMs`. */
  firstWindowStartFor(timestampMs: number): number {
    return Math.floor(Math.max(0, timestampMs - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs
  }

  /** The windows containing `timestampMs`, by start. */
  windowsFor(timestampMs: number): Window[] {
    const out: Window[] = []
    let start = this.firstWindowStartFor(timestampMs)
    for (; start <= timestampMs; start += this.advanceMs) out.push(new Window(start, start + this.sizeMs))
    return out
  }
}

/** Windows of a fixed time difference that slide with the records (KIP-450). */
export class SlidingWindows {
  readonly timeDifferenceMs: number
  readonly graceMs: number

  private constructor(timeDifferenceMs: number, graceMs: number) {
    checkDuration('time difference', timeDifferenceMs, 1)
    checkDuration('grace period', graceMs)
    this.timeDifferenceMs = timeDifferenceMs
    this.graceMs = graceMs
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, 0)
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, graceMs)
  }
}

/** Sessions: activity periods separated by at least `inactivityGapMs` of silence per key. */
export class SessionWindows {
  readonly inactivityGapMs: number
  readonly graceMs: number

  private constructor(inactivityGapMs: number, graceMs: number) {
    checkDuration('inactivity gap', inactivityGapMs, 1)
    checkDuration('grace period', graceMs)
    this.inactivityGapMs = inactivityGapMs
    this.graceMs = graceMs
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, 0)
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, graceMs)
  }
}

/**
 * Stream-stream join windows: a left record at time t joins right records in
 * [t - beforeMs, t + afterMs]. Records are buffered until the window plus grace has passed.
 */
export class JoinWindows {
  readonly beforeMs: number
  readonly afterMs: number
  readonly graceMs: number

  private constructor(beforeMs: number, afterMs: number, graceMs: number) {
    requireArgument(beforeMs + afterMs >= 0, `join window size must not be negative (before ${beforeMs} ms, after ${afterMs} ms)`)
    checkDuration('grace period', graceMs)
    this.beforeMs = beforeMs
    this.afterMs = afterMs
    this.graceMs = graceMs
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    checkDuration('time difference', timeDifferenceMs)
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, 0)
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkDuration('time difference', timeDifferenceMs)
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs)
  }

  /** Changes how far back (relative to the left record) right records may be. */
  before(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(timeDifferenceMs, this.afterMs, this.graceMs)
  }

  /** Changes how far ahead (relative to the left record) right records may be. */
  after(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, timeDifferenceMs, this.graceMs)
  }

  get sizeMs(): number {
    return this.beforeMs + this.afterMs
  }
}

/** When a windowed aggregation emits: on every update (default) or once when the window closes. */
export class EmitStrategy {
  readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE'

  private constructor(type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {
    this.type = type
  }

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE')
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE')
  }
}
