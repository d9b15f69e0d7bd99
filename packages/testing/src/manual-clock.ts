// A Clock whose time moves only when a test says so. Timers fire in deadline order (ties in
// the order they were set) while `advance` walks time forward, so a callback that sets a new
// timer inside the advanced window sees it fire in the same call, as it would in real time.
import type { Clock } from '@tributary/protocol'

interface PendingTimer {
  readonly id: number
  readonly deadlineMs: number
  readonly callback: () => void
}

/**
 * Deterministic {@link Clock} for tests.
 *
 * @example
 * const clock = new ManualClock(1_000)
 * clock.setTimer(50, () => console.log('fired at', clock.nowMs()))
 * clock.advance(100) // prints "fired at 1050"; clock.nowMs() is now 1100
 */
export class ManualClock implements Clock {
  #nowMs: number
  #nextId = 0
  #timers: PendingTimer[] = []

  constructor(startMs = 0) {
    this.#nowMs = startMs
  }

  nowMs(): number {
    return this.#nowMs
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(delayMs, resolve)
    })
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`)
    const timer: PendingTimer = { id: this.#nextId++, deadlineMs: this.#nowMs + Math.max(0, delayMs), callback }
    this.#timers.push(timer)
    return () => {
      this.#timers = this.#timers.filter((pending) => pending !== timer)
    }
  }

  /** Number of timers set and neither fired nor cancelled. */
  get pendingTimerCount(): number {
    return this.#timers.length
  }

  /** Deadline of the earliest pending timer, or undefined when none is pending. */
  nextDeadlineMs(): number | undefined {
    return this.#earliest()?.deadlineMs
  }

  /** Moves time forward by `delayMs`, firing every timer due on the way, in deadline order. */
  advance(delayMs: number): void {
    if (!(delayMs >= 0)) throw new RangeError(`delayMs must be >= 0, got ${delayMs}`)
    this.advanceTo(this.#nowMs + delayMs)
  }

  /** Moves time forward to `targetMs` (never backwards), firing due timers in deadline order. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.#nowMs) throw new RangeError(`cannot move time backwards from ${this.#nowMs} to ${targetMs}`)
    for (;;) {
      const next = this.#earliest()
      if (next === undefined || next.deadlineMs > targetMs) break
      this.#timers = this.#timers.filter((pending) => pending !== next)
      this.#nowMs = Math.max(this.#nowMs, next.deadlineMs)
      next.callback()
    }
    this.#nowMs = targetMs
  }

  /**
   * Advances like {@link advance}, letting promise continuations (for example code awaiting
   * `sleep`) run after each fired timer before the next one is considered.
   */
  async advanceAsync(delayMs: number): Promise<void> {
    const targetMs = this.#nowMs + delayMs
    for (;;) {
      await flushMicrotasks()
      const next = this.#earliest()
      if (next === undefined || next.deadlineMs > targetMs) break
      this.advanceTo(next.deadlineMs)
    }
    this.advanceTo(targetMs)
    await flushMicrotasks()
  }

  #earliest(): PendingTimer | undefined {
    let earliest: PendingTimer | undefined
    for (const timer of this.#timers) {
      if (earliest === undefined || timer.deadlineMs < earliest.deadlineMs ||
        (timer.deadlineMs === earliest.deadlineMs && timer.id < earliest.id)) earliest = timer
    }
    return earliest
  }
}

function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
