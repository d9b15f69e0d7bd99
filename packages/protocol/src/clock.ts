// Time is injected: domain code (coordinators, stream tasks) asks a Clock, never `Date.now()`
// or `setTimeout` directly, so tests can drive it with a ManualClock from @tributary/testing.
// This file is types only: the protocol package does no I/O and starts no timers.
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  nowMs(): number
  /** Resolves after `delayMs` of this clock's time. */
  sleep(delayMs: number): Promise<void>
  /** Calls `callback` after `delayMs` of this clock's time; the returned function cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void
}
