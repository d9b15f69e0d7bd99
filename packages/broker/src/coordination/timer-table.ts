// Coordinator timers over the injected Clock: one armed timer per id (re-arming replaces it).
// Deadlines beyond what a platform timer can hold (setTimeout caps near 24.8 days, longer delays
// fire at once) are reached in steps: a timer that fires early re-arms for the remainder.
import type { Clock } from '@tributary/protocol'

/** Longest single delay handed to the clock (2^31 - 1 ms, setTimeout's limit). */
export const TIMER_DELAY_MAX_MS = 2_147_483_647

export class TimerTable {
  readonly #clock: Clock
  readonly #cancels = new Map<string, () => void>()
  #closed = false

  constructor(clock: Clock) {
    this.#clock = clock
  }

  get size(): number {
    return this.#cancels.size
  }

  /** Arms `timerId` to call `onFire` at `deadlineMs` (clock time); replaces an armed timer with that id. */
  schedule(timerId: string, deadlineMs: number, onFire: () => void): void {
    this.cancel(timerId)
    if (this.#closed) return
    const delayMs = Math.min(TIMER_DELAY_MAX_MS, Math.max(0, deadlineMs - this.#clock.nowMs()))
    const cancel = this.#clock.setTimer(delayMs, () => {
      if (this.#cancels.get(timerId) !== cancel) return
      this.#cancels.delete(timerId)
      if (this.#clock.nowMs() < deadlineMs) this.schedule(timerId, deadlineMs, onFire)
      else onFire()
    })
    this.#cancels.set(timerId, cancel)
  }

  cancel(timerId: string): void {
    const cancel = this.#cancels.get(timerId)
    if (cancel === undefined) return
    this.#cancels.delete(timerId)
    cancel()
  }

  /** Disarms every timer and refuses new ones. */
  close(): void {
    this.#closed = true
    for (const cancel of this.#cancels.values()) cancel()
    this.#cancels.clear()
  }
}
